-- report/metadata_words: per word, the precision of one method's surest test predictions
-- at the largest k checked (the best classifier method present), with base rate and text.
-- Reads: metadata_agreement. Writes: nothing. Parameters: $model_id, $scope.
WITH best AS (
    SELECT method, max(k) AS k
    FROM metadata_agreement
    WHERE model_id = $model_id AND scope = $scope
    GROUP BY method
    ORDER BY CASE method WHEN 'resample' THEN 1 WHEN 'initial' THEN 2 WHEN 'random' THEN 3
        ELSE 4 END, method
    LIMIT 1
)
SELECT a.attribute, a.word, a.method, a.k, a.n_ranked, a.precision, a.base_rate,
    a.text_precision, a.n_text
FROM metadata_agreement AS a
JOIN best USING (method, k)
WHERE a.model_id = $model_id AND a.scope = $scope
ORDER BY a.attribute, a.precision DESC NULLS LAST, a.word;
