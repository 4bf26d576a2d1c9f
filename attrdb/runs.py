"""Provenance: one ``runs`` row for every stage run (stage, parameters, times, status).

Statuses tell the truth about how a run ended:

- ``running``: the run is in progress (in this process or another).
- ``ok``: the stage finished and its work is committed; a Ctrl-C that arrives while the
  ``ok`` is being written is held until it is written.
- ``failed``: the stage raised an error (its writes rolled back).
- ``interrupted``: Ctrl-C, or DuckDB's "query interrupted" (``con.interrupt()``).
- ``crashed``: the process died without finishing the row (kill -9, out-of-memory killer,
  power loss). Nobody can write that from inside the dying process, so the *next writer*
  does it when it opens the database (``close_stale_runs``, called by ``connect``): DuckDB
  lets only one process hold a database file for writing, so once this process holds it,
  every ``running`` row not started by this very process belongs to a process that is gone.
  Runs of this process are tracked in memory (``_ACTIVE``) because DuckDB shares one
  database instance between connections of one process.

``attrdb run`` passes its inputs fingerprint through ``pending_fingerprint``, so the row
carries it from the moment the run starts and a killed stage is resumed, not recomputed.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import duckdb

from attrdb import __version__
from attrdb.context.scopes import DEFAULT_SCOPE
from attrdb.sqlfiles import query_sql_file, run_sql_file

CRASHED_ERROR = "the process ended without finishing this run (found by the next writer)"

# (database file, run_id) of every run this process is executing now.
_ACTIVE: set[tuple[str | None, int]] = set()
_ACTIVE_LOCK = threading.Lock()
# (stage, fingerprint) that ``attrdb run`` wants on the next run row of that stage.
_PENDING: ContextVar[tuple[str, str] | None] = ContextVar("attrdb_pending_fingerprint",
                                                          default=None)


def is_interrupt(exc: BaseException | None) -> bool:
    """True when ``exc`` is, or was caused by, Ctrl-C or DuckDB's "query interrupted".

    DuckDB raises ``duckdb.InterruptException`` for an interrupted statement; its Arrow
    streams raise an ``OSError`` whose text starts with "INTERRUPT", or, when the interrupt
    lands while a relation is being set up, a plain ``RuntimeError("Query interrupted")``;
    attrdb's SQL layer may wrap any of them in an ``AttrdbError`` (the original is the
    ``__cause__``).
    """
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, (KeyboardInterrupt, duckdb.InterruptException)):
            return True
        if isinstance(exc, OSError) and str(exc).lstrip().upper().startswith("INTERRUPT"):
            return True
        if isinstance(exc, RuntimeError) and str(exc).strip() == "Query interrupted":
            return True
        # `raise X from None` means X replaces the interrupt (e.g. a statement timeout).
        exc = exc.__cause__ if exc.__cause__ is not None else (
            None if exc.__suppress_context__ else exc.__context__
        )
        seen += 1
    return False


def database_file(con: duckdb.DuckDBPyConnection) -> str | None:
    """The file ``con``'s current database lives in (None when it is in memory)."""
    rows = query_sql_file(con, "runs/database_file")
    return str(rows[0][0]) if rows and rows[0][0] else None


