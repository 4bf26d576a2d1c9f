"""Read-only snapshots, so dashboards and reports never block or break a running stage.

DuckDB lets one process write a database file; while it holds the file, a second process
cannot open it at all, not even read-only ("Could not set lock on file"). The writer
therefore *publishes* a snapshot: it checkpoints (folding the write-ahead log into the
file), copies the file to a temporary name beside the target and renames it over
``<stem>.snapshot.duckdb``. The rename is atomic, so a reader sees either the previous
snapshot or the new one, never a half-written file; a reader that already has the old
snapshot open keeps reading it (the old inode lives until it closes).

``attrdb run`` publishes after every stage; ``attrdb publish`` does it by hand;
``attrdb report`` and ``attrdb sql`` read the snapshot with ``--snapshot``, and fall back
to it on their own when the database is locked by a writer (``attrdb.adhoc.open_sandboxed``,
which also makes every such reader a sandbox: no files, network or extensions).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import duckdb

from attrdb.connection import connect
from attrdb.errors import StateError, first_line
from attrdb.identifiers import quote_identifier


def snapshot_path(db: str | Path) -> Path:
    """Where the snapshot of ``db`` lives: ``dir/name.duckdb`` → ``dir/name.snapshot.duckdb``."""
    path = Path(db)
    stem = path.name[: -len(".duckdb")] if path.name.endswith(".duckdb") else path.name
    return path.with_name(f"{stem}.snapshot.duckdb")


def publish(con: duckdb.DuckDBPyConnection, db: str | Path) -> Path:
    """Write a consistent read-only copy of the database ``con`` has open at ``db``.

    Must be called by the process that holds the database (the writer), between
    transactions. DuckDB itself writes the copy (``ATTACH`` a temporary file, ``COPY FROM
    DATABASE``, ``DETACH``): the writer must never open the database file a second time,
    because closing any descriptor of a file drops the process's POSIX lock on it, which
    would let another process open the database while this one still writes.

    Returns:
        The snapshot's path.

    Raises:
        StateError: the database is in memory, or the copy failed (e.g. a transaction is open).
    """
    source = Path(db)
    if str(db) == ":memory:" or not source.is_file():
        raise StateError(f"cannot publish {db}: only a database file can have a snapshot")
    target = snapshot_path(source)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    alias = f"attrdb_snapshot_{os.getpid()}"  # an identifier made here, not user data
    _remove(temp)
    current = con.execute("SELECT current_database()").fetchall()[0][0]
    try:
        con.execute(f"ATTACH ? AS {alias}", [str(temp)])
        try:
            con.execute(f"COPY FROM DATABASE {quote_identifier(current)} TO {alias}")
        finally:
            con.execute(f"DETACH {alias}")
        os.replace(temp, target)
    except duckdb.Error as exc:
        raise StateError(f"cannot publish {db}: {first_line(exc)}") from exc
    finally:
        _remove(temp)
    return target


def _remove(path: Path) -> None:
    """Delete a temporary copy and its write-ahead log, if left by a crash."""
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)


def publish_file(db: str | Path) -> Path:
    """Open ``db`` as the writer, publish its snapshot and close it (``attrdb publish``)."""
    con = connect(db)
    try:
        return publish(con, db)
    finally:
        con.close()


def is_lock_error(exc: BaseException) -> bool:
    """True when opening failed because another process holds the database."""
    return "could not set lock" in str(exc).lower()


def open_for_reading(
    db: str | Path, *, snapshot: bool = False
) -> tuple[duckdb.DuckDBPyConnection, Path, bool]:
    """Open the database (or its snapshot) in the read-only sandbox for a report or a query.

    The connection comes from ``attrdb.adhoc.open_sandboxed`` (external access and
    extensions off, configuration locked, no statement timeout); when the database is locked
    by a writer and a snapshot exists, the snapshot is opened and a one-line warning saying
    its age goes to the ``attrdb`` logger.

    Args:
        db: the database file.
        snapshot: read ``snapshot_path(db)`` instead of the database.

    Returns:
        The connection, the file actually opened, and whether it is the snapshot.

    Raises:
        StateError: the snapshot is asked for (or needed) but none was published.
    """
    from attrdb.adhoc import open_sandboxed

    box = open_sandboxed(db, snapshot=snapshot, timeout_s=None)
    if box.note and not snapshot:
        logging.getLogger("attrdb").warning(box.note)
    return box.con, box.opened, box.is_snapshot
