-- runs/last_ok: the newest 'ok' run of a stage in a scope (attrdb.runs.last_successful_run).
-- Reads: runs. Writes: nothing. Parameters: $stage, $scope.
SELECT run_id, params, inputs_fingerprint, summary, finished_at
FROM runs
WHERE stage = $stage AND scope = $scope AND status = 'ok'
ORDER BY run_id DESC
LIMIT 1;
