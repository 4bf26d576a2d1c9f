-- Records parsed vs. line numbers found for them (they must be equal).
-- Reads: ingest_read_rows, ingest_lines. Writes: nothing. Parameters: none.
SELECT (SELECT count(*) FROM ingest_read_rows) AS n_records,
       (SELECT count(*) FROM ingest_lines) AS n_lines;
