-- runs/start: record a stage run as 'running' (attrdb.runs.stage_run).
-- Reads: nothing. Writes: runs (one row). Returns its run_id.
-- Parameters: $stage, $scope, $params (JSON text), $inputs_fingerprint, $attrdb_version.
INSERT INTO runs (stage, scope, params, inputs_fingerprint, attrdb_version, status)
VALUES ($stage, $scope, $params, $inputs_fingerprint, $attrdb_version, 'running')
RETURNING run_id;