def close_stale_runs(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Mark ``running`` rows whose process is gone as ``crashed``; returns their run ids.

    Call only on a connection that holds the database for writing (``connect`` does): the
    write lock proves that no other process runs a stage on this file, and runs of this
    process are excluded through ``_ACTIVE``. An in-memory database has no other process.
    """
    path = database_file(con)
    with _ACTIVE_LOCK:
        mine = sorted(run_id for db, run_id in _ACTIVE if db == path)
    rows = query_sql_file(con, "runs/close_stale", {"error": CRASHED_ERROR, "mine": mine})
    return sorted(int(r[0]) for r in rows)


@contextmanager
def pending_fingerprint(stage: str, fingerprint: str) -> Iterator[None]:
    """Inside the block, the next ``stage_run`` rows of ``stage`` start with ``fingerprint``."""
    token = _PENDING.set((stage, fingerprint))
    try:
        yield
    finally:
        _PENDING.reset(token)


@contextmanager
def _sigint_held() -> Iterator[None]:
    """Hold Ctrl-C while a run's final status is written, then deliver it.

    Without this, a Ctrl-C right after a stage committed interrupts the ``UPDATE runs`` that
    records 'ok' and leaves a finished run looking unfinished. Signals can only be handled
    in the main thread; elsewhere the block runs unprotected.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt


class PhaseClock:
    """Seconds per phase of a stage run, for its summary: ``lap(name)`` ends a phase."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._start = time.perf_counter()

    def lap(self, phase: str) -> None:
        """Record the seconds since the previous lap (or creation) under ``phase``."""
        now = time.perf_counter()
        self.seconds[phase] = round(now - self._start, 3)
        self._start = now


@dataclass
class StageRun:
    """Handle a stage uses to report what it wrote; the ``runs`` row is finished on exit."""

    run_id: int
    stage: str
    params: dict[str, Any]
    summary: dict[str, Any] = field(default_factory=dict)


@contextmanager
def stage_run(
    con: duckdb.DuckDBPyConnection,
    stage: str,
    params: Mapping[str, Any],
    *,
    scope: str = DEFAULT_SCOPE,
    inputs_fingerprint: str | None = None,
) -> Iterator[StageRun]:
    """Record a stage run: status 'running', then 'ok', 'failed' or 'interrupted'.

    The row is written outside any transaction the stage opens, so a failed stage whose
    writes roll back still leaves its failure on record. A fingerprint set by
    ``pending_fingerprint`` for this stage replaces ``inputs_fingerprint``. Ctrl-C and
    DuckDB's "query interrupted" (also when wrapped in an attrdb error) record
    'interrupted'; the exception propagates unchanged (the CLI exits 130).
    """
    pending = _PENDING.get()
    if pending is not None and pending[0] == stage:
        inputs_fingerprint = pending[1]
    clean = json.loads(json.dumps(dict(params), default=str))
    run_id = query_sql_file(con, "runs/start", {
        "stage": stage, "scope": scope, "params": json.dumps(clean, sort_keys=True),
        "inputs_fingerprint": inputs_fingerprint, "attrdb_version": __version__,
    })[0][0]
    handle = StageRun(int(run_id), stage, clean)
    key = (database_file(con), handle.run_id)
    with _ACTIVE_LOCK:
        _ACTIVE.add(key)
    try:
        try:
            yield handle
        except BaseException as exc:
            if is_interrupt(exc):
                _finish(con, handle, "interrupted", "interrupted by the user")
            else:
                _finish(con, handle, "failed", f"{type(exc).__name__}: {exc}")
            raise
        _finish(con, handle, "ok", None)
    finally:
        with _ACTIVE_LOCK:
            _ACTIVE.discard(key)


def _finish(con: duckdb.DuckDBPyConnection, run: StageRun, status: str, error: str | None) -> None:
    with _sigint_held():
        run_sql_file(con, "runs/finish", {
            "run_id": run.run_id, "status": status, "error": error,
            "summary": json.dumps(run.summary, default=str, sort_keys=True),
        })


def last_successful_run(
    con: duckdb.DuckDBPyConnection, stage: str, scope: str = DEFAULT_SCOPE
) -> dict[str, Any] | None:
    """The newest 'ok' run of a stage in a scope, as a dict, or None."""
    rows = query_sql_file(con, "runs/last_ok", {"stage": stage, "scope": scope})
    if not rows:
        return None
    run_id, params, fingerprint, summary, finished_at = rows[0]
    return {
        "run_id": run_id,
        "params": json.loads(params) if params else {},
        "inputs_fingerprint": fingerprint,
        "summary": json.loads(summary) if summary else {},
        "finished_at": finished_at,
    }
