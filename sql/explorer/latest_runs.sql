-- explorer/latest_runs: the newest run of every (stage, scope) (latest_runs view).
-- Reads: latest_runs. Writes: nothing. Parameters: none.
SELECT stage, scope, run_id, status, started_at, finished_at, seconds, error
FROM latest_runs
ORDER BY run_id;
