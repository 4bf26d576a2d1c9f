-- depth/divergence_exists: whether a divergence run left rows for the model and scope.
-- Reads: unit_word_divergence. Writes: nothing. Parameters: $model_id, $scope.
SELECT EXISTS (
    SELECT 1 FROM unit_word_divergence WHERE model_id = $model_id AND scope = $scope
);
