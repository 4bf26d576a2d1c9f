-- Read a JSON Lines catalogue as raw text, one row per line, keeping undecodable lines.
-- Quoting is off and the delimiter is a control byte absent from the file (JSON forbids
-- raw control bytes), so every line arrives whole; strict_mode off keeps blank lines as
-- NULL rows, so rows plus rejected lines are exactly the file's lines, in order (read
-- serially, as in read_csv.sql, so the line numbers of rejected lines are exact).
-- Reads: the file $path. Writes: temp tables ingest_read_rows (column line; rowid follows
-- file order), ingest_read_errors and ingest_read_scans (lines DuckDB could not decode).
-- Parameters: $path (the catalogue), $delimiter (a control byte that does not occur).
DROP TABLE IF EXISTS ingest_read_errors;
DROP TABLE IF EXISTS ingest_read_scans;
CREATE OR REPLACE TEMP TABLE ingest_read_rows AS
SELECT line
FROM read_csv(
    $path,
    header = false,
    auto_detect = false,
    columns = {'line': 'VARCHAR'},
    delim = $delimiter,
    quote = '',
    escape = '',
    strict_mode = false,
    parallel = false,
    store_rejects = true,
    rejects_table = 'ingest_read_errors',
    rejects_scan = 'ingest_read_scans'
);
