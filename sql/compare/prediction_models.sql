-- compare/prediction_models: the models and classifier methods with predictions in a scope.
-- Reads: predictions. Writes: nothing. Parameters: $scope.
SELECT DISTINCT model_id, method
FROM predictions
WHERE scope = $scope
ORDER BY model_id, method;
