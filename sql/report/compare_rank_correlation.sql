-- report/compare_rank_correlation: Spearman correlation of two feature sets' word rankings
-- with its interval, their shared top 30 and the words left out for unlike settings, for
-- one method.
-- Reads: compare_rank_correlation. Writes: nothing. Parameters: $scope, $method.
SELECT model_a, model_b, n_words, spearman, spearman_low, spearman_high, top30_shared,
    n_unlike_words
FROM compare_rank_correlation
WHERE scope = $scope AND method = $method
ORDER BY model_a, model_b;
