-- Stage CSV records as one JSON document (or raw text) per input row.
-- Reads: ingest_records (text: the record as a JSON object keyed by header name, made by
-- Python; unreadable records carry raw text and their error: malformed_quoting,
-- too_many_columns, missing_columns, invalid_encoding, line_size_over_maximum).
-- Writes: temp table ingest_input (source_row, doc, raw, read_error, read_detail).
-- Parameters: none.
CREATE OR REPLACE TEMP TABLE ingest_input AS
SELECT source_row, CAST(text AS JSON) AS doc, raw, read_error, read_detail
FROM ingest_records;
