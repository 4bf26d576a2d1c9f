-- A word's trained classifier (written by the visualness stage), for the gradient baseline.
-- Reads: classifiers. Writes: nothing.
-- Parameters: $model_id, $scope, $word, $method.
SELECT unit_ids, coef, intercept, mean, scale
FROM classifiers
WHERE model_id = $model_id AND scope = $scope AND word = $word AND method = $method;
