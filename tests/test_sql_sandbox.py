"""attrdb sql is a sandbox: hostile queries are refused with one line, exit 1, no traceback.

Each escape attempt runs through the real CLI entry point (``attrdb.cli.main``) on the
bundled sample's database, with real files beside it that a query might try to read (a
Parquet file, a CSV, a JSON file, another DuckDB database with a ``secrets`` table, a
SQLite file). None of their contents, nor the machine's files or environment, may come out.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from attrdb.adhoc import (
    DEFAULT_MEMORY_LIMIT,
    DEFAULT_TIMEOUT_S,
    connect_sandboxed,
    sandbox_timeout,
    statement_timeout,
)
from attrdb.cli import main
from attrdb.errors import InputError, StateError
from attrdb.snapshot import publish, snapshot_path
from tests.conftest import copy_db

SECRET = "attrdb-sandbox-secret-7d1f"


@pytest.fixture(scope="module")
def bait(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Files beside the database that an escaping query would read, each holding SECRET."""
    folder = tmp_path_factory.mktemp("bait")
    paths = {name: str(folder / name) for name in (
        "bait.parquet", "bait.csv", "bait.json", "other.duckdb", "bait.sqlite", "out.csv")}
    con = duckdb.connect()
    con.execute(f"COPY (SELECT '{SECRET}' AS s) TO '{paths['bait.parquet']}' (FORMAT parquet)")
    con.close()
    Path(paths["bait.csv"]).write_text(f"s\n{SECRET}\n")
    Path(paths["bait.json"]).write_text(json.dumps({"s": SECRET}) + "\n")
    other = duckdb.connect(paths["other.duckdb"])
    other.execute(f"CREATE TABLE secrets AS SELECT '{SECRET}' AS s")
    other.close()
    lite = sqlite3.connect(paths["bait.sqlite"])
    lite.execute("CREATE TABLE t (s TEXT)")
    lite.execute("INSERT INTO t VALUES (?)", [SECRET])
    lite.commit()
    lite.close()
    paths["dir"] = str(folder)
    return paths


# Every attempt must be refused. {name} is replaced by the bait file's path.
ESCAPES = [
    # files
    "SELECT content FROM read_text('/proc/self/environ')",
    "SELECT content FROM read_text('/proc/1/environ')",
    "SELECT content FROM read_text('/proc/self/cmdline')",
    "SELECT content FROM read_blob('/etc/shadow')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_csv('/etc/passwd', delim=':', header=false)",
    "SELECT * FROM read_csv_auto('{bait.csv}')",
    "SELECT * FROM sniff_csv('{bait.csv}')",
    "SELECT * FROM glob('/*')",
    "SELECT * FROM glob('{dir}/*')",
    "FROM '{bait.parquet}'",
    "SELECT * FROM '{bait.csv}'",
    "SELECT * FROM '/etc/passwd'",
    "SELECT * FROM read_parquet('{bait.parquet}')",
    "SELECT * FROM read_parquet(['{bait.parquet}', '{bait.parquet}'])",
    "SELECT * FROM parquet_metadata('{bait.parquet}')",
    "SELECT * FROM parquet_schema('{bait.parquet}')",
    "SELECT * FROM read_json('{bait.json}')",
    "SELECT * FROM read_json_auto('{bait.json}')",
    "SELECT * FROM read_ndjson_objects('{bait.json}')",
    "WITH t AS (SELECT * FROM read_text('/etc/passwd')) SELECT * FROM t",
    "SELECT (SELECT content FROM read_text('/etc/hostname')) AS h",
    "EXPLAIN ANALYZE SELECT * FROM read_text('/etc/passwd')",
    "DESCRIBE SELECT * FROM read_text('/etc/passwd')",
    "SUMMARIZE SELECT * FROM '{bait.csv}'",
    # environment
    "SELECT getenv('HOME')",
    # other databases
    "SELECT * FROM read_duckdb('{other.duckdb}', table_name='secrets')",
    "ATTACH '{other.duckdb}' AS other",
    "ATTACH '{bait.sqlite}' AS lite (TYPE sqlite)",
    "SELECT * FROM sqlite_scan('{bait.sqlite}', 't')",
    "SELECT * FROM '{other.duckdb}'",
    # extensions and network
    "INSTALL httpfs",
    "FORCE INSTALL sqlite_scanner",
    "LOAD httpfs",
    "SELECT * FROM read_parquet('http://127.0.0.1:9/x.parquet')",
    "SELECT * FROM read_csv('https://127.0.0.1:9/x.csv')",
    "SELECT * FROM 's3://attrdb-bucket/x.parquet'",
    "SELECT * FROM iceberg_scan('{dir}')",
    # settings
    "SET enable_external_access = true",
    "SET GLOBAL enable_external_access = true",
    "SET lock_configuration = false",
    "RESET enable_external_access",
    "SET memory_limit = '100GB'",
    "PRAGMA enable_profiling",
    "CALL enable_logging()",
    "CREATE SECRET (TYPE s3, KEY_ID 'x', SECRET 'y')",
    # SQL hidden in strings
    "SELECT * FROM query('SELECT * FROM read_text(''/etc/passwd'')')",
    "SELECT * FROM query('SELECT 1')",
    "SELECT * FROM query_table('/etc/passwd')",
    "SELECT * FROM query_table(['{bait.parquet}'])",
    # writes out of the database
    "COPY products TO '{out.csv}'",
    "COPY (SELECT 1) TO '{dir}/x.parquet' (FORMAT parquet)",
    "COPY products FROM '{bait.csv}'",
    "EXPORT DATABASE '{dir}/dump'",
    "CREATE TABLE stolen AS SELECT * FROM read_text('/etc/passwd')",
]


