-- explorer/saliency_map: one saliency map's values.
-- Reads: saliency_maps. Writes: nothing.
-- Parameters: $model_id, $scope, $product_id, $word, $method, $k (NULL for methods without K).
SELECT height, width, "map"
FROM saliency_maps
WHERE model_id = $model_id AND scope = $scope AND product_id = $product_id AND word = $word
  AND method = $method AND k IS NOT DISTINCT FROM $k
LIMIT 1;
