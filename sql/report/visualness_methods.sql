-- report/visualness_methods: per method, words measured, words without a score, accuracy.
-- Reads: visualness. Writes: nothing. Parameters: $model_id, $scope.
SELECT
    method,
    count(*) AS n_words,
    count(*) FILTER (WHERE accuracy IS NULL) AS n_without_score,
    avg(accuracy) AS mean_accuracy,
    min(accuracy) AS min_accuracy,
    max(accuracy) AS max_accuracy
FROM visualness
WHERE model_id = $model_id AND scope = $scope
GROUP BY method
ORDER BY CASE method WHEN 'random' THEN 1 WHEN 'initial' THEN 2 WHEN 'resample' THEN 3 ELSE 4 END,
    method;
