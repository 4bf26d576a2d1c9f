"""Run states tell the truth: crashed runs are closed, interrupts are 'interrupted' and exit
130, a committed run is never reported interrupted, and a killed stage resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import duckdb
import pytest

from attrdb.cli import main
from attrdb.connection import connect
from attrdb.errors import SqlError
from attrdb.runs import (
    CRASHED_ERROR,
    _sigint_held,
    close_stale_runs,
    is_interrupt,
    pending_fingerprint,
    stage_run,
)
from tests.conftest import copy_db

# A stage that starts, says so, and waits forever (until killed).
HANGING_STAGE = textwrap.dedent(
    """
    import sys, time
    from attrdb.connection import connect
    from attrdb.runs import stage_run
    con = connect(sys.argv[1])
    with stage_run(con, "probe", {"n": 1}):
        print("started", flush=True)
        time.sleep(600)
    """
)


def _statuses(db: Path) -> list[tuple[str, str, str | None, bool]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT stage, status, error, finished_at IS NOT NULL FROM runs ORDER BY run_id"
        ).fetchall()
    finally:
        con.close()
    return [(str(r[0]), str(r[1]), r[2], bool(r[3])) for r in rows]


def test_killed_run_is_closed_as_crashed_by_the_next_writer(db_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", HANGING_STAGE, str(db_path)],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "started"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert _statuses(db_path) == [("probe", "running", None, False)]  # readers change nothing
    connect(db_path).close()  # the next writer
    assert _statuses(db_path) == [("probe", "crashed", CRASHED_ERROR, True)]
    con = duckdb.connect(str(db_path), read_only=True)
    assert con.execute("SELECT status FROM latest_runs WHERE stage = 'probe'").fetchall() == [
        ("crashed",)]
    con.close()


def test_a_run_of_this_process_is_not_closed_by_a_second_connection(db_path: Path) -> None:
    con = connect(db_path)
    with stage_run(con, "probe", {}):
        # DuckDB shares one instance per process: this open does not prove the run dead.
        other = connect(db_path)
        assert close_stale_runs(other) == []
        other.close()
        assert con.execute("SELECT status FROM runs").fetchall() == [("running",)]
    assert con.execute("SELECT status FROM runs").fetchall() == [("ok",)]
    con.close()


def test_duckdb_interrupt_is_recorded_interrupted_and_exits_130(
    db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    con = connect(db_path)
    timer = threading.Timer(0.3, con.interrupt)
    timer.start()
    with pytest.raises(duckdb.InterruptException), stage_run(con, "probe", {}):
        con.execute("SELECT sum(i * j) FROM range(1000000000) t(i), range(1000) u(j)")
    # Wrapped by the SQL layer (SqlError from the interrupt): still 'interrupted'.
    with pytest.raises(SqlError), stage_run(con, "probe", {}):
        try:
            raise duckdb.InterruptException("INTERRUPT Error: Interrupted!")
        except duckdb.Error as exc:
            raise SqlError("sql/x.sql: InterruptException: Interrupted!") from exc
    assert [r[0] for r in con.execute("SELECT status FROM runs ORDER BY run_id").fetchall()] == [
        "interrupted", "interrupted"]
    con.close()

    # The CLI turns the raw and the wrapped exception into exit 130 and one line.
    import attrdb.adhoc

    for error in (duckdb.InterruptException("Query interrupted"),
                  SqlError("query failed: interrupted")):
        def fail(*args: object, error: Exception = error, **kwargs: object) -> list[str]:
            if isinstance(error, SqlError):
                raise error from duckdb.InterruptException("Query interrupted")
            raise error

        monkeypatch.setattr(attrdb.adhoc, "run_adhoc", fail)
        with pytest.raises(SystemExit) as info:
            main(["--db", str(db_path), "sql", "SELECT 1"])
        assert info.value.code == 130
        err = capsys.readouterr().err
        assert err == "error: interrupted; rerun the same command to resume\n"


def test_timeout_is_not_taken_for_an_interrupt() -> None:
    try:
        try:
            raise duckdb.InterruptException("INTERRUPT Error: Interrupted!")
        except duckdb.Error:
            raise SqlError("query stopped: it ran past its 1 s timeout") from None
    except SqlError as exc:
        assert not is_interrupt(exc)


def test_ctrl_c_while_the_ok_is_written_keeps_the_run_ok(db_path: Path) -> None:
    con = connect(db_path)
    run_id = con.execute(
        "INSERT INTO runs (stage, attrdb_version, status) VALUES ('probe', 'x', 'running') "
        "RETURNING run_id").fetchall()[0][0]
    with pytest.raises(KeyboardInterrupt), _sigint_held():
        os.kill(os.getpid(), signal.SIGINT)  # arrives in the middle of the final write
        con.execute("UPDATE runs SET status = 'ok' WHERE run_id = ?", [run_id])
    assert con.execute("SELECT status FROM runs").fetchall() == [("ok",)]
    con.close()


def test_pending_fingerprint_is_on_the_row_from_the_start(db_path: Path) -> None:
    con = connect(db_path)
    with pending_fingerprint("probe", "p:1;i:2"), stage_run(con, "probe", {}) as run:
        seen = con.execute("SELECT inputs_fingerprint, status FROM runs WHERE run_id = ?",
                           [run.run_id]).fetchall()
    assert seen == [("p:1;i:2", "running")]
    with stage_run(con, "other", {}, inputs_fingerprint="mine") as run:
        pass
    assert con.execute("SELECT inputs_fingerprint FROM runs WHERE run_id = ?",
                       [run.run_id]).fetchall() == [("mine",)]
    con.close()


# `attrdb run` whose split stage is killed (SIGKILL) inside its run, deterministically.
KILLED_PIPELINE = textwrap.dedent(
    """
    import os, signal, sys
    import attrdb.splits
    from attrdb.pipeline import load_config, run_pipeline
    from attrdb.runs import stage_run

    def killed_split(con, **kwargs):
        with stage_run(con, "split", kwargs):
            os.kill(os.getpid(), signal.SIGKILL)

    attrdb.splits.run_split = killed_split
    run_pipeline(sys.argv[1], load_config(sys.argv[2]), echo=lambda line: None)
    """
)


def test_attrdb_run_resumes_a_killed_stage(ingested_db: Path, tmp_path: Path) -> None:
    from attrdb.pipeline import load_config, run_pipeline

    config = tmp_path / "run.toml"
    config.write_text("[pipeline]\npublish = false\n\n[split]\nseed = 0\n")
    db = copy_db(ingested_db, tmp_path, "killed.duckdb")
    child = subprocess.run([sys.executable, "-c", KILLED_PIPELINE, str(db), str(config)],
                           capture_output=True, text=True, timeout=300)
    assert child.returncode == -signal.SIGKILL, child.stderr
    # The row carries the fingerprint although the process never got past the stage.
    assert [s[:2] for s in _statuses(db)] == [("ingest", "ok"), ("split", "running")]
    result = run_pipeline(db, load_config(config), echo=lambda line: None)
    [(action, reason)] = [(o.action, o.reason) for o in result.outcomes]
    assert action == "resumed" and "crashed" in reason, reason
    assert [s[:2] for s in _statuses(db)] == [
        ("ingest", "ok"), ("split", "crashed"), ("split", "ok")]
