-- Stage a Parquet catalogue: one JSON document per row, numbered by file row.
-- Reads: the file $path. Writes: temp table ingest_input (source_row = file row number
-- from 1, doc = the row as a JSON object keyed by column name, raw/read_error NULL:
-- Parquet rows are typed and decoded by the reader, so none is unreadable on its own).
-- Parameters: $path.
CREATE OR REPLACE TEMP TABLE ingest_input AS
SELECT
    file_row_number + 1 AS source_row,
    to_json(struct_pack(*COLUMNS(* EXCLUDE (file_row_number)))) AS doc,
    NULL::VARCHAR AS raw,
    NULL::VARCHAR AS read_error,
    NULL::VARCHAR AS read_detail
FROM read_parquet($path, file_row_number = true);
