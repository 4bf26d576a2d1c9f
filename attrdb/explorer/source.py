"""Where the explorer reads: a private copy of the database, so it never takes its lock.

DuckDB lets one process hold a database file for writing, and while any process has it
open, even read-only, no other process can open it for writing: a stage started while a
reader has the file open fails at once. So the explorer never opens the database. It
copies the file (and its write-ahead log) into a private folder whenever they change, and
keeps the copy valid only if neither file changed while it was copied: the copy is then
the database as it was at one instant, which DuckDB opens as it opens a file after a
crash (the log's committed transactions replayed, a torn last record ignored). A stage
holding the database does not stop the copy, so pages show its committed work while it
runs. When the files keep changing during every attempt, the previous copy stays in use
(or, before the first copy, the snapshot the writer published) and pages say how old it is.

The copy is opened with ``attrdb.adhoc.connect_sandboxed`` (read-only; no file, network or
extension access; memory cap; configuration locked) and kept open until the next copy,
so its pages are served from DuckDB's warm buffers.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from attrdb.errors import SqlError, StateError
from attrdb.scratch import make_dir
from attrdb.snapshot import snapshot_path

# Attempts at a copy during which neither file changes, before the older copy is used.
COPY_ATTEMPTS = 4
# While a stage keeps changing the files, a copy is taken at most this often: pages in
# between show the previous copy (and say how old it is) instead of each paying for a copy.
MIN_COPY_INTERVAL_S = 2.0
_RETRY_PAUSE_S = 0.05

FileState = tuple[tuple[int, int] | None, ...]


@dataclass(frozen=True)
class Source:
    """One request's connection and what it reads.

    Attributes:
        con: a sandboxed read-only connection (no file, network or extension access, the
            configuration locked).
        path: the database the pages describe.
        copied_at: when the data read was taken (epoch seconds).
        current: True when the database has not changed since (pages show it as it is).
        is_snapshot: True when the data is the snapshot a writer published, not a copy.
    """

    con: duckdb.DuckDBPyConnection
    path: Path
    copied_at: float
    current: bool
    is_snapshot: bool

    @property
    def age_s(self) -> float:
        """Seconds since the data read was taken."""
        return max(0.0, time.time() - self.copied_at)


class Reader:
    """Serves one request at a time from a private copy of the database.

    Args:
        db: the database file.
        timeout_s: a request's queries are interrupted after this many seconds.
        memory_limit: DuckDB memory limit of the connection (e.g. ``'1GB'``).
        workdir: where the copies are kept (default: a new temporary folder, removed by
            ``close``).
    """

    def __init__(self, db: str | Path, *, timeout_s: float = 10.0, memory_limit: str = "1GB",
                 workdir: Path | None = None) -> None:
        self.db = Path(db)
        self.timeout_s = timeout_s
        self.memory_limit = memory_limit
        self._own_dir = workdir is None
        self._dir = Path(workdir) if workdir else Path(
            make_dir("explorer"))
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._files: list[Path] = []
        self._state: FileState | None = None
        self._copied_at = 0.0
        self._is_snapshot = False
        self._serial = 0
        self._tried_at = float("-inf")

    def check(self) -> None:
        """Copy and open once, so ``attrdb serve`` refuses a bad path before it listens."""
        with self.open():
            pass

    def close(self) -> None:
        """Close the connection and delete the copies."""
        with self._lock:
            self._drop()
            if self._own_dir:
                shutil.rmtree(self._dir, ignore_errors=True)

    def state(self) -> FileState:
        """Size and modification time of the database and its write-ahead log (None for a
        missing file): equal states mean unchanged files."""
        found: list[tuple[int, int] | None] = []
        for path in (self.db, _wal(self.db)):
            try:
                info = path.stat()
                found.append((info.st_mtime_ns, info.st_size))
            except FileNotFoundError:
                found.append(None)
        return tuple(found)

    @contextmanager
    def open(self) -> Iterator[Source]:
        """The connection for one request, refreshed first if the database changed.

        Requests are served one at a time (they share the connection); queries still
        running ``timeout_s`` after the request started are interrupted, reported as a
        one-line StateError.
        """
        with self._lock:
            self._refresh()
            assert self._con is not None
            con = self._con
            source = Source(con, self.db, self._copied_at,
                            not self._is_snapshot and self._state == self.state(),
                            self._is_snapshot)
            timer = threading.Timer(self.timeout_s, con.interrupt)
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

    def _refresh(self) -> None:
        if not self.db.is_file():
            raise StateError(f"no attrdb database at {self.db}; create one with `attrdb init`")
        if self._con is not None and not self._is_snapshot and self._state == self.state():
            return
        if self._con is not None and time.monotonic() - self._tried_at < MIN_COPY_INTERVAL_S:
            return
        self._tried_at = time.monotonic()
        for _ in range(COPY_ATTEMPTS):
            before = self.state()
            self._serial += 1
            target = self._dir / f"copy-{self._serial}.duckdb"
            started = time.time()
            shutil.copyfile(self.db, target)
            if before[1] is not None:
                try:
                    shutil.copyfile(_wal(self.db), _wal(target))
                except FileNotFoundError:  # checkpointed away meanwhile: the state differs
                    pass
            if self.state() == before:
                self._adopt(target, before, started, is_snapshot=False)
                return
            _remove(target)
            time.sleep(_RETRY_PAUSE_S)
        if self._con is not None:
            return  # keep the older copy; its pages say how old it is
        snap = snapshot_path(self.db)
        if not snap.is_file():
            raise StateError(
                f"{self.db} changed during each of {COPY_ATTEMPTS} copies and no snapshot "
                "exists; reload the page"
            )
        self._adopt(snap, None, snap.stat().st_mtime, is_snapshot=True)

    def _adopt(self, target: Path, state: FileState | None, taken: float, *,
               is_snapshot: bool) -> None:
        from attrdb.adhoc import connect_sandboxed

        try:
            con = connect_sandboxed(target, timeout_s=self.timeout_s,
                                    memory_limit=self.memory_limit, notify=lambda _: None)
        except Exception:
            if not is_snapshot:
                _remove(target)
            raise
        self._drop()
        self._con, self._state, self._copied_at = con, state, taken
        self._is_snapshot = is_snapshot
        self._files = [] if is_snapshot else [target]

    def _drop(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
        for path in self._files:
            _remove(path)
        self._files = []


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
    _wal(path).unlink(missing_ok=True)
