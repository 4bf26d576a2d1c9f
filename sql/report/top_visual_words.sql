-- report/top_visual_words: the most visual words of one method (also used by `attrdb run`
-- to pick the words whose saliency maps the demo draws).
-- Reads: visualness. Writes: nothing. Parameters: $model_id, $scope, $method, $n.
SELECT word, accuracy
FROM visualness
WHERE model_id = $model_id AND scope = $scope AND method = $method AND accuracy IS NOT NULL
ORDER BY accuracy DESC, word
LIMIT $n;
