-- Every table and view of the database with its comment, and every column with its type
-- and comment, in column order: the reference part of docs/schema.md (COMMENT ON in the
-- migrations; attrdb.report.schemadoc). oid grows with creation: relations in the order
-- their migration creates them.
-- Reads: duckdb_tables(), duckdb_views(), duckdb_columns(). Writes: nothing.
-- Parameters: none.
WITH relations AS (
    SELECT table_name AS name, 'table' AS kind, comment, table_oid AS oid
    FROM duckdb_tables()
    WHERE database_name = current_database() AND schema_name = 'main'
    UNION ALL
    SELECT view_name, 'view', comment, view_oid
    FROM duckdb_views()
    WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
)
SELECT
    r.name,
    r.kind,
    coalesce(r.comment, '') AS description,
    c.column_name,
    c.data_type,
    coalesce(c.comment, '') AS note
FROM relations AS r
JOIN duckdb_columns() AS c
    ON c.database_name = current_database() AND c.schema_name = 'main'
   AND c.table_name = r.name
ORDER BY r.oid, c.column_index
