-- runs/finish: close a run with its status, error and summary (attrdb.runs.stage_run).
-- Reads: nothing. Writes: runs (the run's row).
-- Parameters: $run_id, $status ('ok', 'failed', 'interrupted'), $error, $summary (JSON text).
UPDATE runs
SET status = $status, error = $error, summary = $summary, finished_at = current_timestamp
WHERE run_id = $run_id;
