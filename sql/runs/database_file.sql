-- runs/database_file: the file the connection's current database lives in (NULL or empty
-- in memory); runs of this process are tracked per file.
-- Reads: duckdb_databases(). Writes: nothing. Parameters: none.
SELECT path FROM duckdb_databases() WHERE database_name = current_database();
