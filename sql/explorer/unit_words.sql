-- explorer/unit_words: the words whose prime unit this unit is, with its rank and KL there.
-- Reads: prime_unit_layers. Writes: nothing. Parameters: $model_id, $scope, $unit_id.
SELECT word, rank, kl
FROM prime_unit_layers
WHERE model_id = $model_id AND scope = $scope AND unit_id = $unit_id
ORDER BY rank, kl DESC, word;
