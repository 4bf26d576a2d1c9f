-- Registered models with their unit count and input size (checks run before a model loads).
-- Reads: models. Writes: nothing. Parameters: none.
SELECT model_id, n_units, input_size FROM models ORDER BY model_id;
