WITH depth AS (
  SELECT
    *,
    COALESCE(relative_z, relative) AS magnitude
  FROM layer_depth
  WHERE
    model_id = :model_id AND scope = :scope
), peaks AS (
  SELECT
    word,
    peak_index
  FROM (
    SELECT
      word,
      layer_index AS peak_index,
      ROW_NUMBER() OVER (PARTITION BY word ORDER BY magnitude DESC, layer_index NULLS LAST) AS _w
    FROM depth
    WHERE
      magnitude > 0
  ) AS _t
  WHERE
    _w = 1
)
SELECT
  d.layer,
  d.layer_index,
  AVG(d.magnitude) AS mean_relative,
  AVG(d.max_kl) AS mean_max_kl,
  COUNT(*) AS n_words,
  (
    SELECT
      COUNT(*)
    FROM peaks AS p
    WHERE
      p.peak_index = d.layer_index
  ) AS n_peaking
FROM depth AS d
GROUP BY
  d.layer,
  d.layer_index
ORDER BY
  d.layer_index NULLS LAST;

