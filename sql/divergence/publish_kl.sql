-- divergence/publish_kl: the KL rows of all unit blocks (results.sql, kl.sql), pseudo-words
-- included (null.sql reads and then removes them), become the model's and scope's
-- unit_word_divergence rows.
-- Reads: divergence_kl. Writes: unit_word_divergence (rows of model and scope replaced).
-- Parameters: $model_id, $scope.

DELETE FROM unit_word_divergence WHERE model_id = $model_id AND scope = $scope;

INSERT INTO unit_word_divergence (model_id, scope, word, unit_id, kl, n_pos, n_neg)
SELECT $model_id, $scope, word, unit_id, kl, n_pos, n_neg
FROM divergence_kl;
