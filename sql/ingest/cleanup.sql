-- Drop the temp tables one ingestion made (they live until the connection closes).
-- Reads: nothing. Writes: drops the ingest_* temp tables. Parameters: none.
DROP TABLE IF EXISTS ingest_records;
DROP TABLE IF EXISTS ingest_input;
DROP TABLE IF EXISTS ingest_mapped;
DROP TABLE IF EXISTS ingest_decided;
