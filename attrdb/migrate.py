"""Numbered schema migrations (``migrations/NNNN_description.sql``).

The schema version is the number of migration files. Each migration and its
``schema_version`` row run in one transaction, so a failing migration leaves the
version (and the schema: DuckDB DDL is transactional) as it was; the ``schema_version``
table itself is created inside the first migration's transaction.

A DuckDB file that holds objects but no ``schema_version`` is *foreign* (some other
application's database): ``migrate`` refuses it and leaves it untouched.

``verify_schema`` (``attrdb migrate --check``) checks a database against what the
migrations make: one ``schema_version`` row per migration with its name, and every table
(with its columns and types), view (with its definition), sequence, index and macro the
migration files create, compared with a fresh in-memory database migrated from the same
files. Objects the database has beyond those are allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import sqlglot

from attrdb import __version__
from attrdb.errors import MigrationError, SchemaError, first_line
from attrdb.identifiers import quote_identifier
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
                f"migration numbering has a gap: expected {expected:04d}, "
                f"found {migration.path.name}"
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


def foreign_objects(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Objects of a database that has no ``schema_version`` (empty for attrdb databases)."""
    if database_schema_version(con):
        return []
    rows = con.execute(
        "SELECT 'table ' || table_name FROM duckdb_tables() "
        "WHERE database_name = current_database() AND schema_name = 'main' "
        "AND table_name <> 'schema_version' "
        "UNION ALL SELECT 'view ' || view_name FROM duckdb_views() "
        "WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal "
        "UNION ALL SELECT 'sequence ' || sequence_name FROM duckdb_sequences() "
        "WHERE database_name = current_database() AND schema_name = 'main' "
        "ORDER BY 1"
    ).fetchall()
    return [str(r[0]) for r in rows]


def _refuse_foreign(con: duckdb.DuckDBPyConnection) -> None:
    found = foreign_objects(con)
    if found:
        shown = ", ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
        raise SchemaError(
            f"not an attrdb database: it holds {shown} but no schema_version; attrdb leaves "
            "it untouched (use a new file)"
        )


def check_schema(con: duckdb.DuckDBPyConnection, folder: Path | None = None) -> int:
    """Refuse a database newer than the code, one that needs ``attrdb migrate``, a foreign
    one, and one whose ``schema_version`` lacks rows (a cheap part of ``verify_schema``)."""
    have, want = database_schema_version(con), code_schema_version(folder)
    if have > want:
        raise SchemaError(
            f"database schema version {have} is newer than this attrdb {__version__} "
            f"(schema {want}); upgrade attrdb to open it"
        )
    if have < want:
        _refuse_foreign(con)
        raise SchemaError(
            f"database schema version {have} is older than this attrdb's ({want}); "
            "run `attrdb migrate` to upgrade it"
        )
    missing = _missing_version_rows(con, want)
    if missing:
        raise SchemaError(
            f"schema_version has no row for migration {', '.join(map(str, missing))}; the "
            "schema was changed by hand: run `attrdb migrate --check`"
        )
    return have


def _missing_version_rows(con: duckdb.DuckDBPyConnection, want: int) -> list[int]:
    rows = con.execute(
        "SELECT v FROM range(1, ? + 1) t(v) WHERE v NOT IN (SELECT version FROM schema_version) "
        "ORDER BY v",
        [want],
    ).fetchall()
    return [int(r[0]) for r in rows]


def migrate(
    con: duckdb.DuckDBPyConnection, folder: Path | None = None, *, until: int | None = None
) -> list[Migration]:
    """Apply pending migrations in order; returns those applied.

    ``until`` stops after that version (the schema reference applies them one at a time to
    see which migration created each relation).

    Raises:
        SchemaError: the database is newer than the code, or foreign (untouched).
        MigrationError: a migration failed (it and its version row rolled back).
    """
    migrations = available_migrations(folder)
    have = database_schema_version(con)
    if have > len(migrations):
        check_schema(con, folder)
    _refuse_foreign(con)
    applied: list[Migration] = []
    for migration in migrations[have:until]:
        _apply(con, migration)
        applied.append(migration)
    return applied


def _apply(con: duckdb.DuckDBPyConnection, migration: Migration) -> None:
    origin = f"migrations/{migration.path.name}"
    statements = split_statements(migration.path.read_text(encoding="utf-8"))
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(_VERSION_TABLE)
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
        raise MigrationError(
            f"migration {migration.path.name} failed, nothing applied: {exc}"
        ) from exc


