-- divergence/summary: what a divergence run wrote for a model and scope.
-- Reads: unit_bins, unit_word_divergence, prime_units. Writes: nothing.
-- Parameters: $model_id, $scope.
SELECT
    (SELECT count(*) FROM unit_bins WHERE model_id = $model_id AND scope = $scope),
    (SELECT count(*) FROM unit_bins WHERE model_id = $model_id AND scope = $scope AND constant),
    (SELECT count(*) FROM unit_word_divergence WHERE model_id = $model_id AND scope = $scope),
    (SELECT count(*) FROM prime_units WHERE model_id = $model_id AND scope = $scope);
