-- report/saliency_curves: paper Fig. 6, mean AP and IoU per method and K.
-- Reads: saliency_curves. Writes: nothing. Parameters: $model_id, $scope.
SELECT method, k, threshold, mean_ap, mean_iou, mean_pointing, n_words, n_images
FROM saliency_curves
WHERE model_id = $model_id AND scope = $scope
ORDER BY method, k NULLS FIRST, threshold NULLS FIRST;
