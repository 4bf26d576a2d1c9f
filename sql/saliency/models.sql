-- Registered models, for choosing the default one.
-- Reads: models. Writes: nothing. Parameters: none.
SELECT model_id FROM models ORDER BY model_id;
