-- Read a CSV catalogue with DuckDB's CSV reader, every column as text, keeping bad lines.
-- Reads: the file $path. Writes: temp tables ingest_read_rows (one row per parsed record;
-- rowid follows file order), ingest_read_errors and ingest_read_scans (DuckDB's rejects:
-- one row per error with the file line, error_type, csv_line and error_message).
-- parallel = false: the parallel scanner's line numbers drift on files with quoted
-- multi-line records (measured on the Myntra catalogue as CSV: 36,345 distinct line
-- numbers for 44,441 records); the serial one counts every record.
-- Parameters: $path (the catalogue; its dialect is sniffed).
DROP TABLE IF EXISTS ingest_read_errors;
DROP TABLE IF EXISTS ingest_read_scans;
CREATE OR REPLACE TEMP TABLE ingest_read_rows AS
SELECT *
FROM read_csv(
    $path,
    all_varchar = true,
    header = true,
    parallel = false,
    store_rejects = true,
    rejects_table = 'ingest_read_errors',
    rejects_scan = 'ingest_read_scans'
);
