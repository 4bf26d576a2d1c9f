-- explorer/product_words: the words a classifier method scores highest on one image, and
-- whether the listing's text has each.
-- Reads: explorer_image_words. Writes: nothing.
-- Parameters: $model_id, $scope, $method, $product_id, $n.
SELECT word, score, in_text
FROM explorer_image_words
WHERE model_id = $model_id AND scope = $scope AND method = $method AND product_id = $product_id
ORDER BY score DESC, word
LIMIT $n;
