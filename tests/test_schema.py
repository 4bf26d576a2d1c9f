"""Migrations, the version table, the connect hook and macro registration."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from attrdb.connection import connect, macro_files
from attrdb.errors import MigrationError, SchemaError, StateError
from attrdb.migrate import (
    available_migrations,
    code_schema_version,
    database_schema_version,
    migrate,
)
from attrdb.resources import migrations_dir

CONTRACT_TABLES = {
    "schema_version", "products", "product_rejects", "tokens", "duplicate_groups",
    "vocabulary", "splits", "models", "units", "activations", "activation_errors",
    "unit_bins", "unit_word_divergence", "prime_units", "visualness", "predictions",
    "layer_depth", "human_judgments", "human_visualness", "agreement", "saliency_maps",
    "saliency_eval", "runs",
}


def _relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    views = {
        r[0]
        for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    }
    return tables | views


def test_numbering_has_no_gaps() -> None:
    migrations = available_migrations()
    assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))
    assert code_schema_version() == len(list(migrations_dir().glob("*.sql")))


def test_gap_in_numbering_is_refused(tmp_path: Path) -> None:
    for path in available_migrations()[:2]:
        shutil.copy(path.path, tmp_path / path.path.name)
    (tmp_path / "0002_text.sql").rename(tmp_path / "0003_text.sql")
    with pytest.raises(SchemaError, match="gap"):
        available_migrations(tmp_path)


def test_fresh_install_has_every_contract_relation(con: duckdb.DuckDBPyConnection) -> None:
    assert CONTRACT_TABLES <= _relations(con)
    versions = con.execute(
        "SELECT version, attrdb_version, sqlglot_version FROM schema_version"
    ).fetchall()
    assert [v[0] for v in versions] == list(range(1, code_schema_version() + 1))
    assert all(v[1] and v[2] for v in versions)


def test_upgrade_from_an_older_database(tmp_path: Path) -> None:
    old = tmp_path / "old_migrations"
    old.mkdir()
    first = available_migrations()[0]
    shutil.copy(first.path, old / first.path.name)
    path = tmp_path / "old.duckdb"
    raw = duckdb.connect(str(path))
    migrate(raw, old)
    raw.execute(
        "INSERT INTO products (product_id, title, source, source_row) VALUES ('p1', 't', 's', 1)"
    )
    assert database_schema_version(raw) == 1
    raw.close()

    with pytest.raises(SchemaError, match="attrdb migrate"):
        connect(path)
    upgraded = connect(path, upgrade=True)
    assert database_schema_version(upgraded) == code_schema_version()
    assert upgraded.execute("SELECT title FROM products").fetchall() == [("t",)]
    upgraded.close()


def test_failing_migration_leaves_version_and_schema(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    for migration in available_migrations():
        shutil.copy(migration.path, folder / migration.path.name)
    bad = folder / f"{code_schema_version() + 1:04d}_broken.sql"
    bad.write_text("CREATE TABLE half_done (x INTEGER);\nSELECT * FROM no_such_table;\n")
    con = duckdb.connect()
    migrate(con, available_migrations()[0].path.parent)
    before = database_schema_version(con)
    with pytest.raises(MigrationError, match="0007_broken.sql|_broken.sql"):
        migrate(con, folder)
    assert database_schema_version(con) == before
    assert "half_done" not in _relations(con)


def test_every_relation_and_contract_column_has_a_comment(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # COMMENT ON documents the schema inside the database (docs/schema.md is read from it).
    relations = con.execute(
        "SELECT table_name, comment FROM duckdb_tables() "
        "UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE NOT internal"
    ).fetchall()
    uncommented = sorted(name for name, comment in relations if not comment)
    assert uncommented == [], "add COMMENT ON TABLE/VIEW for them in a migration"
    columns = con.execute(
        "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE NOT internal"
    ).fetchall()
    bare = [f"{t}.{c}" for t, c, comment in columns if t in CONTRACT_TABLES and not comment]
    assert bare == [], "add COMMENT ON COLUMN for these contract columns in a migration"
    assert CONTRACT_TABLES <= {name for name, _ in relations}


def test_newer_database_is_refused(db_path: Path) -> None:
    raw = duckdb.connect(str(db_path))
    raw.execute(
        "INSERT INTO schema_version (version, name, attrdb_version, sqlglot_version) "
        "VALUES (999, 'from_the_future', '9.9', '99')"
    )
    raw.close()
    with pytest.raises(SchemaError, match="newer than this attrdb"):
        connect(db_path)


def test_missing_database_is_a_state_error(tmp_path: Path) -> None:
    with pytest.raises(StateError, match="attrdb init"):
        connect(tmp_path / "absent.duckdb")


def test_every_macro_file_registers_its_macros(con: duckdb.DuckDBPyConnection) -> None:
    files = macro_files()
    assert files, "sql/macros/ holds no macro file"
    registered = {
        r[0]
        for r in con.execute(
            "SELECT function_name FROM duckdb_functions() "
            "WHERE function_type IN ('macro', 'table_macro')"
        ).fetchall()
    }
    for path in files:
        names = re.findall(r"CREATE\s+OR\s+REPLACE\s+MACRO\s+(\w+)", path.read_text(), re.I)
        assert names, f"{path.name} defines no macro"
        assert set(names) <= registered, f"{path.name}: {set(names) - registered} not registered"


_COUNT_MACROS = (
    "SELECT count(*) FROM duckdb_functions() WHERE function_type = 'macro' AND NOT internal"
)


def test_macros_register_idempotently(db_path: Path) -> None:
    connect(db_path).close()
    again = connect(db_path)
    count = again.execute(_COUNT_MACROS).fetchall()[0][0]
    again.close()
    third = connect(db_path)
    assert third.execute(_COUNT_MACROS).fetchall()[0][0] == count
    third.close()


def test_sample_fixture_has_real_rows(ingested_db: Path) -> None:
    con = connect(ingested_db, read_only=True)
    n, shops, with_image = con.execute(
        "SELECT count(*), count(DISTINCT shop), count(image_path) FROM products"
    ).fetchall()[0]
    con.close()
    assert (n, shops, with_image) == (949, 8, 949)


# Migration 0031: the tables a stage rerun empties, with their VARCHAR key columns.
RERUN_TABLE_KEYS = {
    "splits": ["product_id"],
    "duplicate_groups": ["product_id"],
    "product_types": ["product_id"],
    "tokenized_products": ["product_id"],
    "text_lines": ["product_id", "field"],
    "scope_products": ["scope", "product_id"],
    "word_products": ["scope", "word", "product_id"],
    "boilerplate_product_lines": ["scope", "product_id", "field"],
}


def _string_compression(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, set[str]]:
    rows = con.execute(
        "SELECT column_name, compression FROM pragma_storage_info(?) "
        "WHERE segment_type = 'VARCHAR'",
        [table],
    ).fetchall()
    found: dict[str, set[str]] = {}
    for column, compression in rows:
        found.setdefault(column, set()).add(compression)
    return found


def test_rerun_tables_keep_their_rows_and_store_keys_uncompressed(
    tmp_path: Path, text_db: Path
) -> None:
    # A database of schema version 30 holding the sample's rows, upgraded by 0031: every
    # row and comment stays, and the key columns (whose per-row fetch makes DuckDB's
    # COMMIT of a large DELETE slow) are stored uncompressed while the others still
    # compress.
    raw = duckdb.connect(str(tmp_path / "v30.duckdb"))
    migrate(raw, until=30)
    raw.execute("ATTACH ? AS src (READ_ONLY)", [str(text_db)])
    for table in RERUN_TABLE_KEYS:
        raw.execute(f"INSERT INTO {table} SELECT * FROM src.{table}")
    raw.execute("DETACH src")
    raw.execute("CHECKPOINT")
    assert "DICT_FSST" in _string_compression(raw, "splits")["product_id"]
    rows = {t: sorted(raw.execute(f"SELECT * FROM {t}").fetchall()) for t in RERUN_TABLE_KEYS}
    assert all(rows[t] for t in ("splits", "text_lines", "word_products", "product_types"))
    comment_query = (
        "SELECT table_name, column_name, comment FROM duckdb_columns() "
        "WHERE table_name IN (SELECT unnest(?)) ORDER BY ALL"
    )
    comments = raw.execute(comment_query, [list(RERUN_TABLE_KEYS)]).fetchall()

    applied = migrate(raw)
    raw.execute("CHECKPOINT")
    assert [m.version for m in applied][:1] == [31]
    for table, keys in RERUN_TABLE_KEYS.items():
        assert sorted(raw.execute(f"SELECT * FROM {table}").fetchall()) == rows[table], table
        stored = _string_compression(raw, table)
        for key in keys:
            assert stored[key] <= {"Uncompressed", "Constant"}, (table, key, stored[key])
    assert "DICT_FSST" in _string_compression(raw, "text_lines")["text"]
    assert raw.execute(comment_query, [list(RERUN_TABLE_KEYS)]).fetchall() == comments
    raw.close()
