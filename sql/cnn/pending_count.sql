-- How many products extraction still has to do for a model, and how many are done.
-- Reads: products, kept_products, activation_vectors, activation_errors. Writes: nothing.
-- Parameters: $model_id; $all_products (BOOLEAN: every product with an image, else only
--   kept products after dedup).
WITH candidates AS (
    SELECT p.product_id
    FROM products AS p
    WHERE p.image_path IS NOT NULL
      AND ($all_products OR p.product_id IN (SELECT k.product_id FROM kept_products AS k))
),
done AS (
    SELECT product_id FROM activation_vectors WHERE model_id = $model_id
    UNION
    SELECT product_id FROM activation_errors WHERE model_id = $model_id
)
SELECT
    count(*) FILTER (WHERE d.product_id IS NULL) AS n_pending,
    count(*) FILTER (WHERE d.product_id IS NOT NULL) AS n_done
FROM candidates AS c
LEFT JOIN done AS d ON d.product_id = c.product_id;
