"""The one place that opens a DuckDB database for attrdb.

It applies settings, checks or applies the schema migrations and registers every macro
in ``sql/macros/*.sql``. Macros are created persistently (``CREATE OR REPLACE MACRO``) so
that views using them also work for dashboards that open the file with plain DuckDB.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from attrdb.errors import AttrdbError, InputError, SchemaError, StateError, first_line
from attrdb.migrate import check_schema, migrate
from attrdb.resources import sql_dir
from attrdb.runs import close_stale_runs
from attrdb.sqlfiles import execute_statement, split_statements

DEFAULT_DB = "attrdb.duckdb"
# DuckDB file header: a checksum (8 bytes) then the magic bytes.
_DUCKDB_MAGIC = b"DUCK"
_FOREIGN_MAGIC = {b"SQLite format 3\x00": "SQLite", b"PAR1": "Parquet"}
# DuckDB's lock error names the process holding the file.
_LOCK_HOLDER = re.compile(r"Could not set lock on file .*?\(PID (\d+)\)", re.DOTALL)


def default_db_path() -> str:
    """``$ATTRDB_DB`` or ``attrdb.duckdb`` in the working directory."""
    return os.environ.get("ATTRDB_DB", DEFAULT_DB)


def macro_files() -> list[Path]:
    """Every macro file, in name order."""
    return sorted((sql_dir() / "macros").glob("*.sql"))


def register_macros(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create every macro; idempotent because each file uses CREATE OR REPLACE."""
    for path in macro_files():
        for statement in split_statements(path.read_text(encoding="utf-8")):
            execute_statement(con, statement, origin=f"sql/macros/{path.name}")


def require_duckdb_file(path: str | Path) -> Path:
    """Refuse a path that is missing or not a DuckDB file, before DuckDB touches it.

    DuckDB opens a SQLite file by loading its sqlite extension (and would install it); the
    header check makes that a one-line refusal instead.

    Raises:
        StateError: no file at ``path``.
        InputError: the file is not a DuckDB database (the message names what it looks like).
    """
    target = Path(path)
    if not target.is_file():
        raise StateError(f"no attrdb database at {target}; create one with `attrdb init`")
    with target.open("rb") as handle:
        head = handle.read(16)
    if head[8:12] != _DUCKDB_MAGIC:
        kind = next((name for magic, name in _FOREIGN_MAGIC.items() if head.startswith(magic)),
                    "empty" if not head else "not DuckDB")
        raise InputError(f"{target} is not a DuckDB database ({kind} file); attrdb reads only "
                         "DuckDB files")
    return target


def connect(
    path: str | Path | None = None,
    *,
    read_only: bool = False,
    create: bool = False,
    upgrade: bool = False,
    threads: int | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open an attrdb database.

    Args:
        path: database file, ``":memory:"`` for a throw-away one; default ``default_db_path()``.
        read_only: open without write access (readers beside a running stage use snapshots).
        create: allow creating a new file and migrate it to the current schema.
        upgrade: apply pending migrations to an existing database.
        threads: DuckDB worker threads (default: DuckDB's choice).

    The environment variable ``ATTRDB_MEMORY_LIMIT`` (e.g. ``4GB``) caps DuckDB's memory.
    A writable connection closes the ``running`` rows of dead processes as ``crashed``
    (``attrdb.runs.close_stale_runs``: holding the write lock proves they are gone).

    Raises:
        StateError: the file does not exist and ``create`` is false.
        SchemaError: the schema is newer than this code, or older and ``upgrade`` is false.
    """
    target = str(path) if path is not None else default_db_path()
    in_memory = target == ":memory:"
    if not in_memory and not create and not Path(target).exists():
        raise StateError(f"no attrdb database at {target}; create one with `attrdb init`")
    if not in_memory and Path(target).is_file() and Path(target).stat().st_size:
        require_duckdb_file(target)  # before DuckDB tries an extension for a SQLite file
    try:
        con = duckdb.connect(target, read_only=read_only and not in_memory)
    except duckdb.Error as exc:
        holder = _LOCK_HOLDER.search(str(exc))
        if holder and not read_only:
            # DuckDB gives a file to one writer or to readers, never both at once.
            raise StateError(
                f"{target} is in use by another process (PID {holder.group(1)}): a running "
                "stage, or a reader such as `attrdb sql`, `attrdb serve` or a dashboard; "
                "wait for it, or let readers use the snapshot (`attrdb publish`, --snapshot)"
            ) from exc
        raise AttrdbError(f"cannot open {target}: {first_line(exc)}") from exc
    try:
        con.execute("SET enable_progress_bar = false")
        # Several attrdb processes may share a machine: let the user cap each one.
        memory_limit = os.environ.get("ATTRDB_MEMORY_LIMIT")
        if memory_limit:
            con.execute("SET memory_limit = ?", [memory_limit])
        if threads:
            con.execute("SET threads = ?", [threads])
        if (create or upgrade) and not read_only:
            migrate(con)
        check_schema(con)
        if not read_only:
            register_macros(con)
            # This connection holds the write lock: 'running' rows of other processes are
            # dead runs (see attrdb.runs); close them so no report shows them as running.
            close_stale_runs(con)
    except (AttrdbError, duckdb.Error):
        con.close()
        raise
    return con


def require_tables(con: duckdb.DuckDBPyConnection, *tables: str, hint: str) -> None:
    """Raise StateError naming ``hint`` when any table or view is empty or missing."""
    for table in tables:
        rows = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'",
            [table],
        ).fetchall()[0][0]
        views = con.execute(
            "SELECT count(*) FROM duckdb_views() WHERE view_name = ? AND schema_name = 'main'",
            [table],
        ).fetchall()[0][0]
        if not rows and not views:
            raise SchemaError(f"table {table!r} is missing; run `attrdb migrate`")
        if not con.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")').fetchall()[0][0]:
            raise StateError(f"table {table!r} is empty; {hint}")
