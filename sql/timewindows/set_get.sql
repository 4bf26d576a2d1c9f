-- timewindows/set_get: a window set's stored definition and edges fingerprint, and the
-- current fingerprints of the scope's bin edges and null (what the stored counts and
-- results depend on).
-- Reads: time_window_sets, unit_bins, unit_divergence_null, divergence_null_sizes.
-- Writes: nothing.
-- Parameters: $model_id, $scope, $window_set.
SELECT
    (SELECT definition FROM time_window_sets
     WHERE model_id = $model_id AND scope = $scope AND window_set = $window_set),
    (SELECT edges_fingerprint FROM time_window_sets
     WHERE model_id = $model_id AND scope = $scope AND window_set = $window_set),
    (SELECT coalesce(bit_xor(hash(unit_id, edges, constant)), 0) FROM unit_bins
     WHERE model_id = $model_id AND scope = $scope),
    (SELECT count(*) FROM unit_bins WHERE model_id = $model_id AND scope = $scope),
    xor(
        (SELECT coalesce(bit_xor(hash(unit_id, null_mean, null_sd)), 0) FROM unit_divergence_null
         WHERE model_id = $model_id AND scope = $scope),
        (SELECT coalesce(bit_xor(hash(size_class, mean_factor, sd_factor)), 0)
         FROM divergence_null_sizes WHERE model_id = $model_id AND scope = $scope));
