CREATE OR REPLACE TABLE divergence_edges AS
WITH ranges AS (
  SELECT
    CAST(i - 1 AS INT) AS unit_id,
    MIN(v) AS lo,
    MAX(v) AS hi,
    PERCENTILE_CONT(
      v,
      TRANSFORM(
        IF((
          :n_bins + 1 - 1
        ) < 0, ARRAY(), SEQUENCE(0, (
          :n_bins + 1 - 1
        ))),
        k -> k / :n_bins
      )
    ) AS quantiles
  FROM (
    SELECT
      CAST(_unnest0.val AS DOUBLE) AS v,
      (
        _unnest0.pos + 1
      ) AS i
    FROM activation_vectors AS a
    JOIN divergence_universe AS u
      ON u.product_id = a.product_id AND u.model_id = a.model_id
    LATERAL VIEW
    POSEXPLODE(a.vals) _unnest0 AS pos, val
  )
  GROUP BY
    i
), flagged AS (
  SELECT
    unit_id,
    lo,
    hi,
    quantiles,
    hi - lo <= 1e-9 * GREATEST(ABS(lo), ABS(hi)) AS constant
  FROM ranges
)
SELECT
  unit_id,
  CASE
    WHEN constant
    THEN TRANSFORM(
      IF((
        :n_bins + 1 - 1
      ) < 0, ARRAY(), SEQUENCE(0, (
        :n_bins + 1 - 1
      ))),
      k -> (
        CASE
          WHEN (
            k
          ) = (
            :n_bins
          )
          THEN (
            lo + 0.5
          )
          ELSE (
            lo - 0.5
          ) + (
            k
          ) * (
            (
              (
                lo + 0.5
              ) - (
                lo - 0.5
              )
            ) / (
              :n_bins
            )
          )
        END
      )
    )
    ELSE TRANSFORM(
      IF((
        :n_bins + 1 - 1
      ) < 0, ARRAY(), SEQUENCE(0, (
        :n_bins + 1 - 1
      ))),
      k -> CASE WHEN k = 0 THEN lo WHEN k = :n_bins THEN hi ELSE quantiles[(
        k + 1
      ) - 1] END
    )
  END AS edges,
  constant
FROM flagged;

SELECT
  COUNT(*)
FROM divergence_edges;

