-- Candidate evaluation images: each word's positives in one split that have an image, with
-- how many of the given words each image shows (images showing many serve several words
-- with one sweep).
-- Reads: word_products, splits, products. Writes: nothing.
-- Parameters: $scope, $words (VARCHAR[]), $split.
WITH pos AS (
    SELECT wp.word, wp.product_id, p.image_path
    FROM word_products AS wp
    JOIN splits AS s ON s.product_id = wp.product_id
    JOIN products AS p ON p.product_id = wp.product_id
    WHERE wp.scope = $scope AND list_contains($words, wp.word) AND s.split = $split
      AND p.image_path IS NOT NULL
)
SELECT word, product_id, image_path, count(*) OVER (PARTITION BY product_id) AS n_words
FROM pos
ORDER BY word, product_id;
