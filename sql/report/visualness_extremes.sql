-- report/visualness_extremes: paper Table 2, the most and least visual words of each method,
-- ranked by the method's ranking score (the AUC's lower 95 % bound for crossfit), each with its
-- interval, the test positives and negatives behind it and, where `attrdb stability` ran,
-- the standard deviation of its rank over seeds.
-- Reads: visualness_ranking. Writes: nothing. Parameters: $model_id, $scope, $n (per end).
SELECT
    method, word, accuracy, n_products, h, visual_rank, nonvisual_rank, n_words,
    accuracy_low, accuracy_high, auc, auc_low, auc_high, n_test_pos, n_test_neg, rank_sd
FROM visualness_ranking
WHERE model_id = $model_id AND scope = $scope
  AND (visual_rank <= $n OR nonvisual_rank <= $n)
ORDER BY method, visual_rank;
