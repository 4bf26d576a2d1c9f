-- report/top_visual_words: the most visual words of one method by its ranking score (the
-- AUC's lower 95 % bound for crossfit, the accuracy for the paper's methods; also used by
-- `attrdb run` to pick the words whose saliency maps the demo draws).
-- Reads: visualness. Writes: nothing. Parameters: $model_id, $scope, $method, $n.
SELECT word, accuracy
FROM visualness
WHERE model_id = $model_id AND scope = $scope AND method = $method AND accuracy IS NOT NULL
ORDER BY visualness_ranking_score(method, accuracy, auc_low) DESC NULLS LAST, word
LIMIT $n;
