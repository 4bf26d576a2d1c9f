-- explorer/kinds: the vocabulary kinds of a scope.
-- Reads: vocabulary. Writes: nothing. Parameters: $scope.
SELECT DISTINCT kind FROM vocabulary WHERE scope = $scope ORDER BY kind;
