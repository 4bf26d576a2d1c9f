-- divergence/publish_bins: the run's bin edges (unit_bins_*.sql) become the model's and
-- scope's unit_bins rows.
-- Reads: divergence_edges. Writes: unit_bins (rows of model and scope replaced).
-- Parameters: $model_id, $scope.

DELETE FROM unit_bins WHERE model_id = $model_id AND scope = $scope;

INSERT INTO unit_bins (model_id, scope, unit_id, edges, constant)
SELECT $model_id, $scope, unit_id, edges, constant
FROM divergence_edges;
