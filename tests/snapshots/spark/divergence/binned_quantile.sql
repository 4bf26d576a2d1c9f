CREATE OR REPLACE TABLE divergence_binned AS
WITH lower_edges AS (
  /* A repeated edge starts only the last of the bins sharing it (the others are empty). */
  SELECT
    unit_id,
    edge,
    CAST(MAX(k) AS SMALLINT) AS bin
  FROM (
    SELECT
      unit_id,
      _unnest0.val AS edge,
      (
        _unnest0.pos + 1
      ) - 1 AS k
    FROM divergence_edges
    LATERAL VIEW
    POSEXPLODE(edges[1:LENGTH(edges) - 1]) _unnest0 AS pos, val
    WHERE
      NOT constant AND unit_id >= :unit_lo AND unit_id < :unit_hi
  )
  GROUP BY
    unit_id,
    edge
), vals AS (
  SELECT
    u.pidx,
    CAST((
      _unnest0.pos + 1
    ) - 1 AS INT) AS unit_id,
    CAST(_unnest0.val AS DOUBLE) AS v
  FROM activation_vectors AS a
  JOIN divergence_universe AS u
    ON u.product_id = a.product_id AND u.model_id = a.model_id
  LATERAL VIEW
  POSEXPLODE(a.vals) _unnest0 AS pos, val
)
SELECT
  vals.pidx,
  vals.unit_id AS unit,
  e.bin
FROM vals
ASOF JOIN lower_edges AS e
  ON e.unit_id = vals.unit_id AND vals.v >= e.edge
ORDER BY
  vals.pidx NULLS LAST,
  vals.unit_id NULLS LAST;

