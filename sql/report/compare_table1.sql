-- report/compare_table1: paper Table 1 per feature set: the visualness settings behind each
-- row, mean visualness with its interval, human agreement, and the text-trained precision
-- at k against a metadata field beside the supervised ceiling of the same features (the
-- share only when both are crossfit results of the same settings; else the note says why).
-- Reads: compare_table1. Writes: nothing. Parameters: $scope.
SELECT
    model_id, pooling, kind, method, settings, n_settings, n_words, mean_accuracy,
    mean_accuracy_low, mean_accuracy_high, mean_auc, mean_auc_low, mean_auc_high,
    human_pearson, human_spearman, field, k, n_attribute_words, mean_precision,
    mean_precision_low, mean_precision_high, ceiling_precision, ceiling_low, ceiling_high,
    ceiling_settings, ceiling_comparable, ceiling_note, share_of_ceiling
FROM compare_table1
WHERE scope = $scope
ORDER BY CASE method WHEN 'random' THEN 0 WHEN 'initial' THEN 1 WHEN 'resample' THEN 2
                     ELSE 3 END, method, model_id;
