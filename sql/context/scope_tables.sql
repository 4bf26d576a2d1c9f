-- context/scope_tables: the base tables that hold per-scope rows (a `scope` column), except
-- the definitions and the run log, so redefining a scope can remove its old results.
-- Reads: duckdb_columns(). Writes: nothing. Parameters: none.
SELECT table_name
FROM duckdb_columns()
WHERE column_name = 'scope'
  AND database_name = current_database()
  AND schema_name = 'main'
  AND table_name NOT IN ('scopes', 'runs')
  AND table_name IN (
      SELECT table_name FROM duckdb_tables()
      WHERE database_name = current_database() AND schema_name = 'main' AND NOT temporary
  )
ORDER BY table_name;