# Catalogue queries for verify_schema: (kind, query giving name and a description that
# must match). Restricted to the current database's main schema.
_CATALOGUE = (
    ("table", "SELECT table_name, '' FROM duckdb_tables() "
              "WHERE database_name = current_database() AND schema_name = 'main'"),
    ("column", "SELECT table_name || '.' || column_name, data_type FROM duckdb_columns() "
               "WHERE database_name = current_database() AND schema_name = 'main' "
               "AND table_name IN (SELECT table_name FROM duckdb_tables() "
               "WHERE database_name = current_database() AND schema_name = 'main')"),
    ("view", "SELECT view_name, '' FROM duckdb_views() "
             "WHERE database_name = current_database() AND schema_name = 'main' "
             "AND NOT internal"),
    ("sequence", "SELECT sequence_name, '' FROM duckdb_sequences() "
                 "WHERE database_name = current_database() AND schema_name = 'main'"),
    ("index", "SELECT index_name, coalesce(sql, '') FROM duckdb_indexes() "
              "WHERE database_name = current_database() AND schema_name = 'main'"),
    ("macro", "SELECT DISTINCT function_name, coalesce(macro_definition, '') "
              "FROM duckdb_functions() WHERE database_name = current_database() "
              "AND schema_name = 'main' AND function_type IN ('macro', 'table_macro') "
              "AND NOT internal"),
)


def _catalogue(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    """(kind, name) -> what must match. A view is described by the columns it returns (its
    stored SQL text is not stable: DuckDB may print an EXCLUDE list in any order)."""
    found: dict[tuple[str, str], str] = {}
    for kind, query in _CATALOGUE:
        for name, detail in con.execute(query).fetchall():
            found[(kind, str(name))] = str(detail)
    for kind, name in [key for key in found if key[0] == "view"]:
        try:
            columns = con.execute(f"DESCRIBE {quote_identifier(name)}").fetchall()
            found[(kind, name)] = ", ".join(f"{c[0]} {c[1]}" for c in columns)
        except duckdb.Error as exc:
            found[(kind, name)] = f"broken: {first_line(exc)}"
    return found


def verify_schema(con: duckdb.DuckDBPyConnection, folder: Path | None = None) -> list[str]:
    """Every difference between the database and what the migrations make (empty: none).

    Checks one ``schema_version`` row per migration with the migration's name, and that
    every table, column (and type), view (and definition), sequence, index and macro that
    a fresh database migrated from the same files has exists here unchanged. Each problem is
    one short line, e.g. ``schema_version row 3 (cnn) is missing``, ``view kept_products is
    missing``.
    """
    migrations = available_migrations(folder)
    problems: list[str] = []
    foreign = foreign_objects(con)
    if foreign:
        return [f"not an attrdb database: no schema_version beside {', '.join(foreign[:3])}"]
    if database_schema_version(con):
        rows = dict(con.execute("SELECT version, name FROM schema_version").fetchall())
    else:
        rows = {}
    for migration in migrations:
        name = rows.get(migration.version)
        if name is None:
            problems.append(f"schema_version row {migration.version} ({migration.name}) is missing")
        elif name != migration.name:
            problems.append(
                f"schema_version row {migration.version} is named {name!r}, "
                f"not {migration.name!r}"
            )
    for version in sorted(set(rows) - {m.version for m in migrations}):
        problems.append(f"schema_version row {version} has no migration file")
    reference = duckdb.connect()
    try:
        migrate(reference, folder)
        expected = _catalogue(reference)
    finally:
        reference.close()
    have = _catalogue(con)
    for (kind, name), detail in sorted(expected.items()):
        if (kind, name) not in have:
            table = name.split(".")[0]
            if kind == "column" and ("table", table) not in have:
                continue  # the missing table is reported once
            problems.append(f"{kind} {name} is missing")
        elif have[(kind, name)].startswith("broken: "):
            problems.append(f"{kind} {name} cannot be read ({have[(kind, name)][8:]})")
        elif have[(kind, name)] != detail:
            what = {"column": "type", "view": "set of columns"}.get(kind, "definition")
            shown = f" ({have[(kind, name)]}, not {detail})" if kind == "column" else ""
            problems.append(f"{kind} {name} has a different {what}{shown}")
    return problems


def check_database(path: str | Path) -> str:
    """``attrdb migrate --check``: verify the file read-only; a one-line verdict.

    Raises:
        SchemaError: one line listing the problems ``verify_schema`` found.
    """
    from attrdb.connection import require_duckdb_file

    target = require_duckdb_file(path)
    try:
        con = duckdb.connect(str(target), read_only=True)
    except duckdb.Error as exc:
        raise SchemaError(f"cannot open {target}: {first_line(exc)}") from exc
    try:
        problems = verify_schema(con)
        version = database_schema_version(con)
        objects = len(_catalogue(con))
    finally:
        con.close()
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more"
                                            if len(problems) > 5 else "")
        raise SchemaError(f"{target}: schema check failed, {len(problems)} "
                          f"problem{'s' if len(problems) != 1 else ''}: {shown}")
    return (f"{target}: schema version {version}; {version} migration rows and "
            f"{objects} catalogue entries verified")
