-- Run states that tell the truth: a run whose process died (kill -9, power loss) is closed
-- as 'crashed' by the next writer that opens the database (attrdb.runs.close_stale_runs).
-- Reads: runs. Writes: runs (recreated with the wider status check; rows, ids and the
-- run_id sequence kept). Parameters: none.
-- DuckDB cannot drop a CHECK constraint in place, so the table is rebuilt in this
-- migration's transaction; views over runs (latest_runs, ...) bind by name and keep working.

ALTER TABLE runs RENAME TO runs_before_0013;

CREATE TABLE runs (
    run_id BIGINT PRIMARY KEY DEFAULT nextval('run_id_seq'),
    stage VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'default',
    params JSON,
    inputs_fingerprint VARCHAR,
    summary JSON,
    attrdb_version VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    finished_at TIMESTAMP,
    status VARCHAR NOT NULL
        CHECK (status IN ('running', 'ok', 'failed', 'interrupted', 'crashed')),
    error VARCHAR
);

INSERT INTO runs
SELECT run_id, stage, scope, params, inputs_fingerprint, summary, attrdb_version, started_at,
       finished_at, status, error
FROM runs_before_0013;

DROP TABLE runs_before_0013;
