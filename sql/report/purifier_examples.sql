-- report/purifier_examples: per kind (confident / doubtful, D+ / D-) the first images of one
-- word and method, with their image files (purifier_examples view).
-- Reads: purifier_examples. Writes: nothing.
-- Parameters: $model_id, $scope, $word, $method, $n (images per kind).
SELECT kind, kind_rank, subset, product_id, split, score, title, image_path
FROM purifier_examples
WHERE model_id = $model_id AND scope = $scope AND word = $word AND method = $method
  AND kind_rank <= $n
ORDER BY CASE kind WHEN 'confident positive' THEN 1 WHEN 'likely false positive' THEN 2
    WHEN 'confident negative' THEN 3 ELSE 4 END, kind_rank;
