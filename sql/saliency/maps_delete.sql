-- Remove maps about to be rewritten: one image, word, method and K (K may be NULL).
-- Reads: saliency_maps. Writes: saliency_maps.
-- Parameters: $model_id, $scope, $product_id, $word, $method, $k.
DELETE FROM saliency_maps
WHERE model_id = $model_id AND scope = $scope AND product_id = $product_id
  AND word = $word AND method = $method AND k IS NOT DISTINCT FROM $k;
