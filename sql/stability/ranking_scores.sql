-- stability/ranking_scores: the score each visualness list ranks its words by
-- (visualness_ranking_score: the lower 95 % bound of the AUC for the cross-fitted method,
-- the balanced accuracy for the paper's single-split methods).
-- Reads: visualness. Writes: nothing; returns (method, word, score), NULL scores left out.
-- Parameters: $model_id, $scope, $methods (VARCHAR[]).
SELECT method, word, visualness_ranking_score(method, accuracy, auc_low) AS score
FROM visualness
WHERE model_id = $model_id AND scope = $scope AND list_contains($methods, method)
  AND visualness_ranking_score(method, accuracy, auc_low) IS NOT NULL
ORDER BY method, word;
