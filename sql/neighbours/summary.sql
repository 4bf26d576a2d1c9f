-- neighbours/summary: each word's nearest neighbours of a run, for the stage's summary.
-- Reads: word_neighbours. Writes: nothing. Parameters: $model_id, $scope, $method, $k.
SELECT word, list(neighbour ORDER BY rank) AS neighbours, any_value(word_group) AS group_id
FROM word_neighbours
WHERE model_id = $model_id AND scope = $scope AND method = $method AND rank <= $k
GROUP BY word
ORDER BY word;
