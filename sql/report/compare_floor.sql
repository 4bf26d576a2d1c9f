-- report/compare_floor: each feature set against the randomly initialised network of the
-- same pooling, paired on the words both scored with the same visualness settings.
-- Reads: compare_floor. Writes: nothing. Parameters: $scope.
SELECT
    model_id, floor_model_id, method, settings, n_words, n_unlike_words, mean_d_accuracy,
    mean_d_accuracy_low, mean_d_accuracy_high, mean_d_auc, mean_d_auc_low, mean_d_auc_high,
    share_words_above
FROM compare_floor
WHERE scope = $scope
ORDER BY method, model_id;
