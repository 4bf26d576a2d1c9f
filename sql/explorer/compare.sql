-- explorer/compare: one method's visualness of two (model, scope) pairs side by side, per
-- word present in either, with each side's rank, support and strongest prime-unit KL.
-- Reads: explorer_vocabulary. Writes: nothing.
-- Parameters: $model_a, $scope_a, $model_b, $scope_b, $method.
WITH a AS (
    SELECT word, accuracy, n_test, n_products, max_kl, peak_layer,
        CASE WHEN accuracy IS NOT NULL
            THEN rank() OVER (ORDER BY accuracy DESC NULLS LAST) END AS visual_rank
    FROM explorer_vocabulary
    WHERE model_id = $model_a AND scope = $scope_a AND method = $method
),
b AS (
    SELECT word, accuracy, n_test, n_products, max_kl, peak_layer,
        CASE WHEN accuracy IS NOT NULL
            THEN rank() OVER (ORDER BY accuracy DESC NULLS LAST) END AS visual_rank
    FROM explorer_vocabulary
    WHERE model_id = $model_b AND scope = $scope_b AND method = $method
)
SELECT
    coalesce(a.word, b.word) AS word,
    a.accuracy AS accuracy_a,
    b.accuracy AS accuracy_b,
    b.accuracy - a.accuracy AS difference,
    a.visual_rank AS rank_a,
    b.visual_rank AS rank_b,
    a.n_test AS n_test_a,
    b.n_test AS n_test_b,
    a.n_products AS n_products_a,
    b.n_products AS n_products_b,
    a.max_kl AS max_kl_a,
    b.max_kl AS max_kl_b,
    a.peak_layer AS peak_layer_a,
    b.peak_layer AS peak_layer_b
FROM a
FULL JOIN b ON b.word = a.word
ORDER BY least(coalesce(a.visual_rank, 1e9), coalesce(b.visual_rank, 1e9)), word;
