-- explorer/runs: the overview's stage runs, newest first, with durations (a running stage's
-- duration so far is NULL).
-- Reads: runs. Writes: nothing. Parameters: $limit.
SELECT
    run_id,
    stage,
    scope,
    status,
    started_at,
    finished_at,
    epoch(finished_at) - epoch(started_at) AS seconds,
    error
FROM runs
ORDER BY run_id DESC
LIMIT $limit;
