-- report/vocabulary: the scope's most frequent candidate words, with the vocabulary size.
-- Reads: vocabulary. Writes: nothing. Parameters: $scope, $n (words to show).
SELECT word, n_products, rank, kind, count(*) OVER () AS n_words
FROM vocabulary
WHERE scope = $scope
ORDER BY rank, word
LIMIT $n;