def _fill(query: str, bait: dict[str, str]) -> str:
    for name, path in bait.items():
        query = query.replace("{" + name + "}", path)
    return query


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the CLI as the console script does; (exit code, stdout, stderr)."""
    code = 0
    try:
        main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_at_least_forty_escapes() -> None:
    assert len(ESCAPES) >= 40


@pytest.mark.parametrize("query", ESCAPES, ids=[q[:50] for q in ESCAPES])
def test_escape_is_refused_in_one_line(
    query: str, bait: dict[str, str], ingested_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(["--db", str(ingested_db), "sql", _fill(query, bait)], capsys)
    assert code == 1, (out, err)
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and SECRET not in out + err and "root:" not in out
    assert not Path(bait["out.csv"]).exists() and not Path(bait["dir"], "dump").exists()


@pytest.mark.parametrize("name", ["bait.sqlite", "bait.parquet", "bait.csv"])
@pytest.mark.parametrize("command", [["sql", "SELECT 1"], ["init"], ["migrate", "--check"]])
def test_non_duckdb_file_as_db_is_refused_before_duckdb_opens_it(
    name: str, command: list[str], bait: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    before = Path(bait[name]).read_bytes()
    code, out, err = _run(["--db", bait[name], *command], capsys)
    assert code == 1 and out == ""
    assert err.startswith("error: ") and "is not a DuckDB database" in err
    assert err.count("\n") == 1
    assert Path(bait[name]).read_bytes() == before


def test_views_and_macros_still_run(ingested_db: Path) -> None:
    con = connect_sandboxed(ingested_db)
    try:
        assert con.execute("SELECT count(*) FROM kept_products").fetchall()[0][0] == 0
        assert con.execute("SELECT value_words('Red  shirt')").fetchall()[0][0]
        assert con.execute("SELECT current_setting('enable_external_access')").fetchall() == [
            (False,)]
        assert sandbox_timeout(con) == DEFAULT_TIMEOUT_S
        limit = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        assert limit.split()[0] != "0"
    finally:
        con.close()
    assert DEFAULT_MEMORY_LIMIT.endswith("GB")


def test_cli_defaults_match_the_library() -> None:
    import inspect

    from attrdb.adhoc import run_adhoc
    from attrdb.cli import app

    command = next(c for c in app.registered_commands if c.name == "sql")
    defaults = {k: v.default for k, v in inspect.signature(command.callback).parameters.items()}
    library = inspect.signature(run_adhoc).parameters
    assert defaults["timeout"] == library["timeout_s"].default
    assert defaults["memory_limit"] == library["memory_limit"].default


def test_query_starting_with_a_comment_is_the_query(
    ingested_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(
        ["--db", str(ingested_db), "sql", "-- how many?\nSELECT count(*) AS n FROM products",
         "--format", "csv"], capsys)
    assert code == 0, err
    assert out == "n\n949\n"
    code, out, err = _run(["--db", str(ingested_db), "sql", "--max-row"], capsys)
    assert code == 1 and err == "error: no such option: --max-row (see `attrdb sql --help`)\n"


def test_runaway_query_stops_at_its_timeout(
    ingested_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.perf_counter()
    code, out, err = _run(
        ["--db", str(ingested_db), "sql", "--timeout", "0.5",
         "SELECT sum(i * j) FROM range(1000000000) t(i), range(1000) u(j)"], capsys)
    assert time.perf_counter() - started < 20
    assert code == 1 and out == ""
    assert err == "error: query stopped: it ran past its 0.5 s timeout (--timeout)\n"


def test_statement_timeout_helper_leaves_the_connection_usable(ingested_db: Path) -> None:
    con = connect_sandboxed(ingested_db)
    try:
        with statement_timeout(con, 0.3) as timer, pytest.raises(duckdb.InterruptException):
            con.execute("SELECT sum(i * j) FROM range(1000000000) t(i), range(1000) u(j)")
        assert timer.fired
        with statement_timeout(con, 30) as timer:
            assert con.execute("SELECT 42").fetchall() == [(42,)]
        assert not timer.fired
    finally:
        con.close()


# The peak of the child's own address space: VmHWM starts afresh at exec, while
# getrusage's ru_maxrss inherits the parent's high-water mark at fork (a long pytest run
# would report its own size for a SELECT 1).
PEAK = textwrap.dedent(
    """
    import sys
    from attrdb.cli import main
    try:
        main(sys.argv[1:])
    finally:
        with open("/proc/self/status") as status:
            peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
        print(f"peak_kb {peak}", file=sys.stderr)
    """
)


def _peak_mb(db: Path, query: str) -> tuple[subprocess.CompletedProcess[str], float]:
    result = subprocess.run(
        [sys.executable, "-c", PEAK, "--db", str(db), "sql", query, "--max-rows", "3"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result, int(result.stderr.split("peak_kb ")[1].split()[0]) / 1024


def test_max_rows_streams_a_huge_result_in_bounded_memory(ingested_db: Path) -> None:
    # In a child process, so the peak RSS is the command's own; fetching all 50 M rows
    # would take ~1.6 GB. The first run also compiles any uncached bytecode.
    _, baseline_mb = _peak_mb(ingested_db, "SELECT 1")
    result, peak_mb = _peak_mb(
        ingested_db, "SELECT i, i * 2 AS j, 'x' || i AS s FROM range(50000000) t(i)")
    assert result.stdout.splitlines()[-1] == "(first 3 rows; more not shown)"
    assert "more rows not shown" in result.stderr
    assert peak_mb < 200, f"peak RSS {peak_mb:.0f} MB (SELECT 1: {baseline_mb:.0f} MB)"


# --- Lock behaviour: a reader beside a running stage ------------------------------------

HOLDER = textwrap.dedent(
    """
    import sys
    from attrdb.connection import connect
    con = connect(sys.argv[1])
    print("holding", flush=True)
    sys.stdin.readline()
    con.close()
    """
)


@pytest.fixture
def held_db(ingested_db: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of the database held for writing by another process (a running stage)."""
    db = copy_db(ingested_db, tmp_path, "held.duckdb")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    yield db
    assert holder.stdin is not None
    holder.stdin.write("done\n")
    holder.stdin.flush()
    holder.wait(timeout=30)


