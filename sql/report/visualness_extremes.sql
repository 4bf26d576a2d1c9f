-- report/visualness_extremes: paper Table 2, the most and least visual words of each method.
-- Reads: visualness_ranking. Writes: nothing. Parameters: $model_id, $scope, $n (per end).
SELECT method, word, accuracy, n_products, h, visual_rank, nonvisual_rank, n_words
FROM visualness_ranking
WHERE model_id = $model_id AND scope = $scope
  AND (visual_rank <= $n OR nonvisual_rank <= $n)
ORDER BY method, visual_rank;
