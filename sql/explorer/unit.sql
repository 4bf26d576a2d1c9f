-- explorer/unit: one unit, its layer and channel.
-- Reads: units. Writes: nothing. Parameters: $model_id, $unit_id.
SELECT unit_id, layer, layer_index, channel
FROM units
WHERE model_id = $model_id AND unit_id = $unit_id;
