-- explorer/product: one accepted listing with its split.
-- Reads: products, splits, duplicate_groups. Writes: nothing. Parameters: $product_id.
SELECT p.product_id, p.shop, p.title, p.description, p.category, p.tags, s.split,
    g.kept
FROM products AS p
LEFT JOIN splits AS s ON s.product_id = p.product_id
LEFT JOIN duplicate_groups AS g ON g.product_id = p.product_id
WHERE p.product_id = $product_id;
