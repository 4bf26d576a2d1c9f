-- phrases/summary: how many phrase candidates a scope has and the phrases selected, in rank
-- order. Reads: phrase_candidates. Writes: nothing. Parameters: $scope.
SELECT count(*), coalesce(list(phrase ORDER BY rank) FILTER (WHERE selected), [])
FROM phrase_candidates
WHERE scope = $scope;
