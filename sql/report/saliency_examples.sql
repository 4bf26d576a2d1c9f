-- report/saliency_examples: every stored map (each method, each K) of up to $n (word, image)
-- pairs, with the image file (Figs. 7-8). Pairs are taken in turn across words (each
-- word's first image, then each word's second, ...) so that every mapped word appears
-- before any word shows a second image; $words / $products (empty or NULL: all) restrict
-- the choice to the words and images a user asked for.
-- Reads: saliency_maps, products. Writes: nothing.
-- Parameters: $model_id, $scope, $n (pairs), $words (VARCHAR[]), $products (VARCHAR[]).
WITH pairs AS (
    SELECT word, product_id,
        row_number() OVER (PARTITION BY word ORDER BY product_id) AS turn
    FROM saliency_maps
    WHERE model_id = $model_id AND scope = $scope
      AND (len(coalesce($words, []::VARCHAR[])) = 0 OR list_contains($words::VARCHAR[], word))
      AND (len(coalesce($products, []::VARCHAR[])) = 0
           OR list_contains($products::VARCHAR[], product_id))
    GROUP BY word, product_id
),
chosen AS (
    SELECT word, product_id, turn FROM pairs ORDER BY turn, word, product_id LIMIT $n
)
SELECT s.word, s.product_id, s.method, s.k, s.height, s.width, s.map, p.image_path, p.title
FROM saliency_maps AS s
JOIN chosen AS c USING (word, product_id)
LEFT JOIN products AS p USING (product_id)
WHERE s.model_id = $model_id AND s.scope = $scope
ORDER BY s.word, c.turn, s.product_id,
    CASE s.method WHEN 'kl_occlusion' THEN 1 WHEN 'gradient' THEN 2 ELSE 3 END, s.method,
    s.k NULLS LAST;
