/* Spark override of sql/depth/magnitude.sql: the same per-layer rows (M_l, mean max KL, */
/* words, words peaking there). DuckDB counts the peaking words with a correlated scalar */
/* subquery inside the GROUP BY, which Spark refuses; here they are counted per layer first */
/* and joined. */
/* Reads: layer_depth. Writes: nothing. Parameters: :model_id, :scope. */
WITH depth AS (
  SELECT
    *,
    COALESCE(relative_z, relative) AS magnitude
  FROM layer_depth
  WHERE
    model_id = :model_id AND scope = :scope
), peaks AS (
  SELECT
    peak_index,
    COUNT(*) AS n_peaking
  FROM (
    SELECT
      layer_index AS peak_index,
      ROW_NUMBER() OVER (PARTITION BY word ORDER BY magnitude DESC, layer_index) AS r
    FROM depth
    WHERE
      magnitude > 0
  )
  WHERE
    r = 1
  GROUP BY
    peak_index
)
SELECT
  d.layer,
  d.layer_index,
  AVG(d.magnitude) AS mean_relative,
  AVG(d.max_kl) AS mean_max_kl,
  COUNT(*) AS n_words,
  COALESCE(MAX(p.n_peaking), 0) AS n_peaking
FROM depth AS d
LEFT JOIN peaks AS p
  ON p.peak_index = d.layer_index
GROUP BY
  d.layer,
  d.layer_index
ORDER BY
  d.layer_index;

