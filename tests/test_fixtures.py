"""The shared fixtures stand for what they replace: ``con`` (an in-memory copy of the
session's ``empty_db``) is what ``connect(":memory:", create=True)`` makes, and ``db_path``
(a file copy) is what ``connect(path, create=True)`` makes."""

from __future__ import annotations

from pathlib import Path

import duckdb

from attrdb.connection import connect

# The catalogue as DuckDB reports it. Views are compared by their columns: a view's stored
# text lists an EXCLUDE set in whatever order it was read back, which means the same view.
CATALOGUE = [
    "SELECT table_name, sql, comment FROM duckdb_tables() ORDER BY ALL",
    "SELECT view_name, comment FROM duckdb_views() WHERE NOT internal ORDER BY ALL",
    "SELECT table_name, column_name, column_index, data_type, column_default, is_nullable, "
    "comment FROM duckdb_columns() ORDER BY ALL",
    "SELECT table_name, constraint_type, constraint_text, expression FROM duckdb_constraints() "
    "ORDER BY ALL",
    "SELECT index_name, sql FROM duckdb_indexes() ORDER BY ALL",
    "SELECT sequence_name, start_value, increment_by FROM duckdb_sequences() ORDER BY ALL",
    "SELECT type_name, logical_type FROM duckdb_types() WHERE NOT internal ORDER BY ALL",
    "SELECT function_name, function_type, parameters, macro_definition FROM duckdb_functions() "
    "WHERE NOT internal ORDER BY ALL",
    "SELECT current_setting('enable_progress_bar'), current_setting('memory_limit')",
]


def _state(con: duckdb.DuckDBPyConnection) -> list[list[tuple[object, ...]]]:
    """The catalogue and every table's rows, timestamps (when a row was written) left out."""
    state = [con.execute(q).fetchall() for q in CATALOGUE]
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
    for table in tables:
        columns = [r[0] for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
            "AND data_type NOT LIKE 'TIMESTAMP%' ORDER BY column_index", [table]).fetchall()]
        listed = ", ".join(f'"{c}"' for c in columns)
        state.append(con.execute(f'SELECT {listed} FROM "{table}" ORDER BY ALL').fetchall())
    return state


def test_con_is_a_fresh_in_memory_database(con: duckdb.DuckDBPyConnection) -> None:
    fresh = connect(":memory:", create=True)
    try:
        assert _state(con) == _state(fresh)
        database = "SELECT current_database(), path FROM duckdb_databases() WHERE NOT internal"
        assert con.execute(database).fetchall() == fresh.execute(database).fetchall()
    finally:
        fresh.close()


def test_db_path_is_a_fresh_database_file(db_path: Path, tmp_path: Path) -> None:
    fresh_path = tmp_path / "fresh.duckdb"
    connect(fresh_path, create=True).close()
    copied, fresh = connect(db_path), connect(fresh_path)
    try:
        assert _state(copied) == _state(fresh)
    finally:
        copied.close()
        fresh.close()
