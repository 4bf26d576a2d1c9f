CREATE OR REPLACE TABLE dedup_rep AS
WITH sets AS (
  SELECT
    product_id,
    shop_key,
    COUNT(*) AS size,
    BITSTRING_AGG(wid, 0, :width - 1) AS bits
  FROM dedup_bag
  GROUP BY
    product_id,
    shop_key
)
SELECT
  product_id,
  shop_key,
  size,
  bits,
  MIN(product_id) OVER (PARTITION BY shop_key, bits) AS rep
FROM sets;

CREATE OR REPLACE TABLE dedup_prefix AS
SELECT
  rep,
  shop_key,
  wid,
  size,
  pos
FROM (
  SELECT
    b.product_id AS rep,
    b.shop_key,
    b.wid,
    r.size,
    ROW_NUMBER() OVER (PARTITION BY b.product_id ORDER BY b.wid NULLS LAST) AS pos
  FROM dedup_bag AS b
  JOIN dedup_rep AS r
    ON r.product_id = b.product_id AND r.rep = b.product_id
)
WHERE
  pos <= size - CEIL(POWER(1 - :threshold - 1e-9, 2) * size) + 1;

CREATE OR REPLACE TABLE dedup_candidates AS
SELECT
  a.rep AS rep_a,
  b.rep AS rep_b
FROM dedup_prefix AS a
JOIN dedup_prefix AS b
  ON a.shop_key = b.shop_key AND a.wid = b.wid AND a.rep < b.rep
WHERE
  b.size >= POWER(1 - :threshold - 1e-9, 2) * a.size
  AND a.size >= POWER(1 - :threshold - 1e-9, 2) * b.size
GROUP BY
  a.rep,
  b.rep,
  a.size,
  b.size
HAVING
  COUNT(*) + LEAST(a.size - MAX(a.pos), b.size - MAX(b.pos)) >= (
    1 - :threshold - 1e-9
  ) * SQRT(a.size * b.size);

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
    1 - BIT_COUNT(a.bits & b.bits) / (
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

CREATE OR REPLACE TABLE dedup_components AS
WITH RECURSIVE component(node, label) USING KEY (node) AS (
  SELECT DISTINCT
    src,
    src
  FROM dedup_edges
  UNION
  SELECT
    e.dst,
    MIN(c.label)
  FROM component AS c
  JOIN dedup_edges AS e
    ON e.src = c.node
  JOIN recurring.component AS current
    ON current.node = e.dst
  GROUP BY
    e.dst,
    current.label
  HAVING
    MIN(c.label) < current.label
)
SELECT
  node,
  label
FROM component;

DELETE FROM duplicate_groups;

WITH grouped AS (
  SELECT
    p.product_id,
    p.shop,
    COALESCE(c.label, r.rep, p.product_id) AS group_id
  FROM products AS p
  LEFT JOIN dedup_rep AS r
    ON r.product_id = p.product_id
  LEFT JOIN dedup_components AS c
    ON c.node = r.rep
)
INSERT INTO duplicate_groups (
  product_id,
  shop,
  group_id,
  kept
)
SELECT
  product_id,
  shop,
  group_id,
  ROW_NUMBER() OVER (
    PARTITION BY group_id
    ORDER BY MD5('dedup:' || :seed || ':' || product_id) NULLS LAST, product_id NULLS LAST
  ) = 1 AS kept
FROM grouped;

DROP TABLE dedup_bag;

DROP TABLE dedup_rep;

DROP TABLE dedup_prefix;

DROP TABLE dedup_candidates;

DROP TABLE dedup_edges;

DROP TABLE dedup_components;

