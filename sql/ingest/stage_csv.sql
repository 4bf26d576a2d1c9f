-- Stage CSV records and rejected lines as one JSON document (or raw text) per input row.
-- Reads: ingest_read_rows, ingest_lines, ingest_read_errors.
-- Writes: temp table ingest_input (source_row, doc, raw, read_error, read_detail): doc is
-- the record as a JSON object keyed by header name; rows the reader rejected have no doc,
-- their raw line and the error (invalid_encoding, too_many_columns, missing_columns, ...).
-- Parameters: $header_lines (lines before the first record: the header and skipped lines).
CREATE OR REPLACE TEMP TABLE ingest_input AS
WITH records AS (
    SELECT row_number() OVER (ORDER BY r.rowid) AS ord, to_json(r) AS doc
    FROM ingest_read_rows AS r
),
lines AS (
    SELECT row_number() OVER (ORDER BY line) AS ord, line
    FROM ingest_lines
),
errors AS (
    SELECT
        line,
        -- An undecodable line usually trips other checks too; its encoding is the cause.
        arg_min(lower(replace(error_type, ' ', '_')), (error_type <> 'INVALID ENCODING', column_idx)) AS read_error,
        arg_min(error_message, (error_type <> 'INVALID ENCODING', column_idx)) AS read_detail,
        any_value(ltrim(csv_line, chr(13) || chr(10))) AS raw
    FROM ingest_read_errors
    GROUP BY line
)
SELECT l.line - $header_lines AS source_row, r.doc, NULL::VARCHAR AS raw,
       NULL::VARCHAR AS read_error, NULL::VARCHAR AS read_detail
FROM records AS r
JOIN lines AS l USING (ord)
UNION ALL
SELECT line - $header_lines, NULL::JSON, raw, read_error, read_detail
FROM errors;
