-- report/saliency_examples: every stored map (each method, each K) of a few (word, image)
-- pairs, with the image file (Figs. 7-8).
-- Reads: saliency_maps, products. Writes: nothing. Parameters: $model_id, $scope, $n (pairs).
WITH pairs AS (
    SELECT word, product_id
    FROM saliency_maps
    WHERE model_id = $model_id AND scope = $scope
    GROUP BY word, product_id
    ORDER BY word, product_id
    LIMIT $n
)
SELECT s.word, s.product_id, s.method, s.k, s.height, s.width, s.map, p.image_path, p.title
FROM saliency_maps AS s
JOIN pairs USING (word, product_id)
LEFT JOIN products AS p USING (product_id)
WHERE s.model_id = $model_id AND s.scope = $scope
ORDER BY s.word, s.product_id,
    CASE s.method WHEN 'kl_occlusion' THEN 1 WHEN 'gradient' THEN 2 ELSE 3 END, s.method,
    s.k NULLS LAST;
