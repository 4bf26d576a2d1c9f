-- Images of a word's positives (D+) in one split, to draw its maps on: at most $limit, in
-- product_id order.
-- Reads: word_products, splits, products. Writes: nothing.
-- Parameters: $scope, $word, $split, $limit.
SELECT p.product_id, p.image_path
FROM word_products AS wp
JOIN splits AS s ON s.product_id = wp.product_id
JOIN products AS p ON p.product_id = wp.product_id
WHERE wp.scope = $scope AND wp.word = $word AND s.split = $split AND p.image_path IS NOT NULL
ORDER BY p.product_id
LIMIT $limit;
