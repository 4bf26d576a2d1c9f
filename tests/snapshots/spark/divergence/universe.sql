CREATE OR REPLACE TABLE divergence_universe AS
SELECT
  CAST(ROW_NUMBER() OVER (ORDER BY sp.product_id NULLS LAST) - 1 AS INT) AS pidx,
  sp.product_id,
  v.model_id
FROM (
  SELECT DISTINCT
    product_id
  FROM scope_products
  WHERE
    scope = :scope
) AS sp
JOIN splits AS s
  ON s.product_id = sp.product_id
  AND ARRAY_CONTAINS(SPLIT(:split, CONCAT('\\Q', '+', '\\E')), s.split)
JOIN activation_vectors AS v
  ON v.product_id = sp.product_id AND v.model_id = :model_id;

SELECT
  COUNT(*)
FROM divergence_universe;

