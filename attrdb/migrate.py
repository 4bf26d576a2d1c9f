"""Numbered schema migrations (``migrations/NNNN_description.sql``).

The schema version is the number of migration files. Each migration and its
``schema_version`` row run in one transaction, so a failing migration leaves the
version (and the schema: DuckDB DDL is transactional) as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import sqlglot

from attrdb import __version__
from attrdb.errors import MigrationError, SchemaError
from attrdb.resources import migrations_dir
from attrdb.sqlfiles import execute_statement, split_statements

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY,
    name VARCHAR NOT NULL,
    attrdb_version VARCHAR NOT NULL,
    sqlglot_version VARCHAR NOT NULL,
    applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp
)
"""


@dataclass(frozen=True)
class Migration:
    """One migration file."""

    version: int
    name: str
    path: Path


def available_migrations(folder: Path | None = None) -> list[Migration]:
    """All migrations in order; raises if a file is misnamed or the numbering has gaps."""
    folder = folder or migrations_dir()
    found: list[Migration] = []
    for path in sorted(folder.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise SchemaError(f"migration file {path.name!r} is not named NNNN_snake_name.sql")
        found.append(Migration(int(match.group(1)), match.group(2), path))
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise SchemaError(
                f"migration numbering has a gap: expected {expected:04d}, found {migration.path.name}"
            )
    return found


def code_schema_version(folder: Path | None = None) -> int:
    """The schema version this code writes (the number of migration files)."""
    return len(available_migrations(folder))


def database_schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version recorded in the database (0 for a database never migrated)."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_version' "
        "AND schema_name = 'main' AND database_name = current_database()"
    ).fetchall()[0][0]
    if not exists:
        return 0
    return int(con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0])


def check_schema(con: duckdb.DuckDBPyConnection, folder: Path | None = None) -> int:
    """Refuse a database newer than the code, and one that needs ``attrdb migrate``."""
    have, want = database_schema_version(con), code_schema_version(folder)
    if have > want:
        raise SchemaError(
            f"database schema version {have} is newer than this attrdb {__version__} "
            f"(schema {want}); upgrade attrdb to open it"
        )
    if have < want:
        raise SchemaError(
            f"database schema version {have} is older than this attrdb's ({want}); "
            "run `attrdb migrate` to upgrade it"
        )
    return have


def migrate(con: duckdb.DuckDBPyConnection, folder: Path | None = None) -> list[Migration]:
    """Apply pending migrations in order; returns those applied."""
    migrations = available_migrations(folder)
    have = database_schema_version(con)
    if have > len(migrations):
        check_schema(con, folder)
    con.execute(_VERSION_TABLE)
    applied: list[Migration] = []
    for migration in migrations[have:]:
        _apply(con, migration)
        applied.append(migration)
    return applied


def _apply(con: duckdb.DuckDBPyConnection, migration: Migration) -> None:
    origin = f"migrations/{migration.path.name}"
    statements = split_statements(migration.path.read_text(encoding="utf-8"))
    con.execute("BEGIN TRANSACTION")
    try:
        for statement in statements:
            execute_statement(con, statement, origin=origin)
        con.execute(
            "INSERT INTO schema_version (version, name, attrdb_version, sqlglot_version) "
            "VALUES (?, ?, ?, ?)",
            [migration.version, migration.name, __version__, sqlglot.__version__],
        )
        con.execute("COMMIT")
    except Exception as exc:
        con.execute("ROLLBACK")
        raise MigrationError(f"migration {migration.path.name} failed, nothing applied: {exc}") from exc
