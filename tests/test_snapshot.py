"""Snapshots: readers read a published copy while another process holds the database."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from attrdb.cli import app, main
from attrdb.connection import connect
from attrdb.errors import AttrdbError, StateError
from attrdb.snapshot import open_for_reading, publish, snapshot_path
from tests.conftest import copy_db

# A writer in its own process: holds the database open, adds products and publishes on
# each command read from stdin, answering "ok <count>" so the test can step it.
WRITER = textwrap.dedent(
    """
    import sys
    from attrdb.connection import connect
    from attrdb.snapshot import publish
    db = sys.argv[1]
    con = connect(db)
    print("ready", flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "quit":
            break
        if command.startswith("add "):
            n = int(command.split()[1])
            con.execute(
                "INSERT INTO products (product_id, title, source, source_row) "
                "SELECT 'w' || i, 'written while readers read', 'writer', i FROM range(?) t(i) "
                "WHERE 'w' || i NOT IN (SELECT product_id FROM products)", [n])
        if command == "publish":
            publish(con, db)
        total = con.execute("SELECT count(*) FROM products").fetchall()[0][0]
        print(f"ok {total}", flush=True)
    con.close()
    """
)


class Writer:
    """Steps the writer process."""

    def __init__(self, db: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert self._line() == "ready"

    def _line(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line:
            err = self.process.stderr.read() if self.process.stderr else ""
            raise AssertionError(f"writer died: {err}")
        return line

    def send(self, command: str) -> int:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        answer = self._line()
        assert answer.startswith("ok "), answer
        return int(answer.split()[1])

    def stop(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.write("quit\n")
            self.process.stdin.flush()
            self.process.wait(timeout=30)


@pytest.fixture
def writer_db(ingested_db: Path, tmp_path: Path) -> Path:
    return copy_db(ingested_db, tmp_path, "live.duckdb")


@pytest.fixture
def writer(writer_db: Path) -> Iterator[Writer]:
    handle = Writer(writer_db)
    yield handle
    handle.stop()


def _count(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT count(*) FROM products").fetchall()[0][0])


def test_snapshot_path_naming() -> None:
    assert snapshot_path("/x/attrdb.duckdb") == Path("/x/attrdb.snapshot.duckdb")
    assert snapshot_path("/x/data.db") == Path("/x/data.db.snapshot.duckdb")


def test_reader_reads_snapshot_while_writer_holds_the_database(
    writer: Writer, writer_db: Path
) -> None:
    # The documented DuckDB behaviour the snapshot works around: no second process at all.
    with pytest.raises(duckdb.IOException, match="lock"):
        duckdb.connect(str(writer_db), read_only=True)

    assert writer.send("add 10") == 959
    with pytest.raises(StateError, match="no snapshot exists yet"):
        open_for_reading(writer_db)
    assert writer.send("publish") == 959
    # Publishing must not release the writer's lock (closing a second descriptor of the
    # database file would drop the process's POSIX lock).
    with pytest.raises(duckdb.IOException, match="lock"):
        duckdb.connect(str(writer_db), read_only=True)

    con, opened, is_snapshot = open_for_reading(writer_db)
    assert is_snapshot and opened == snapshot_path(writer_db)
    assert _count(con) == 959

    # The writer keeps writing and republishes; the open reader keeps its consistent copy.
    assert writer.send("add 20") == 969
    assert writer.send("publish") == 969
    assert _count(con) == 959
    con.close()
    fresh, _, _ = open_for_reading(writer_db, snapshot=True)
    assert _count(fresh) == 969
    fresh.close()

    # The CLI's readers fall back to the snapshot and say so.
    result = CliRunner().invoke(
        app,
        ["--db", str(writer_db), "sql", "SELECT count(*) AS n FROM products", "--format", "csv"],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "n\n969\n"
    assert "reading the snapshot" in result.stderr
    # The writer was never disturbed.
    assert writer.send("add 21") == 970


def test_publish_and_read_in_one_process(writer_db: Path) -> None:
    con = connect(writer_db)
    con.execute(
        "INSERT INTO products (product_id, title, source, source_row) VALUES ('n1', 't', 's', 1)"
    )
    target = publish(con, writer_db)
    con.close()
    assert target == snapshot_path(writer_db)
    assert not list(writer_db.parent.glob(".*.tmp"))
    snap = connect(target, read_only=True)
    assert _count(snap) == 950
    # The snapshot is a full attrdb database: schema check passed, views and macros work.
    assert snap.execute("SELECT count(*) FROM kept_products").fetchall()[0][0] == 0
    snap.close()


def test_publish_command_and_snapshot_flag(writer_db: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["--db", str(writer_db), "publish"])
    assert result.exit_code == 0, result.output
    assert snapshot_path(writer_db).is_file()
    result = runner.invoke(
        app, ["--db", str(writer_db), "sql", "--snapshot", "SELECT count(*) FROM products",
              "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    assert '"count_star()": 949' in result.stdout


def test_snapshot_flag_without_snapshot_is_one_line_error(
    writer_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--db", str(writer_db), "sql", "--snapshot", "SELECT 1"])
    assert info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: no snapshot at") and "\n" not in err


def test_in_memory_database_cannot_publish() -> None:
    con = connect(":memory:", create=True)
    with pytest.raises(AttrdbError, match="only a database file"):
        publish(con, ":memory:")
    con.close()
