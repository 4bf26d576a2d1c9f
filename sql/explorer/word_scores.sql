-- explorer/word_scores: a word's visualness under every method (every visualness column:
-- intervals and test support included) with its rank spread over split seeds when measured.
-- Reads: explorer_vocabulary, visualness_stability. Writes: nothing.
-- Parameters: $model_id, $scope, $word.
SELECT
    v.* EXCLUDE (model_id, scope, word, kind, vocabulary_rank, n_products, n_kind, max_kl,
                 n_prime_units, peak_layer, peak_layer_index, peak_relative, mean_depth, h,
                 max_kl_z),
    s.n_seeds,
    s.rank_mean,
    s.rank_sd
FROM explorer_vocabulary AS v
LEFT JOIN visualness_stability AS s
    ON s.model_id = v.model_id AND s.scope = v.scope AND s.word = v.word
    AND s.method = v.method
WHERE v.model_id = $model_id AND v.scope = $scope AND v.word = $word
  AND v.method IS NOT NULL
ORDER BY CASE v.method WHEN 'resample' THEN 1 WHEN 'initial' THEN 2 WHEN 'random' THEN 3
    ELSE 4 END, v.method;
