-- The registration row of one model.
-- Reads: models. Writes: nothing. Parameters: $model_id.
SELECT name, weights, weights_sha256, input_size, n_units, pooling
FROM models
WHERE model_id = $model_id;
