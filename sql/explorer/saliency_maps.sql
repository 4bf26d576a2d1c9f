-- explorer/saliency_maps: the saliency maps of one image (all words, or one word), without
-- the map values.
-- Reads: saliency_maps. Writes: nothing.
-- Parameters: $model_id, $scope, $product_id, $word (NULL: every word).
SELECT word, method, k, height, width
FROM saliency_maps
WHERE model_id = $model_id AND scope = $scope AND product_id = $product_id
  AND ($word IS NULL OR word = $word)
ORDER BY word, CASE method WHEN 'kl_occlusion' THEN 1 WHEN 'gradient' THEN 2 ELSE 3 END,
    method, k;
