CREATE OR REPLACE TABLE divergence_binned AS
WITH ranges AS (
  /* Constant units are never binned. width is computed exactly as in equal_width_edge, so */
  /* lo + k * width is the stored edge k (k < n_bins). */
  SELECT
    unit_id + 1 AS i,
    edges[0] AS lo,
    (
      edges[(
        :n_bins + 1
      ) - 1] - edges[0]
    ) / :n_bins AS width
  FROM divergence_edges
  WHERE
    NOT constant AND unit_id >= :unit_lo AND unit_id < :unit_hi
), vals AS (
  SELECT
    u.pidx,
    CAST((
      _unnest0.pos + 1
    ) AS INT) AS i,
    CAST(_unnest0.val AS DOUBLE) AS v
  FROM activation_vectors AS a
  JOIN divergence_universe AS u
    ON u.product_id = a.product_id AND u.model_id = a.model_id
  LATERAL VIEW
  POSEXPLODE(a.vals) _unnest0 AS pos, val
), floored AS (
  SELECT
    vals.pidx,
    vals.i,
    vals.v,
    r.lo,
    r.width,
    FLOOR((
      vals.v - r.lo
    ) / r.width) AS f
  FROM vals
  JOIN ranges AS r
    ON r.i = vals.i
), guessed AS (
  SELECT
    pidx,
    i,
    v,
    lo,
    width,
    f - CAST(f >= :n_bins AS INT) AS guess
  FROM floored
)
SELECT
  pidx,
  i - 1 AS unit,
  CAST(guess - CAST(v < lo + guess * width AS INT) + CAST(guess < :n_bins - 1 AND v >= lo + (
    guess + 1
  ) * width AS INT) AS SMALLINT) AS bin /* guess < n_bins, so edge `guess` is lo + guess * width; edge guess + 1 is only looked */ /* at below the last bin, so it is lo + (guess + 1) * width too (never the exact max). */
FROM guessed;

