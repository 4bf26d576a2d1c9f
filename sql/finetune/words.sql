-- The words an attribute-tuned network may learn: the scope's vocabulary by rank, the
-- first $max_words of them (all when NULL).
-- Reads: vocabulary. Writes: nothing. Parameters: $scope, $max_words (INTEGER or NULL).
SELECT word
FROM vocabulary
WHERE scope = $scope
ORDER BY rank, word
LIMIT coalesce($max_words, 2147483647);
