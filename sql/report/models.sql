-- report/models: registered models, the one with the most results in the scope first.
-- Reads: models, visualness, layer_depth, saliency_maps. Writes: nothing.
-- Parameters: $scope.
SELECT
    m.model_id,
    m.name,
    m.n_units,
    (SELECT count(*) FROM visualness AS v WHERE v.model_id = m.model_id AND v.scope = $scope)
        AS n_visualness,
    (SELECT count(*) FROM layer_depth AS d WHERE d.model_id = m.model_id AND d.scope = $scope)
        AS n_layer_depth,
    (SELECT count(*) FROM saliency_maps AS s WHERE s.model_id = m.model_id AND s.scope = $scope)
        AS n_saliency_maps
FROM models AS m
ORDER BY n_visualness DESC, n_layer_depth DESC, n_saliency_maps DESC, m.registered_at, m.model_id;
