-- divergence/clear: remove a model's and scope's divergences before the unit blocks append
-- theirs (kl.sql).
-- Reads: nothing. Writes: unit_word_divergence (rows of model and scope deleted).
-- Parameters: $model_id, $scope.

DELETE FROM unit_word_divergence WHERE model_id = $model_id AND scope = $scope;
