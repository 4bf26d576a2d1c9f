DELETE FROM layer_depth
WHERE
  model_id = :model_id AND scope = :scope;

WITH per_layer AS (
  SELECT
    d.word,
    u.layer,
    u.layer_index,
    MAX(d.kl) AS max_kl,
    MAX(d.kl_z) AS max_kl_z
  FROM unit_word_divergence AS d
  JOIN units AS u
    ON u.model_id = d.model_id AND u.unit_id = d.unit_id
  WHERE
    d.model_id = :model_id AND d.scope = :scope
  GROUP BY
    d.word,
    u.layer,
    u.layer_index
), excess AS (
  SELECT
    p.*,
    p.max_kl_z - n.null_max_z_mean AS excess_z
  FROM per_layer AS p
  LEFT JOIN layer_divergence_null AS n
    ON n.model_id = :model_id AND n.scope = :scope AND n.layer = p.layer
)
INSERT INTO layer_depth (
  model_id,
  scope,
  word,
  layer,
  layer_index,
  max_kl,
  relative,
  max_kl_z,
  excess_z,
  relative_z
)
SELECT
  :model_id,
  :scope,
  word,
  layer,
  layer_index,
  max_kl,
  COALESCE(max_kl / NULLIF(SUM(max_kl) OVER (PARTITION BY word), 0), 0.0),
  max_kl_z,
  excess_z,
  CASE
    WHEN NOT excess_z IS NULL
    THEN COALESCE(
      GREATEST(excess_z, 0.0) / NULLIF(SUM(GREATEST(excess_z, 0.0)) OVER (PARTITION BY word), 0),
      0.0
    )
  END
FROM excess;

