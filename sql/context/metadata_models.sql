-- context/metadata_models: the CNN models that have classifier predictions in a scope (a
-- metadata check ranks those predictions).
-- Reads: predictions. Writes: nothing. Parameters: $scope.
SELECT DISTINCT model_id FROM predictions WHERE scope = $scope ORDER BY model_id;
