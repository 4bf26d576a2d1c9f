-- Replace an attribute-tuned model's per-word test average precision in a scope.
-- Reads: finetune_word_ap_rows (model_id, scope, word, ap, ap_low, ap_high, chance, n_pos,
--   n_test, n_train_pos, run_id), an Arrow table registered by attrdb.finetune.
-- Writes: finetune_word_ap. Parameters: $model_id, $scope.
DELETE FROM finetune_word_ap WHERE model_id = $model_id AND scope = $scope;

INSERT INTO finetune_word_ap
    (model_id, scope, word, ap, ap_low, ap_high, chance, n_pos, n_test, n_train_pos, run_id)
SELECT model_id, scope, word, ap, ap_low, ap_high, chance, n_pos, n_test, n_train_pos, run_id
FROM finetune_word_ap_rows;
