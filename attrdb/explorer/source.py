"""Where the explorer reads: the database, or its published snapshot while a stage writes.

DuckDB lets one process hold a database file for writing, and while a process holds it
open (even read-only) no writer can open it. The explorer therefore opens the database
for each request and closes it before answering, so a stage started between two page views
finds the file free; while a stage holds the file the explorer reads the snapshot the
writer published (``<stem>.snapshot.duckdb``, replaced atomically, never opened for
writing) and says how old it is.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from attrdb.errors import AttrdbError, SqlError, StateError
from attrdb.migrate import check_schema
from attrdb.snapshot import is_lock_error, snapshot_path

# The lock error names the process holding the file: "... is held in /usr/bin/python3 (PID 42)".
_HOLDER = re.compile(r"\(PID (\d+)\)")


@dataclass(frozen=True)
class Source:
    """One request's connection and what it reads.

    Attributes:
        con: a sandboxed read-only connection (no file, network or extension access, the
            configuration locked).
        path: the file opened.
        is_snapshot: True when a writer holds the database and the snapshot was opened.
        snapshot_age_s: seconds since the snapshot was published (None for the database).
        writer_pid: the process holding the write lock, when the lock error named it.
    """

    con: duckdb.DuckDBPyConnection
    path: Path
    is_snapshot: bool
    snapshot_age_s: float | None
    writer_pid: int | None


class Reader:
    """Opens the database (or its snapshot) for one request at a time.

    Args:
        db: the database file.
        timeout_s: statement timeout of each connection.
        memory_limit: DuckDB memory limit of each connection (e.g. ``'1GB'``).
    """

    def __init__(self, db: str | Path, *, timeout_s: float = 10.0,
                 memory_limit: str = "1GB") -> None:
        self.db = Path(db)
        self.timeout_s = timeout_s
        self.memory_limit = memory_limit
        self._lock = threading.Lock()

    def check(self) -> None:
        """Open and close once, so ``attrdb serve`` refuses a bad path before it listens."""
        with self.open():
            pass

    def state(self) -> tuple[object, ...]:
        """What identifies the readable content: size and modification time of the
        database, its write-ahead log and its snapshot (None for a missing file)."""
        files = (self.db, self.db.with_name(self.db.name + ".wal"), snapshot_path(self.db))
        found: list[object] = []
        for path in files:
            try:
                info = path.stat()
                found.append((info.st_mtime_ns, info.st_size))
            except FileNotFoundError:
                found.append(None)
        return tuple(found)

    @contextmanager
    def open(self) -> Iterator[Source]:
        """A connection for one request, closed when the block ends.

        A statement still running ``timeout_s`` after opening is interrupted (DuckDB then
        raises its "interrupted" error, reported as a one-line StateError).
        """
        # One request reads at a time: DuckDB gives connections to one file in one process
        # a shared instance, whose configuration the first connection has already locked,
        # so a second sandboxed open while the first is in use would fail. Serving pages one
        # by one also keeps the file's open windows short and separate.
        with self._lock:
            source = self._open()
            timer = threading.Timer(self.timeout_s, source.con.interrupt)
            timer.daemon = True
            timer.start()
            try:
                yield source
            except (duckdb.InterruptException, SqlError) as exc:
                # run_sql_file wraps DuckDB's errors in SqlError, keeping the cause.
                if not isinstance(exc, duckdb.InterruptException) and not isinstance(
                        exc.__cause__, duckdb.InterruptException):
                    raise
                raise StateError(
                    f"a page query ran past {self.timeout_s:g} s and was stopped (--timeout)"
                ) from exc
            finally:
                timer.cancel()
                source.con.close()

    def _open(self) -> Source:
        if not self.db.is_file():
            raise StateError(f"no attrdb database at {self.db}; create one with `attrdb init`")
        pid: int | None = None
        try:
            con = self._connect(self.db)
        except (AttrdbError, duckdb.Error) as exc:
            if not is_lock_error(exc):
                raise
            holder = _HOLDER.search(str(exc))
            pid = int(holder.group(1)) if holder else None
            snap = snapshot_path(self.db)
            if not snap.is_file():
                raise StateError(
                    f"{self.db} is locked by a running stage and no snapshot exists yet; "
                    "publish one from the writer (`attrdb run` does after every stage)"
                ) from exc
            con = self._connect(snap)
        opened = Path(con.execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchall()[0][0])
        if opened.resolve() == self.db.resolve():
            return Source(con, self.db, False, None, None)
        # Opened the snapshot, by the fallback above or inside the sandboxed connection.
        age = max(0.0, time.time() - opened.stat().st_mtime)
        return Source(con, opened, True, age, pid)

    def _connect(self, path: Path) -> duckdb.DuckDBPyConnection:
        return _connect_read_only(path, self.timeout_s, self.memory_limit)


def _connect_read_only(
    path: Path, timeout_s: float, memory_limit: str
) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path), read_only=True, config={
        "enable_external_access": False,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "memory_limit": memory_limit,
    })
    try:
        check_schema(con)
        con.execute("SET lock_configuration = true")
    except (AttrdbError, duckdb.Error):
        con.close()
        raise
    return con
