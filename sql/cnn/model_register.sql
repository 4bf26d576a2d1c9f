-- Register a model: its weights (path and sha256) and one units row per channel of every
-- tapped layer, unit_id numbering the layers' channels in order (0..n_units-1).
-- Reads: nothing. Writes: models, units.
-- Parameters: $model_id, $name, $weights, $weights_sha256, $input_size, $mean, $std,
--   $layers (VARCHAR[], early to late), $sizes (INTEGER[], channels per layer).
INSERT INTO models (model_id, name, weights, weights_sha256, input_size, mean, std, n_units)
VALUES ($model_id, $name, $weights, $weights_sha256, $input_size, $mean, $std,
        list_sum($sizes));

INSERT INTO units (model_id, unit_id, layer, layer_index, channel)
SELECT
    $model_id,
    CAST(row_number() OVER (ORDER BY l.layer_index, c.channel) - 1 AS INTEGER),
    l.layer,
    CAST(l.layer_index AS INTEGER),
    CAST(c.channel AS INTEGER)
FROM (
    SELECT unnest($layers) AS layer,
           unnest($sizes) AS size,
           unnest(range(len($layers))) AS layer_index
) AS l,
LATERAL (SELECT unnest(range(l.size)) AS channel) AS c;
