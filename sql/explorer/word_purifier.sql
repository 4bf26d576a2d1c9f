-- explorer/word_purifier: the purifier's images of a word and method: surest and most
-- doubtful members of D+ and D- (purifier_examples).
-- Reads: purifier_examples. Writes: nothing.
-- Parameters: $model_id, $scope, $word, $method, $n (images per kind).
SELECT kind, kind_rank, subset, product_id, split, score, title
FROM purifier_examples
WHERE model_id = $model_id AND scope = $scope AND word = $word AND method = $method
  AND kind_rank <= $n
ORDER BY CASE kind WHEN 'confident positive' THEN 1 WHEN 'likely false positive' THEN 2
    WHEN 'confident negative' THEN 3 ELSE 4 END, kind_rank;
