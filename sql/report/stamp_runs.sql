-- report/stamp_runs: record the pipeline's inputs fingerprint on the runs rows one stage
-- call wrote (whatever their status), so the next `attrdb run` can skip or resume it.
-- Reads: runs. Writes: runs.inputs_fingerprint.
-- Parameters: $stage (runs.stage), $after (run ids above it), $fingerprint.
UPDATE runs
SET inputs_fingerprint = $fingerprint
WHERE stage = $stage AND run_id > $after
RETURNING run_id;
