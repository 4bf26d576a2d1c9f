-- context/metadata_means: mean precision and category-explained rate per method and k of
-- one attribute's metadata check.
-- Reads: metadata_agreement_summary. Writes: nothing.
-- Parameters: $model_id, $scope, $attribute.
SELECT method, k, mean_precision, mean_category_rate
FROM metadata_agreement_summary
WHERE model_id = $model_id AND scope = $scope AND attribute = $attribute
ORDER BY method, k;
