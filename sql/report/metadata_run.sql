-- report/metadata_run: the parameters of the newest finished metadata check of the model
-- and scope: the attributes asked for (name -> products.metadata key, also those that
-- matched no word) and the field the category baseline matched on.
-- Reads: runs. Writes: nothing. Parameters: $model_id, $scope.
SELECT json_extract_string(params, '$.match_field') AS match_field,
    CAST(json_extract(params, '$.attributes') AS VARCHAR) AS attributes
FROM runs
WHERE stage = 'metadata_check' AND scope = $scope AND status = 'ok'
  AND json_extract_string(params, '$.model_id') = $model_id
ORDER BY run_id DESC
LIMIT 1;
