-- explorer/unit_word_kl: the divergence of one unit for one word (every
-- unit_word_divergence column).
-- Reads: unit_word_divergence. Writes: nothing.
-- Parameters: $model_id, $scope, $word, $unit_id.
SELECT * EXCLUDE (model_id, scope, word, unit_id)
FROM unit_word_divergence
WHERE model_id = $model_id AND scope = $scope AND word = $word AND unit_id = $unit_id;
