-- Register a model: its weights (path and sha256), its pooling and one units row per
-- channel of every tapped layer and pooling, unit_id numbering the layers' channels in
-- order (0..n_units-1); under pooling 'both' every max unit comes first, then every mean
-- unit (unit i < n is unit i of the max-pooled model).
-- Reads: nothing. Writes: models, units.
-- Parameters: $model_id, $name, $weights, $weights_sha256, $input_size, $mean, $std,
--   $layers (VARCHAR[], early to late), $sizes (INTEGER[], channels per layer),
--   $pooling ('max', 'mean' or 'both').
INSERT INTO models (model_id, name, weights, weights_sha256, input_size, mean, std, n_units,
                    pooling)
VALUES ($model_id, $name, $weights, $weights_sha256, $input_size, $mean, $std,
        list_sum($sizes) * CASE WHEN $pooling = 'both' THEN 2 ELSE 1 END, $pooling);

INSERT INTO units (model_id, unit_id, layer, layer_index, channel, pooling)
SELECT
    $model_id,
    CAST(row_number() OVER (ORDER BY p.pooling_index, l.layer_index, c.channel) - 1
         AS INTEGER),
    l.layer,
    CAST(l.layer_index AS INTEGER),
    CAST(c.channel AS INTEGER),
    p.pooling
FROM (
    SELECT unnest($layers) AS layer,
           unnest($sizes) AS size,
           unnest(range(len($layers))) AS layer_index
) AS l,
LATERAL (SELECT unnest(range(l.size)) AS channel) AS c,
(
    SELECT unnest(CASE WHEN $pooling = 'both' THEN ['max', 'mean'] ELSE [$pooling] END)
               AS pooling,
           unnest(CASE WHEN $pooling = 'both' THEN [0, 1] ELSE [0] END) AS pooling_index
) AS p;
