-- The products a Spark extraction still has to do for a model, as one table the
-- executors split into partitions: cnn/pending_products without paging, also skipping the
-- products of partitions an earlier run finished into the same output folder.
-- Reads: products, kept_products, activation_vectors, activation_errors, extract_done
--   (model_id, product_id of the output folder's finished partitions).
-- Writes: extract_pending (product_id, image_path).
-- Parameters: $model_id; $all_products (BOOLEAN: every product with an image, else only
--   kept products after dedup).
CREATE OR REPLACE TABLE extract_pending AS
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
  AND NOT EXISTS (
      SELECT 1 FROM extract_done AS d
      WHERE d.model_id = $model_id AND d.product_id = p.product_id);
