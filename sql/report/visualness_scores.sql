-- report/visualness_scores: every scored word's accuracy per method (for the histogram).
-- Reads: visualness. Writes: nothing. Parameters: $model_id, $scope.
SELECT method, accuracy
FROM visualness
WHERE model_id = $model_id AND scope = $scope AND accuracy IS NOT NULL
ORDER BY method, accuracy;
