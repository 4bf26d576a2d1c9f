-- 0025 comments: what every contract table, view and column means, as COMMENT ON, so any
-- DuckDB client shows it (duckdb_tables(), duckdb_views(), duckdb_columns() `comment`) and
-- docs/schema.md is generated from the catalogue (python -m attrdb.report.schemadoc).
-- Reads: nothing. Writes: comments only.
--
-- A view that a later migration drops and recreates loses its comments: such a migration
-- repeats them (tests/test_schema.py checks every contract table and column has one).
COMMENT ON TABLE schema_version IS 'One row per applied migration: the schema version, the attrdb and sqlglot versions that applied it, and when.';