def test_locked_database_without_snapshot_is_one_line(
    held_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(StateError, match="locked by a running stage and no snapshot"):
        connect_sandboxed(held_db)
    code, out, err = _run(["--db", str(held_db), "sql", "SELECT 1"], capsys)
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "locked by a running stage" in err


def test_locked_database_falls_back_to_the_snapshot_and_says_its_age(
    ingested_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = copy_db(ingested_db, tmp_path, "held.duckdb")
    writer = duckdb.connect(str(db))
    publish(writer, db)
    writer.close()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        notes: list[str] = []
        con = connect_sandboxed(db, notify=notes.append)
        assert con.execute("SELECT count(*) FROM products").fetchall() == [(949,)]
        con.close()
        assert len(notes) == 1 and str(snapshot_path(db)) in notes[0]
        assert "published" in notes[0] and " ago" in notes[0] and "locked" in notes[0]
        code, out, err = _run(["--db", str(db), "sql", "SELECT count(*) AS n FROM products",
                               "--format", "csv"], capsys)
        assert code == 0 and out == "n\n949\n"
        assert err.startswith("reading the snapshot") and " s ago" in err
    finally:
        assert holder.stdin is not None
        holder.stdin.write("done\n")
        holder.stdin.flush()
        holder.wait(timeout=30)


def test_reader_does_not_block_a_writer_in_another_process(
    ingested_db: Path, tmp_path: Path
) -> None:
    # A long query reads the snapshot, so the stage that starts meanwhile opens the database.
    db = copy_db(ingested_db, tmp_path, "busy.duckdb")
    writer = duckdb.connect(str(db))
    publish(writer, db)
    writer.close()
    con = connect_sandboxed(db, snapshot=True)
    try:
        started = subprocess.run(
            [sys.executable, "-c", "import sys; from attrdb.connection import connect; "
             "connect(sys.argv[1]).close(); print('opened')", str(db)],
            capture_output=True, text=True, timeout=60,
        )
        assert started.returncode == 0 and started.stdout.strip() == "opened", started.stderr
    finally:
        con.close()


def test_explicit_snapshot_without_one_is_refused(ingested_db: Path, tmp_path: Path) -> None:
    db = copy_db(ingested_db, tmp_path, "nosnap.duckdb")
    with pytest.raises(StateError, match="no snapshot at"):
        connect_sandboxed(db, snapshot=True)
    empty = tmp_path / "empty.duckdb"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="not a DuckDB database"):
        connect_sandboxed(empty)


def test_writer_blocked_by_a_reader_gets_one_clear_line(ingested_db: Path, tmp_path: Path) -> None:
    # DuckDB gives a file to one writer or to readers: a stage cannot start while a query
    # reads the database itself (not its snapshot). The stage says who holds the file.
    db = copy_db(ingested_db, tmp_path, "read.duckdb")
    reader = subprocess.Popen(
        [sys.executable, "-c", "import sys; from attrdb.adhoc import connect_sandboxed; "
         "c = connect_sandboxed(sys.argv[1]); print('reading', flush=True); sys.stdin.readline()",
         str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout is not None and reader.stdout.readline().strip() == "reading"
        from attrdb.connection import connect

        with pytest.raises(StateError) as info:
            connect(db)
        message = str(info.value)
        assert f"(PID {reader.pid})" in message and "in use by another process" in message
        assert "\n" not in message and "snapshot" in message
    finally:
        assert reader.stdin is not None
        reader.stdin.write("done\n")
        reader.stdin.flush()
        reader.wait(timeout=30)


# The CLI with a line on stderr once the query has started.
ANNOUNCED = textwrap.dedent(
    """
    import sys
    import attrdb.adhoc as adhoc
    from attrdb.cli import main
    original = adhoc.stream_query
    def announced(*args, **kwargs):
        print("started", file=sys.stderr, flush=True)
        return original(*args, **kwargs)
    adhoc.stream_query = announced
    main(sys.argv[1:])
    """
)


def test_ctrl_c_stops_a_runaway_query_with_exit_130(ingested_db: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", ANNOUNCED, "--db", str(ingested_db), "sql",
         "SELECT sum(i * j) FROM range(1000000000) t(i), range(1000) u(j)"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stderr is not None and child.stderr.readline().strip() == "started"
    time.sleep(0.5)  # inside DuckDB, where Python itself would not see Ctrl-C
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 130, err
    assert out == "" and err == "error: interrupted; rerun the same command to resume\n"
