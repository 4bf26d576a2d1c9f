-- explorer/layers: a model's tapped layers in network order.
-- Reads: units. Writes: nothing. Parameters: $model_id.
SELECT layer, layer_index, count(*) AS n_units
FROM units
WHERE model_id = $model_id
GROUP BY layer, layer_index
ORDER BY layer_index;
