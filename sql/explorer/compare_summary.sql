-- explorer/compare_summary: how far two (model, scope) pairs agree on one method's scores:
-- words scored on both sides, Pearson and Spearman correlation of their accuracies (ranks
-- by average rank, ties sharing their mean).
-- Reads: explorer_vocabulary. Writes: nothing.
-- Parameters: $model_a, $scope_a, $model_b, $scope_b, $method.
WITH both_sides AS (
    SELECT a.word, a.accuracy AS x, b.accuracy AS y
    FROM explorer_vocabulary AS a
    JOIN explorer_vocabulary AS b ON b.word = a.word
    WHERE a.model_id = $model_a AND a.scope = $scope_a AND a.method = $method
      AND b.model_id = $model_b AND b.scope = $scope_b AND b.method = $method
      AND a.accuracy IS NOT NULL AND b.accuracy IS NOT NULL
),
ranked AS (
    SELECT
        x,
        y,
        rank() OVER (ORDER BY x) + (count(*) OVER (PARTITION BY x) - 1) / 2.0 AS rx,
        rank() OVER (ORDER BY y) + (count(*) OVER (PARTITION BY y) - 1) / 2.0 AS ry
    FROM both_sides
)
SELECT count(*) AS n_words, corr(x, y) AS pearson, corr(rx, ry) AS spearman
FROM ranked;
