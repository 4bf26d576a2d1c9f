-- runs/close_stale: 'running' rows of processes that are gone become 'crashed'
-- (attrdb.runs.close_stale_runs; only a connection holding the write lock runs it).
-- Reads: runs. Writes: runs. Returns the closed run ids.
-- Parameters: $error (the message recorded), $mine (run ids this process is running).
UPDATE runs
SET status = 'crashed', error = $error, finished_at = coalesce(finished_at, current_timestamp)
WHERE status = 'running' AND NOT list_contains($mine, run_id)
RETURNING run_id;
