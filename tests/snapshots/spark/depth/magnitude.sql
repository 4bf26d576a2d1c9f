WITH peaks AS (
  SELECT
    word,
    peak_index
  FROM (
    SELECT
      word,
      layer_index AS peak_index,
      ROW_NUMBER() OVER (PARTITION BY word ORDER BY relative DESC, layer_index NULLS LAST) AS _w
    FROM layer_depth
    WHERE
      model_id = :model_id AND scope = :scope AND relative > 0
  ) AS _t
  WHERE
    _w = 1
)
SELECT
  d.layer,
  d.layer_index,
  AVG(d.relative) AS mean_relative,
  AVG(d.max_kl) AS mean_max_kl,
  COUNT(*) AS n_words,
  (
    SELECT
      COUNT(*)
    FROM peaks AS p
    WHERE
      p.peak_index = d.layer_index
  ) AS n_peaking
FROM layer_depth AS d
WHERE
  d.model_id = :model_id AND d.scope = :scope
GROUP BY
  d.layer,
  d.layer_index
ORDER BY
  d.layer_index NULLS LAST;

