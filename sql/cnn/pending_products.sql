-- One page of the products still to extract for a model, in product_id order (keyset
-- paging: the caller passes the last product_id it saw, so the list is streamed, never
-- held whole). A product is done once it has an activation vector or an error row.
-- Reads: products, kept_products, activation_vectors, activation_errors. Writes: nothing.
-- Parameters: $model_id; $all_products (BOOLEAN: every product with an image, else only
--   kept products after dedup); $after (VARCHAR or NULL for the first page); $page (INTEGER).
SELECT p.product_id, p.image_path
FROM products AS p
WHERE p.image_path IS NOT NULL
  AND ($after IS NULL OR p.product_id > $after)
  AND ($all_products OR p.product_id IN (SELECT k.product_id FROM kept_products AS k))
  AND NOT EXISTS (
      SELECT 1 FROM activation_vectors AS v
      WHERE v.model_id = $model_id AND v.product_id = p.product_id
        AND ($after IS NULL OR v.product_id > $after))
  AND NOT EXISTS (
      SELECT 1 FROM activation_errors AS e
      WHERE e.model_id = $model_id AND e.product_id = p.product_id
        AND ($after IS NULL OR e.product_id > $after))
ORDER BY p.product_id
LIMIT $page;
