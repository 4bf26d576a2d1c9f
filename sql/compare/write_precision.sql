-- compare/write_precision: store one model's precision rows for a scope, field and labels.
-- Reads: compare_precision_rows (registered Arrow, the columns of metadata_precision but
--   model_id/scope/labels/field/k/run_id). Writes: metadata_precision (rows of the model,
--   scope, labels and field replaced).
-- Parameters: $model_id, $scope, $labels, $field, $k, $run_id.
DELETE FROM metadata_precision
WHERE model_id = $model_id AND scope = $scope AND labels = $labels AND field = $field
  AND k = $k;

INSERT INTO metadata_precision
    (model_id, scope, method, labels, field, word, value, k, n_ranked, n_agree, precision,
     precision_low, precision_high, base_rate, run_id)
SELECT
    $model_id, $scope, method, $labels, $field, word, value, $k, n_ranked, n_agree,
    precision, precision_low, precision_high, base_rate, $run_id
FROM compare_precision_rows;
