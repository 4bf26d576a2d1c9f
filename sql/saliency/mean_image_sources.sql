-- Images averaged into the mean image: the train split's images (all products with an image
-- when the catalogue has no split yet), a fixed pseudo-random sample of at most $limit.
-- Reads: products, splits. Writes: nothing. Parameters: $limit.
WITH candidates AS (
    SELECT p.product_id, p.image_path
    FROM products AS p
    LEFT JOIN splits AS s USING (product_id)
    WHERE p.image_path IS NOT NULL
      AND (s.split = 'train' OR NOT EXISTS (SELECT 1 FROM splits))
)
SELECT product_id, image_path
FROM candidates
ORDER BY hash(product_id), product_id
LIMIT $limit;
