-- report/agreement: paper Table 1, correlation of each method with human visualness.
-- Reads: agreement, human_visualness. Writes: nothing. Parameters: $model_id, $scope.
SELECT
    a.method,
    a.pearson,
    a.spearman,
    a.n_words,
    (SELECT count(*) FROM human_visualness) AS n_human_words
FROM agreement AS a
WHERE a.model_id = $model_id AND a.scope = $scope
ORDER BY CASE a.method WHEN 'random' THEN 1 WHEN 'initial' THEN 2 WHEN 'resample' THEN 3
    WHEN 'language_prior' THEN 5 ELSE 4 END, a.method;
