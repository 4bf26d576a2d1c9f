-- Drop the temp tables one ingestion made (they live until the connection closes).
-- Reads: nothing. Writes: drops the ingest_* temp tables. Parameters: none.
DROP TABLE IF EXISTS ingest_read_rows;
DROP TABLE IF EXISTS ingest_read_errors;
DROP TABLE IF EXISTS ingest_read_scans;
DROP TABLE IF EXISTS ingest_line_probe;
DROP TABLE IF EXISTS ingest_line_errors;
DROP TABLE IF EXISTS ingest_line_scans;
DROP TABLE IF EXISTS ingest_lines;
DROP TABLE IF EXISTS ingest_input;
DROP TABLE IF EXISTS ingest_mapped;
DROP TABLE IF EXISTS ingest_decided;
