-- Append one batch of split records.
-- Reads: ingest_record_batch (an Arrow table registered by Python, ingest_records' columns).
-- Writes: ingest_records. Parameters: none.
INSERT INTO ingest_records
SELECT source_row, text, raw, read_error, read_detail
FROM ingest_record_batch;
