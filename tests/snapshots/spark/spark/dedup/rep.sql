/* Spark form of step (1) of sql/dedup/groups.sql (the statement creating dedup_rep): each */
/* product's word set, and the smallest product_id among equal sets of a shop. DuckDB holds */
/* the set as a bitstring (bitstring_agg); Spark has none, so the set is the sorted array of */
/* its word ids: equal sets give equal arrays, and edges.sql intersects them. */
/* Reads: dedup_bag. Writes: dedup_rep(product_id, shop_key, size, bits, rep). */
/* Parameters: none. */
CREATE OR REPLACE TABLE dedup_rep AS
WITH sets AS (
  SELECT
    product_id,
    shop_key,
    COUNT(*) AS size,
    ARRAY_SORT(COLLECT_LIST(wid)) AS bits
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

