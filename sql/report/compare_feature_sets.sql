-- report/compare_feature_sets: the feature sets with visualness results in the scope, with
-- their network, pooling, lineage and size.
-- Reads: compare_feature_sets, visualness. Writes: nothing. Parameters: $scope.
SELECT f.model_id, f.name, f.pooling, f.kind, f.parent_model_id, f.n_units, f.n_images
FROM compare_feature_sets AS f
WHERE f.model_id IN (SELECT model_id FROM visualness WHERE scope = $scope)
ORDER BY f.name, f.kind, f.pooling, f.model_id;
