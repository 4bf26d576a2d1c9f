/* Spark form of step (3) of sql/dedup/groups.sql (the statement creating dedup_edges): the */
/* exact cosine distance of the candidate pairs, with the overlap as the size of the */
/* intersection of the two word-id arrays (rep.sql) instead of a bitstring popcount; the */
/* same integers go into the same formula, so ties at the threshold fall the same way. */
/* Reads: dedup_candidates, dedup_rep. Writes: dedup_edges(src, dst), both directions. */
/* Parameters: :threshold. */
CREATE OR REPLACE TABLE dedup_edges AS
WITH close_pairs AS (
  SELECT
    c.rep_a,
    c.rep_b
  FROM dedup_candidates AS c
  JOIN dedup_rep AS a
    ON a.product_id = c.rep_a
  JOIN dedup_rep AS b
    ON b.product_id = c.rep_b
  WHERE
    1 - SIZE(ARRAY_INTERSECT(a.bits, b.bits)) / (
      SQRT(a.size) * SQRT(b.size)
    ) < :threshold
)
SELECT
  rep_a AS src,
  rep_b AS dst
FROM close_pairs
UNION ALL
SELECT
  rep_b AS src,
  rep_a AS dst
FROM close_pairs;

