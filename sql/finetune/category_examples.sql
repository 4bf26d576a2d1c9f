-- Images of one split of a scope with their category: products.category, or a key of
-- products.metadata (the key is bound, never pasted; '$.a.b' paths work too). Products
-- without a label are left out.
-- Reads: scope_products, splits, products. Writes: nothing.
-- Parameters: $scope, $split, $label_key ('category' or a metadata key).
SELECT product_id, image_path, label
FROM (
    SELECT
        p.product_id,
        p.image_path,
        trim(CASE WHEN $label_key = 'category' THEN p.category
                  ELSE p.metadata ->> $label_key END) AS label
    FROM scope_products AS sp
    JOIN splits AS s ON s.product_id = sp.product_id AND s.split = $split
    JOIN products AS p ON p.product_id = sp.product_id
    WHERE sp.scope = $scope AND p.image_path IS NOT NULL
)
WHERE label IS NOT NULL AND label <> ''
ORDER BY product_id;
