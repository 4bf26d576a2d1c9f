-- report/compare_layer_magnitude: paper Fig. 4 per feature set (mean relative magnitude per
-- layer, chance-corrected where the divergence measured a null).
-- Reads: compare_layer_magnitude. Writes: nothing. Parameters: $scope.
SELECT model_id, layer, layer_index, layer_position,
       coalesce(mean_relative_z, mean_relative) AS magnitude, n_words
FROM compare_layer_magnitude
WHERE scope = $scope
ORDER BY model_id, layer_index;
