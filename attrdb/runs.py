"""Provenance: one ``runs`` row for every stage run (stage, parameters, times, status)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import duckdb

from attrdb import __version__


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
    scope: str = "default",
    inputs_fingerprint: str | None = None,
) -> Iterator[StageRun]:
    """Record a stage run: status 'running', then 'ok', 'failed' or 'interrupted'.

    The row is written outside any transaction the stage opens, so a failed stage whose
    writes roll back still leaves its failure on record.
    """
    clean = json.loads(json.dumps(dict(params), default=str))
    run_id = con.execute(
        "INSERT INTO runs (stage, scope, params, inputs_fingerprint, attrdb_version, status) "
        "VALUES (?, ?, ?, ?, ?, 'running') RETURNING run_id",
        [stage, scope, json.dumps(clean, sort_keys=True), inputs_fingerprint, __version__],
    ).fetchall()[0][0]
    handle = StageRun(int(run_id), stage, clean)
    try:
        yield handle
    except KeyboardInterrupt:
        _finish(con, handle, "interrupted", "interrupted by the user")
        raise
    except BaseException as exc:
        _finish(con, handle, "failed", f"{type(exc).__name__}: {exc}")
        raise
    _finish(con, handle, "ok", None)


def _finish(con: duckdb.DuckDBPyConnection, run: StageRun, status: str, error: str | None) -> None:
    con.execute(
        "UPDATE runs SET status = ?, error = ?, summary = ?, finished_at = current_timestamp "
        "WHERE run_id = ?",
        [status, error, json.dumps(run.summary, default=str, sort_keys=True), run.run_id],
    )


def last_successful_run(
    con: duckdb.DuckDBPyConnection, stage: str, scope: str = "default"
) -> dict[str, Any] | None:
    """The newest 'ok' run of a stage in a scope, as a dict, or None."""
    rows = con.execute(
        "SELECT run_id, params, inputs_fingerprint, summary, finished_at FROM runs "
        "WHERE stage = ? AND scope = ? AND status = 'ok' ORDER BY run_id DESC LIMIT 1",
        [stage, scope],
    ).fetchall()
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
