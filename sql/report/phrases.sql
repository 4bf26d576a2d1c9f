-- report/phrases: the scope's phrase candidates added to the vocabulary, with frequency,
-- association and, when scored, visualness with its interval and support (the best-ranked
-- method: crossfit, else resample).
-- Reads: phrase_candidates, visualness. Writes: nothing. Parameters: $model_id, $scope, $n.
WITH scored AS (
    SELECT word, method, accuracy, accuracy_low, accuracy_high, n_test_pos,
           row_number() OVER (PARTITION BY word ORDER BY method <> 'crossfit',
                              method <> 'resample', method) AS pick
    FROM visualness
    WHERE model_id = $model_id AND scope = $scope AND accuracy IS NOT NULL
      AND method <> 'language_prior'
)
SELECT
    c.phrase,
    c.n_products,
    c.n_kind,
    c.pmi,
    c.llr,
    s.method,
    s.accuracy,
    s.accuracy_low,
    s.accuracy_high,
    s.n_test_pos
FROM phrase_candidates AS c
LEFT JOIN scored AS s ON s.word = c.phrase AND s.pick = 1
WHERE c.scope = $scope AND c.selected
ORDER BY c.rank
LIMIT $n;
