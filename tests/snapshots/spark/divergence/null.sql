CREATE OR REPLACE TABLE divergence_null_rows AS
SELECT
  unit_id,
  word,
  LEAST(n_pos, n_neg) AS n_side,
  CAST(FLOOR(LOG(2, LEAST(n_pos, n_neg))) AS INT) AS size_class,
  kl / (
    1.0 / n_pos + 1.0 / n_neg
  ) AS ratio
FROM unit_word_divergence
WHERE
  model_id = :model_id AND scope = :scope AND STARTSWITH(word, CHR(  31))
/* Stored in a fixed order, so the sums below add in the same order however the rows were */
/* written (one unit block or many: floating-point sums depend on the order). */
ORDER BY
  unit_id NULLS LAST,
  word NULLS LAST;

CREATE OR REPLACE TABLE divergence_null_means AS
SELECT
  unit_id,
  AVG(ratio) AS m
FROM divergence_null_rows
GROUP BY
  unit_id;

DELETE FROM divergence_null_sizes
WHERE
  model_id = :model_id AND scope = :scope;

WITH relative AS (
  SELECT
    r.size_class,
    r.n_side,
    r.word,
    r.ratio / m.m AS rel
  FROM divergence_null_rows AS r
  JOIN divergence_null_means AS m
    ON m.unit_id = r.unit_id
  WHERE
    m.m > 0
)
INSERT INTO divergence_null_sizes (
  model_id,
  scope,
  size_class,
  n_side_min,
  n_side_max,
  mean_factor,
  sd_factor,
  n_pseudo
)
SELECT
  :model_id,
  :scope,
  size_class,
  MIN(n_side),
  MAX(n_side),
  AVG(rel),
  COALESCE(STDDEV_POP(rel), 0.0),
  CAST(COUNT(DISTINCT word) AS INT)
FROM relative
GROUP BY
  size_class;

DELETE FROM unit_divergence_null
WHERE
  model_id = :model_id AND scope = :scope;

WITH residuals AS (
  SELECT
    r.unit_id,
    CASE
      WHEN m.m > 0 AND s.sd_factor > 0
      THEN (
        r.ratio / m.m - s.mean_factor
      ) / s.sd_factor
      ELSE 0.0
    END AS e
  FROM divergence_null_rows AS r
  JOIN divergence_null_means AS m
    ON m.unit_id = r.unit_id
  JOIN divergence_null_sizes AS s
    ON s.model_id = :model_id AND s.scope = :scope AND s.size_class = r.size_class
)
INSERT INTO unit_divergence_null (
  model_id,
  scope,
  unit_id,
  null_mean,
  null_sd,
  n_pseudo
)
SELECT
  :model_id,
  :scope,
  r.unit_id,
  ANY_VALUE(m.m) IGNORE NULLS,
  ANY_VALUE(m.m) IGNORE NULLS * SQRT(AVG(r.e * r.e)),
  CAST(COUNT(*) AS INT)
FROM residuals AS r
JOIN divergence_null_means AS m
  ON m.unit_id = r.unit_id
GROUP BY
  r.unit_id;

CREATE OR REPLACE TABLE divergence_scored AS
WITH expected AS (
  SELECT
    d.*,
    n.null_mean * COALESCE(s.mean_factor, 1.0) * (
      1.0 / d.n_pos + 1.0 / d.n_neg
    ) AS mu,
    n.null_sd * COALESCE(s.sd_factor, 1.0) * (
      1.0 / d.n_pos + 1.0 / d.n_neg
    ) AS sigma
  FROM unit_word_divergence AS d
  LEFT JOIN unit_divergence_null AS n
    ON n.model_id = d.model_id AND n.scope = d.scope AND n.unit_id = d.unit_id
  LEFT JOIN divergence_null_sizes AS s
    ON s.model_id = d.model_id
    AND s.scope = d.scope
    AND s.size_class = CAST(FLOOR(LOG(2, LEAST(d.n_pos, d.n_neg))) AS INT)
  WHERE
    d.model_id = :model_id AND d.scope = :scope
)
SELECT
  model_id,
  scope,
  word,
  unit_id,
  kl,
  n_pos,
  n_neg,
  mu AS kl_null,
  sigma AS kl_null_sd,
  CASE WHEN sigma > 0 THEN (
    kl - mu
  ) / sigma WHEN sigma = 0 THEN 0.0 END AS kl_z
FROM expected;

DELETE FROM unit_word_divergence
WHERE
  model_id = :model_id AND scope = :scope;

INSERT INTO unit_word_divergence (
  model_id,
  scope,
  word,
  unit_id,
  kl,
  n_pos,
  n_neg,
  kl_null,
  kl_null_sd,
  kl_z
)
SELECT
  model_id,
  scope,
  word,
  unit_id,
  kl,
  n_pos,
  n_neg,
  kl_null,
  kl_null_sd,
  kl_z
FROM divergence_scored
WHERE
  NOT STARTSWITH(word, CHR(  31));

DELETE FROM layer_divergence_null
WHERE
  model_id = :model_id AND scope = :scope;

CREATE OR REPLACE TABLE divergence_null_layer_max AS
SELECT
  d.word,
  u.layer,
  MAX(d.kl_z) AS max_z
FROM divergence_scored AS d
JOIN units AS u
  ON u.model_id = d.model_id AND u.unit_id = d.unit_id
WHERE
  STARTSWITH(d.word, CHR(  31))
GROUP BY
  d.word,
  u.layer
ORDER BY
  u.layer NULLS LAST,
  d.word NULLS LAST;

INSERT INTO layer_divergence_null (
  model_id,
  scope,
  layer,
  null_max_z_mean,
  null_max_z_sd,
  n_pseudo
)
SELECT
  :model_id,
  :scope,
  layer,
  AVG(max_z),
  COALESCE(STDDEV_SAMP(max_z), 0.0),
  CAST(COUNT(*) AS INT)
FROM divergence_null_layer_max
GROUP BY
  layer;

DROP TABLE divergence_null_layer_max;

DROP TABLE divergence_scored;

DROP TABLE divergence_null_means;

DROP TABLE divergence_null_rows;

