-- report/vocabulary_kinds: vocabulary words per kind (adjective / tag / phrase / all).
-- Reads: vocabulary. Writes: nothing. Parameters: $scope.
SELECT kind, count(*) AS n_words, sum(n_products) AS n_occurrences
FROM vocabulary
WHERE scope = $scope
GROUP BY kind
ORDER BY n_words DESC, kind;
