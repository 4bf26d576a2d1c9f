-- The CSV's column names as DuckDB read them from the header, in file order.
-- Reads: the catalog (temp table ingest_read_rows). Writes: nothing. Parameters: none.
SELECT column_name
FROM duckdb_columns()
WHERE database_name = 'temp' AND table_name = 'ingest_read_rows'
ORDER BY column_index;
