-- Stage a Parquet catalogue: one JSON document per row, numbered by file row.
-- The row number is DuckDB's ordinality column, passed by name, so a user column called
-- file_row_number, rowid or ordinality is data like any other.
-- Reads: the file $path. Writes: temp table ingest_input (source_row = file row number
-- from 1, doc = the row as a JSON object keyed by column name, raw/read_error NULL:
-- Parquet rows are typed and decoded by the reader, so none is unreadable on its own).
-- Parameters: $path, $ordinality (the name of the row-number column, from parquet_columns).
CREATE OR REPLACE TEMP TABLE ingest_input AS
SELECT
    COLUMNS(lambda c: c = $ordinality) AS source_row,
    to_json(struct_pack(*COLUMNS(lambda c: c <> $ordinality))) AS doc,
    NULL::VARCHAR AS raw,
    NULL::VARCHAR AS read_error,
    NULL::VARCHAR AS read_detail
FROM read_parquet($path) WITH ORDINALITY;
