-- report/purifier_words: the words whose purifier examples the report shows (Figs. 2-3):
-- the most visual words of the best classifier method that has predictions (crossfit's
-- out-of-fold scores first: no product was scored by a classifier that learnt from it),
-- by that method's ranking score.
-- Reads: visualness, predictions. Writes: nothing. Parameters: $model_id, $scope, $n.
WITH methods AS (
    SELECT DISTINCT method
    FROM predictions
    WHERE model_id = $model_id AND scope = $scope
),
best_method AS (
    SELECT method
    FROM methods
    ORDER BY CASE method WHEN 'crossfit' THEN 0 WHEN 'resample' THEN 1 WHEN 'initial' THEN 2
        WHEN 'random' THEN 3 ELSE 4 END, method
    LIMIT 1
)
SELECT v.word, v.method, v.accuracy, v.accuracy_low, v.accuracy_high, v.n_test_pos,
    v.n_test_neg
FROM visualness AS v
JOIN best_method USING (method)
WHERE v.model_id = $model_id AND v.scope = $scope AND v.accuracy IS NOT NULL
  AND EXISTS (
      SELECT 1 FROM predictions AS p
      WHERE p.model_id = v.model_id AND p.scope = v.scope AND p.word = v.word
        AND p.method = v.method
  )
ORDER BY visualness_ranking_score(v.method, v.accuracy, v.auc_low) DESC, v.word
LIMIT $n;
