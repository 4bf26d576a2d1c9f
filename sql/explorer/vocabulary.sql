-- explorer/vocabulary: the vocabulary page, every word of a (model, scope) with one
-- method's scores (every visualness column, so intervals and test support show), the
-- spread of its rank over split seeds (visualness_stability, when measured) and its depth;
-- filtered by kind and peak layer when given (NULL: all). The page sorts these rows.
-- Reads: explorer_words, visualness, visualness_stability. Writes: nothing.
-- Parameters: $model_id, $scope, $method, $kind, $layer.
SELECT
    w.* EXCLUDE (model_id, scope),
    v.* EXCLUDE (model_id, scope, word),
    s.n_seeds,
    s.rank_mean,
    s.rank_sd,
    s.rank_min,
    s.rank_max
FROM explorer_words AS w
LEFT JOIN visualness AS v
    ON v.model_id = w.model_id AND v.scope = w.scope AND v.word = w.word
    AND v.method = $method
LEFT JOIN visualness_stability AS s
    ON s.model_id = w.model_id AND s.scope = w.scope AND s.word = w.word
    AND s.method = $method
WHERE w.model_id = $model_id AND w.scope = $scope
  AND ($kind IS NULL OR w.kind = $kind)
  AND ($layer IS NULL OR w.peak_layer = $layer)
ORDER BY w.vocabulary_rank, w.word;
