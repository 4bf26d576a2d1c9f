-- report/layer_magnitude: paper Fig. 4, relative magnitude per layer averaged over words,
-- and the chance-corrected magnitude (NULL without a divergence null).
-- Reads: layer_magnitude. Writes: nothing. Parameters: $model_id, $scope.
SELECT layer, layer_index, mean_relative, sd_relative, mean_max_kl, n_words, mean_relative_z
FROM layer_magnitude
WHERE model_id = $model_id AND scope = $scope
ORDER BY layer_index;
