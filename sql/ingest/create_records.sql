-- An empty table for the records Python splits a CSV / JSON Lines file into.
-- Reads: nothing. Writes: temp table ingest_records (source_row; text: the record as a
-- JSON object text (CSV) or the line (JSONL), NULL when unreadable; raw: what was read of
-- an unreadable record; read_error, read_detail: why it is unreadable). Parameters: none.
CREATE OR REPLACE TEMP TABLE ingest_records (
    source_row BIGINT,
    text VARCHAR,
    raw VARCHAR,
    read_error VARCHAR,
    read_detail VARCHAR
);
