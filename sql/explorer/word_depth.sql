-- explorer/word_depth: a word's perceptual depth, max KL and relative magnitude per layer
-- (eq. 4).
-- Reads: layer_depth. Writes: nothing. Parameters: $model_id, $scope, $word.
SELECT layer, layer_index, max_kl, relative
FROM layer_depth
WHERE model_id = $model_id AND scope = $scope AND word = $word
ORDER BY layer_index;
