-- Registered models with their layers, lineage and how many images each has processed.
-- Reads: models, units, model_lineage, activation_vectors, activation_errors.
-- Writes: nothing.
SELECT
    m.model_id,
    m.name,
    m.n_units,
    m.pooling,
    l.kind,
    l.parent_model_id,
    (SELECT string_agg(layer, ',' ORDER BY layer_index)
     FROM (SELECT DISTINCT layer, layer_index FROM units AS u WHERE u.model_id = m.model_id))
        AS layers,
    (SELECT count(*) FROM activation_vectors AS v WHERE v.model_id = m.model_id) AS n_images,
    (SELECT count(*) FROM activation_errors AS e WHERE e.model_id = m.model_id) AS n_errors,
    left(m.weights_sha256, 12) AS sha256_prefix,
    m.weights
FROM models AS m
JOIN model_lineage AS l ON l.model_id = m.model_id
ORDER BY m.model_id;
