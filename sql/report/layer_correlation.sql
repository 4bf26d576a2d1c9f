-- report/layer_correlation: paper Fig. 5, per-layer correlation with human visualness.
-- Reads: layer_human_correlation. Writes: nothing. Parameters: $model_id, $scope.
SELECT layer, layer_index, pearson_max_kl, spearman_max_kl, pearson_relative, n_words
FROM layer_human_correlation
WHERE model_id = $model_id AND scope = $scope
ORDER BY layer_index;
