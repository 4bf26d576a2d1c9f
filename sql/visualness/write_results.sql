-- Store one batch of classifier results: the accuracy rows, the classifiers and every
-- universe product's score. The stage registers three Arrow tables first.
-- Reads: visualness_batch(word, method, accuracy, n_train, n_test, n_units, auc,
--        accuracy_low, accuracy_high, auc_low, auc_high, n_test_pos, n_test_neg),
--        classifier_batch(word, method, unit_ids, coef, intercept, mean, scale, n_train),
--        score_batch(word, method, row_idx, score), visualness_universe (temp).
-- Writes: visualness, classifiers, predictions.
-- Parameters: $model_id, $scope, $seed, $params (JSON text), $run_id.

INSERT INTO visualness
    (model_id, scope, word, method, accuracy, n_train, n_test, seed, n_units, params, run_id,
     auc, accuracy_low, accuracy_high, auc_low, auc_high, n_test_pos, n_test_neg)
SELECT
    $model_id, $scope, word, method, accuracy, n_train, n_test, $seed, n_units, $params,
    $run_id, auc, accuracy_low, accuracy_high, auc_low, auc_high, n_test_pos, n_test_neg
FROM visualness_batch;

INSERT INTO classifiers
    (model_id, scope, word, method, unit_ids, coef, intercept, mean, scale, n_train, seed,
     params, run_id)
SELECT
    $model_id, $scope, word, method, unit_ids, coef, intercept, mean, scale, n_train, $seed,
    $params, $run_id
FROM classifier_batch;

INSERT INTO predictions (model_id, scope, word, method, product_id, score)
SELECT $model_id, $scope, s.word, s.method, u.product_id, s.score
FROM score_batch AS s
JOIN visualness_universe AS u ON u.row_idx = s.row_idx;
