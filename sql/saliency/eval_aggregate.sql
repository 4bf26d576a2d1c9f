-- Fig. 6: mean scores per word, method and K over the evaluated images (ap and pointing on
-- the threshold-free rows, iou per threshold), rewritten for the evaluated words.
-- Reads: saliency_scores. Writes: saliency_eval.
-- Parameters: $model_id, $scope, $words (VARCHAR[]).
DELETE FROM saliency_eval
WHERE model_id = $model_id AND scope = $scope AND list_contains($words, word);

INSERT INTO saliency_eval (model_id, scope, word, method, k, threshold, ap, iou, pointing, n_images)
SELECT
    model_id, scope, word, method, k, threshold,
    avg(ap), avg(iou), avg(pointing), count(DISTINCT product_id)
FROM saliency_scores
WHERE model_id = $model_id AND scope = $scope AND list_contains($words, word)
GROUP BY model_id, scope, word, method, k, threshold;
