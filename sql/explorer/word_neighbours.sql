-- explorer/word_neighbours: the words the network perceives most alike (word_neighbours).
-- Reads: word_neighbours. Writes: nothing. Parameters: $model_id, $scope, $word, $n.
SELECT method, rank, neighbour, similarity, z, neighbour_n_pos
FROM word_neighbours
WHERE model_id = $model_id AND scope = $scope AND word = $word AND rank <= $n
ORDER BY method, rank;
