-- File line numbers of the records the reader accepted, when no line was skipped.
-- DuckDB numbers rejected lines by record (a quoted multi-line record counts once; the
-- header is line 1); when the reader skipped nothing, the accepted records, in order, take
-- the remaining numbers.
-- Reads: ingest_read_rows, ingest_read_errors. Writes: temp table ingest_lines (line).
-- Parameters: $first_line (line number of the first record: 2 after a header, else 1).
CREATE OR REPLACE TEMP TABLE ingest_lines AS
WITH total AS (
    SELECT (SELECT count(*) FROM ingest_read_rows)
         + (SELECT count(DISTINCT line) FROM ingest_read_errors) AS n
)
SELECT r.range AS line
FROM total, range($first_line, $first_line + total.n) AS r
WHERE NOT EXISTS (SELECT 1 FROM ingest_read_errors AS e WHERE e.line = r.range);
