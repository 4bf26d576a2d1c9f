-- report/saliency_examples: the stored maps of a few (word, image) pairs, every method,
-- the largest K of kl_occlusion only (Figs. 7-8).
-- Reads: saliency_maps, products. Writes: nothing. Parameters: $model_id, $scope, $n (pairs).
WITH pairs AS (
    SELECT word, product_id
    FROM saliency_maps
    WHERE model_id = $model_id AND scope = $scope
    GROUP BY word, product_id
    ORDER BY word, product_id
    LIMIT $n
),
maps AS (
    SELECT s.*
    FROM saliency_maps AS s
    JOIN pairs USING (word, product_id)
    WHERE s.model_id = $model_id AND s.scope = $scope
    QUALIFY row_number() OVER (
        PARTITION BY s.word, s.product_id, s.method ORDER BY s.k DESC NULLS LAST
    ) = 1
)
SELECT m.word, m.product_id, m.method, m.k, m.height, m.width, m.map, p.image_path, p.title
FROM maps AS m
LEFT JOIN products AS p USING (product_id)
ORDER BY m.word, m.product_id,
    CASE m.method WHEN 'kl_occlusion' THEN 1 WHEN 'gradient' THEN 2 ELSE 3 END, m.method;
