-- phrases/clear: forget a scope's phrase candidates (a vocab run without phrases).
-- Reads: nothing. Writes: phrase_candidates (the scope's rows deleted). Parameters: $scope.
DELETE FROM phrase_candidates WHERE scope = $scope;
