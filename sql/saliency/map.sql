-- One stored attribute map (K may be NULL for methods without units).
-- Reads: saliency_maps. Writes: nothing.
-- Parameters: $model_id, $scope, $product_id, $word, $method, $k.
SELECT height, width, "map"
FROM saliency_maps
WHERE model_id = $model_id AND scope = $scope AND product_id = $product_id
  AND word = $word AND method = $method AND k IS NOT DISTINCT FROM $k
ORDER BY run_id DESC NULLS LAST
LIMIT 1;
