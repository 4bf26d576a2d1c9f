-- neighbours/matrix: the stored similarities of one run, for clustering in Python.
-- Reads: word_similarity. Writes: nothing. Parameters: $model_id, $scope, $method.
SELECT word, neighbour, similarity
FROM word_similarity
WHERE model_id = $model_id AND scope = $scope AND method = $method
ORDER BY word, neighbour;
