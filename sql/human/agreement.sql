-- Table 1: for every method with scores in visualness (random, initial, resample,
-- language_prior), Pearson and Spearman correlation between its per-word scores and H(u)
-- over the words both have. Spearman = Pearson of average ranks (ties share the mean of
-- their ranks), as scipy.stats.spearmanr. A correlation is NULL where it is undefined
-- (fewer than two words, or a constant column).
-- Reads: visualness, human_visualness. Writes: agreement (replacing the model's and
-- scope's rows); returns the new rows.
-- Parameters: $model_id, $scope.

DELETE FROM agreement WHERE model_id = $model_id AND scope = $scope;

INSERT INTO agreement (model_id, scope, method, pearson, spearman, n_words)
WITH pairs AS (
    SELECT v.method, v.word, v.accuracy AS x, h.h AS y
    FROM visualness AS v
    JOIN human_visualness AS h ON h.word = v.word
    WHERE v.model_id = $model_id
      AND v.scope = $scope
      AND v.accuracy IS NOT NULL
      AND isfinite(v.accuracy)
),
ranked AS (
    SELECT
        method,
        x,
        y,
        rank() OVER (PARTITION BY method ORDER BY x)
            + (count(*) OVER (PARTITION BY method, x) - 1) / 2.0 AS rank_x,
        rank() OVER (PARTITION BY method ORDER BY y)
            + (count(*) OVER (PARTITION BY method, y) - 1) / 2.0 AS rank_y
    FROM pairs
),
correlations AS (
    SELECT method, corr(x, y) AS pearson, corr(rank_x, rank_y) AS spearman, count(*) AS n_words
    FROM ranked
    GROUP BY method
)
SELECT
    $model_id,
    $scope,
    method,
    CASE WHEN isfinite(pearson) THEN pearson END,
    CASE WHEN isfinite(spearman) THEN spearman END,
    n_words
FROM correlations;

SELECT method, pearson, spearman, n_words
FROM agreement
WHERE model_id = $model_id AND scope = $scope
ORDER BY method;
