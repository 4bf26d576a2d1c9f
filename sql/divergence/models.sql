-- divergence/models: the registered models, to resolve the model a run works on.
-- Reads: models. Writes: nothing. Parameters: none.
SELECT model_id FROM models ORDER BY model_id;
