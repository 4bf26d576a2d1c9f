-- report/stage_latest_run: the newest run of a stage in a scope (used by `attrdb run`).
-- Reads: runs. Writes: nothing. Parameters: $stage, $scope, $ok_only (only status 'ok').
SELECT run_id, status, inputs_fingerprint
FROM runs
WHERE stage = $stage AND scope = $scope AND (NOT $ok_only OR status = 'ok')
ORDER BY run_id DESC
LIMIT 1;
