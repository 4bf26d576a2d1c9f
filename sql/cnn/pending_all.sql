-- Every product extraction still has to do for a model, in product_id order: the input
-- of a Spark extraction started from the database (`attrdb spark extract` without
-- --input). Same rules as cnn/pending_products, unpaged.
-- Reads: products, kept_products, activation_vectors, activation_errors. Writes: nothing.
-- Parameters: $model_id; $all_products (BOOLEAN: every product with an image, else only
--   kept products after dedup).
SELECT p.product_id, p.image_path
FROM products AS p
WHERE p.image_path IS NOT NULL
  AND ($all_products OR p.product_id IN (SELECT k.product_id FROM kept_products AS k))
  AND NOT EXISTS (
      SELECT 1 FROM activation_vectors AS v
      WHERE v.model_id = $model_id AND v.product_id = p.product_id)
  AND NOT EXISTS (
      SELECT 1 FROM activation_errors AS e
      WHERE e.model_id = $model_id AND e.product_id = p.product_id)
ORDER BY p.product_id;
