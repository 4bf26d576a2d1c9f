-- report/metadata_agreement: how often the surest test predictions of each method agree
-- with catalogue metadata the method never reads, against the base rate and the text.
-- Reads: metadata_agreement_summary. Writes: nothing. Parameters: $model_id, $scope.
SELECT attribute, method, k, n_words, mean_precision, mean_base_rate, mean_text_precision,
    pooled_precision
FROM metadata_agreement_summary
WHERE model_id = $model_id AND scope = $scope
ORDER BY attribute,
    CASE method WHEN 'random' THEN 1 WHEN 'initial' THEN 2 WHEN 'resample' THEN 3 ELSE 4 END,
    method, k;
