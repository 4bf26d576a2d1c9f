-- report/max_run_id: the newest run id so far (0 when none), so `attrdb run` can find the
-- runs rows a stage call writes. Reads: runs. Writes: nothing. Parameters: none.
SELECT coalesce(max(run_id), 0) FROM runs;
