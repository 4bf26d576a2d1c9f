-- explorer/models: every registered model, the one with most results first (the default).
-- Reads: models, prime_units, visualness. Writes: nothing. Parameters: none.
SELECT
    m.model_id,
    m.name,
    m.input_size,
    m.n_units,
    (SELECT count(*) FROM prime_units AS p WHERE p.model_id = m.model_id)
        + (SELECT count(*) FROM visualness AS v WHERE v.model_id = m.model_id) AS n_results
FROM models AS m
ORDER BY n_results DESC, m.model_id;
