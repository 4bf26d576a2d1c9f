CREATE OR REPLACE TABLE divergence_binned AS
WITH ranges AS (
  /* lo is NULL for constant units: they are never binned. width is computed exactly as */
  /* in equal_width_edge, so lo + k * width is the stored edge k (k < n_bins). */
  SELECT
    TRANSFORM(
      ARRAY_SORT(
        COLLECT_LIST(NAMED_STRUCT('k0', unit_id, 'v', CASE WHEN NOT constant THEN edges[0] END))
      ),
      s -> s.v
    ) AS lo,
    TRANSFORM(
      ARRAY_SORT(
        COLLECT_LIST(
          NAMED_STRUCT('k0', unit_id, 'v', (
            edges[(
              :n_bins + 1
            ) - 1] - edges[0]
          ) / :n_bins)
        )
      ),
      s -> s.v
    ) AS width
  FROM unit_bins
  WHERE
    model_id = :model_id AND scope = :scope
), vals AS (
  SELECT
    u.pidx,
    CAST((
      _unnest0.pos + 1
    ) AS INT) AS i,
    CAST(_unnest0.val AS DOUBLE) AS v
  FROM activation_vectors AS a
  JOIN divergence_universe AS u
    ON u.product_id = a.product_id
  LATERAL VIEW
  POSEXPLODE(a.vals) _unnest0 AS pos, val
  WHERE
    a.model_id = :model_id
), guessed AS (
  SELECT
    vals.pidx,
    vals.i,
    vals.v,
    r.lo[(
      vals.i
    ) - 1] AS lo,
    r.width[(
      vals.i
    ) - 1] AS width,
    LEAST(
      GREATEST(FLOOR((
        vals.v - r.lo[(
          vals.i
        ) - 1]
      ) / r.width[(
        vals.i
      ) - 1]), 0),
      :n_bins - 1
    ) AS guess
  FROM vals
  CROSS JOIN ranges AS r
)
SELECT
  pidx,
  i - 1 AS unit,
  CAST(guess - CAST(v < lo + guess * width AS INT) + CAST(guess < :n_bins - 1 AND v >= lo + (
    guess + 1
  ) * width AS INT) AS SMALLINT) AS bin /* guess < n_bins, so edge `guess` is lo + guess * width; edge guess + 1 is only looked */ /* at below the last bin, so it is lo + (guess + 1) * width too (never the exact max). */
FROM guessed
WHERE
  NOT lo IS NULL;

