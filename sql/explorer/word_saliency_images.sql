-- explorer/word_saliency_images: the images holding saliency maps of a word, with the maps
-- each has.
-- Reads: saliency_maps, products. Writes: nothing. Parameters: $model_id, $scope, $word.
SELECT s.product_id, any_value(p.title) AS title, count(*) AS n_maps
FROM saliency_maps AS s
LEFT JOIN products AS p ON p.product_id = s.product_id
WHERE s.model_id = $model_id AND s.scope = $scope AND s.word = $word
GROUP BY s.product_id
ORDER BY s.product_id;
