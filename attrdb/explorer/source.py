"""Where the explorer reads: the database, or its published snapshot while a stage writes.

DuckDB lets one process hold a database file for writing, and while a process holds it
open (even read-only) no writer can open it. The explorer therefore opens the database
for each request and closes it before answering, so a stage started between two page views
finds the file free. Each connection is ``attrdb.adhoc.connect_sandboxed`` (read-only, no
file, network or extension access, memory cap, configuration locked), which opens the
snapshot the writer published (``<stem>.snapshot.duckdb``, replaced atomically, never
opened for writing) while a stage holds the file; the pages then say how old it is.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from attrdb.errors import SqlError, StateError
from attrdb.snapshot import snapshot_path


@dataclass(frozen=True)
class Source:
    """One request's connection and what it reads.

    Attributes:
        con: a sandboxed read-only connection (no file, network or extension access, the
            configuration locked).
        path: the file opened.
        is_snapshot: True when a writer holds the database and the snapshot was opened.
        snapshot_age_s: seconds since the snapshot was published (None for the database).
    """

    con: duckdb.DuckDBPyConnection
    path: Path
    is_snapshot: bool
    snapshot_age_s: float | None


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
        from attrdb.adhoc import connect_sandboxed

        # The sandbox opens the snapshot by itself when a stage holds the database; the page
        # banner says so, so the sandbox's own notice is not repeated on every request.
        con = connect_sandboxed(self.db, timeout_s=self.timeout_s,
                                memory_limit=self.memory_limit, notify=lambda _: None)
        try:
            opened = Path(con.execute(
                "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
            ).fetchall()[0][0])
            if opened.resolve() == self.db.resolve():
                return Source(con, self.db, False, None)
            age = max(0.0, time.time() - opened.stat().st_mtime)
        except (OSError, duckdb.Error):
            con.close()
            raise
        return Source(con, opened, True, age)
