-- The tapped layers of one registered model, early to late, with their channel counts
-- (a layer's units under one pooling; a 'both' model lists each channel twice).
-- Reads: units. Writes: nothing. Parameters: $model_id.
SELECT layer, layer_index, CAST(count(DISTINCT channel) AS INTEGER) AS n_units
FROM units
WHERE model_id = $model_id
GROUP BY layer, layer_index
ORDER BY layer_index;
