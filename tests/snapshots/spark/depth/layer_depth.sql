DELETE FROM layer_depth
WHERE
  model_id = :model_id AND scope = :scope;

WITH per_layer AS (
  SELECT
    d.word,
    u.layer,
    u.layer_index,
    MAX(d.kl) AS max_kl
  FROM unit_word_divergence AS d
  JOIN units AS u
    ON u.model_id = d.model_id AND u.unit_id = d.unit_id
  WHERE
    d.model_id = :model_id AND d.scope = :scope
  GROUP BY
    d.word,
    u.layer,
    u.layer_index
)
INSERT INTO layer_depth (
  model_id,
  scope,
  word,
  layer,
  layer_index,
  max_kl,
  relative
)
SELECT
  :model_id,
  :scope,
  word,
  layer,
  layer_index,
  max_kl,
  COALESCE(max_kl / NULLIF(SUM(max_kl) OVER (PARTITION BY word), 0), 0.0)
FROM per_layer;

