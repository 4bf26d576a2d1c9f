-- Image paths of the given products (those without an image are left out).
-- Reads: products. Writes: nothing. Parameters: $product_ids (VARCHAR[]).
SELECT product_id, image_path
FROM products
WHERE list_contains($product_ids, product_id) AND image_path IS NOT NULL
ORDER BY product_id;
