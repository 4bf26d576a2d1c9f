-- context/scope_runs: the newest successful run of each named stage in a scope, with the
-- scope definition it recorded (runs.params.scope_definition; NULL for runs that recorded
-- none).
-- Reads: runs. Writes: nothing. Parameters: $scope, $stages (VARCHAR[]).
SELECT
    stage,
    max(run_id) AS run_id,
    arg_max(CAST(json_extract(params, '$.scope_definition') AS VARCHAR), run_id) AS definition
FROM runs
WHERE scope = $scope AND status = 'ok' AND list_contains($stages, stage)
GROUP BY stage
ORDER BY stage;
