"""Safe ad-hoc SQL (``attrdb sql``): one read-only query, printed or written out.

Three layers keep an ad-hoc query from changing anything:

1. The text must hold exactly one statement whose leading keyword is a read (SELECT, FROM,
   WITH, VALUES, TABLE, DESCRIBE, SHOW, SUMMARIZE, PIVOT, UNPIVOT, EXPLAIN); anything else
   (INSERT, CREATE TABLE, ATTACH, COPY, INSTALL, LOAD, PRAGMA, SET, CALL, EXPORT DATABASE,
   CHECKPOINT, BEGIN, ...) is refused with a one-line message naming the statement kind.
   The leading keyword is read from sqlglot's tokens because sqlglot parses some DuckDB
   statements oddly (``CHECKPOINT`` as a column, ``EXPORT DATABASE`` not at all).
2. The statement is parsed with sqlglot and every node of the tree is checked, so writes
   hidden in a CTE (``WITH x AS (...) INSERT ...``) are refused too; a statement sqlglot
   cannot parse is refused rather than run unchecked.
3. The connection is a *sandbox* (``connect_sandboxed``): read-only, external access off
   (no files, globs, replacement scans, URLs or other databases), extension auto-install and
   auto-load off, a memory limit, and the configuration locked, so whatever slipped through
   cannot read the machine, write the file or change settings. Views and macros still run.

Results are streamed as Arrow record batches (``con.sql(q).to_arrow_reader``), so the table
format stops reading after ``max_rows`` and CSV/JSON/Parquet output holds one batch at a
time; ``statement_timeout`` interrupts a query that runs past its limit. The report and the
snapshot readers open their connections through ``connect_sandboxed`` too.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import select
import signal
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.errors import SqlglotError
from sqlglot.tokens import Token, TokenType

from attrdb.connection import require_duckdb_file
from attrdb.errors import AttrdbError, InputError, SqlError, StateError, first_line
from attrdb.runs import is_interrupt

FORMATS = ("table", "csv", "json", "parquet")

#: A query running longer than this is interrupted (``attrdb sql --timeout``).
DEFAULT_TIMEOUT_S = 300.0
#: DuckDB's memory cap for a sandboxed reader; big sorts and joins spill or fail cleanly.
DEFAULT_MEMORY_LIMIT = "2GB"
#: Rows per streamed Arrow record batch.
BATCH_ROWS = 8192

# Settings of every sandboxed connection. External access off is what stops read_text,
# read_csv, glob, replacement scans ('x.parquet'), URLs, ATTACH and read_duckdb; the two
# extension switches stop a query (or a SQLite file given as --db) from fetching or loading
# an extension. DuckDB still spills big sorts to its own temp directory.
SANDBOX_CONFIG: dict[str, str | bool | int | float] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
}

_log = logging.getLogger("attrdb")

_READ_LEADERS = {
    "SELECT", "FROM", "WITH", "VALUES", "TABLE", "DESCRIBE", "DESC", "SHOW", "SUMMARIZE",
    "PIVOT", "PIVOT_WIDER", "UNPIVOT", "EXPLAIN", "(",
}
_READ_ROOTS: tuple[type[exp.Expr], ...] = (
    exp.Query, exp.Values, exp.Describe, exp.Show, exp.Summarize, exp.Pivot,
)
# Node types that change state wherever they appear in a tree, with the kind to report.
_WRITE_NODES: tuple[tuple[type[exp.Expr], str], ...] = (
    (exp.Insert, "INSERT"), (exp.Update, "UPDATE"), (exp.Delete, "DELETE"),
    (exp.Merge, "MERGE"), (exp.Create, "CREATE"), (exp.Drop, "DROP"), (exp.Alter, "ALTER"),
    (exp.TruncateTable, "TRUNCATE"), (exp.Copy, "COPY"), (exp.Attach, "ATTACH"),
    (exp.Detach, "DETACH"), (exp.Install, "INSTALL"), (exp.Pragma, "PRAGMA"), (exp.Set, "SET"),
    (exp.Use, "USE"), (exp.Transaction, "BEGIN"), (exp.Commit, "COMMIT"),
    (exp.Rollback, "ROLLBACK"), (exp.Command, "command"), (exp.Analyze, "ANALYZE"),
    (exp.Comment, "COMMENT"),
)
# Words that qualify the leading keyword in the kind we name (CREATE OR REPLACE TABLE ...).
_QUALIFIERS = {"OR", "REPLACE", "TEMP", "TEMPORARY", "PERSISTENT", "UNIQUE", "IF", "NOT",
               "EXISTS", "FORCE", "ON"}
_KIND_WITH_OBJECT = {"CREATE", "DROP", "ALTER", "COMMENT"}
_EXPLAIN = re.compile(r"^\s*EXPLAIN(\s+ANALY[SZ]E)?\s*", re.IGNORECASE)
# Table functions that run a query given as a string: the checks above never see it.
_HIDDEN_SQL_FUNCTIONS = {"query"}
_OPTION_LIKE = re.compile(r"^--?[A-Za-z][\w-]*(=\S*)?$")
_ALLOWED_TEXT = "SELECT, WITH, FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE, PIVOT, EXPLAIN"


# --- The sandbox ------------------------------------------------------------------------


@dataclass(frozen=True)
class Sandbox:
    """A sandboxed connection and what it opened.

    Attributes:
        con: the read-only, locked connection.
        opened: the file actually opened (the database or its snapshot).
        is_snapshot: True when ``opened`` is the published snapshot.
        note: a one-line notice for the user (why and how old the snapshot is), or None.
        timeout_s: the statement timeout the caller asked for (None: none).
    """

    con: duckdb.DuckDBPyConnection
    opened: Path
    is_snapshot: bool
    note: str | None
    timeout_s: float | None


# The timeout each sandboxed connection was opened with, for ``sandbox_timeout``; weak so a
# closed and collected connection leaves nothing behind.
_TIMEOUTS: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, float | None] = (
    weakref.WeakKeyDictionary()
)


def _open_locked_down(
    path: Path, memory_limit: str | None
) -> duckdb.DuckDBPyConnection:
    """Open ``path`` read-only with ``SANDBOX_CONFIG``, check its schema, lock its settings."""
    from attrdb.migrate import check_schema

    config: dict[str, str | bool | int | float | list[str]] = dict(SANDBOX_CONFIG)
    if memory_limit:
        config["memory_limit"] = memory_limit
    try:
        con = duckdb.connect(str(path), read_only=True, config=config)
    except duckdb.Error as exc:
        raise AttrdbError(f"cannot open {path}: {first_line(exc)}") from exc
    try:
        con.execute("SET enable_progress_bar = false")
        check_schema(con)
        # Last: from here on no statement can change a setting (external access included).
        con.execute("SET lock_configuration = true")
    except (AttrdbError, duckdb.Error):
        con.close()
        raise
    return con


def _age(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def open_sandboxed(
    path: str | Path,
    *,
    snapshot: bool = False,
    timeout_s: float | None = DEFAULT_TIMEOUT_S,
    memory_limit: str | None = DEFAULT_MEMORY_LIMIT,
) -> Sandbox:
    """Open the database (or its published snapshot) in the sandbox; see ``connect_sandboxed``.

    Lock behaviour: DuckDB lets one process hold a database file for writing and refuses
    every other process, readers included ("Could not set lock"). When a running stage holds
    the file, the reader opens the snapshot that ``attrdb run`` / ``attrdb publish`` wrote
    (``attrdb.snapshot``) and says how old it is; the writer is never blocked by a reader of
    the snapshot. Without a snapshot the refusal is one line.

    Raises:
        StateError: no database, locked without a snapshot, or ``snapshot`` asked for but
            none published.
        InputError: the file is not a DuckDB database.
        SchemaError: the schema is older or newer than this code.
    """
    from attrdb.snapshot import is_lock_error, snapshot_path

    db = Path(path)
    snap = snapshot_path(db)
    if snapshot:
        if not snap.is_file():
            raise StateError(f"no snapshot at {snap}; a writer publishes one with `attrdb publish`")
        con = _open_locked_down(require_duckdb_file(snap), memory_limit)
        return _remember(Sandbox(con, snap, True, f"reading the snapshot {snap}", timeout_s))
    try:
        con = _open_locked_down(require_duckdb_file(db), memory_limit)
        return _remember(Sandbox(con, db, False, None, timeout_s))
    except AttrdbError as exc:
        if not is_lock_error(exc):
            raise
        if not snap.is_file():
            raise StateError(
                f"{db} is locked by a running stage and no snapshot exists yet; wait for the "
                "stage, or publish one from the writer (`attrdb run` does)"
            ) from exc
        age = _age(max(0.0, time.time() - snap.stat().st_mtime))
        note = (f"reading the snapshot {snap} (published {age} ago): {db} is locked by a "
                "running stage")
        con = _open_locked_down(require_duckdb_file(snap), memory_limit)
        return _remember(Sandbox(con, snap, True, note, timeout_s))


def _remember(box: Sandbox) -> Sandbox:
    _TIMEOUTS[box.con] = box.timeout_s
    return box


def connect_sandboxed(
    path: str | Path,
    *,
    timeout_s: float | None = DEFAULT_TIMEOUT_S,
    memory_limit: str | None = DEFAULT_MEMORY_LIMIT,
    snapshot: bool = False,
    notify: Callable[[str], None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open an attrdb database for untrusted read-only SQL (``attrdb sql``, report, explorer).

    The connection is read-only; external access (files, globs, URLs, other databases),
    extension auto-install and auto-load are off; DuckDB's memory is capped; the schema is
    checked; then the configuration is locked, so no query can undo any of it. Views and
    macros stored in the database still work. When a running stage holds the database, the
    published snapshot is opened instead (see ``open_sandboxed``).

    Args:
        path: the database file.
        timeout_s: the statement timeout for queries on this connection, read back by
            ``sandbox_timeout`` and applied with ``statement_timeout`` (None: no timeout).
        memory_limit: DuckDB ``memory_limit`` (e.g. ``"2GB"``); None keeps DuckDB's default.
        snapshot: open the published snapshot instead of the database.
        notify: receives the one-line notice when the snapshot is read because the database
            is locked (default: a warning on the ``attrdb`` logger).

    Raises:
        StateError, InputError, SchemaError: see ``open_sandboxed``; all one line.
    """
    box = open_sandboxed(path, snapshot=snapshot, timeout_s=timeout_s, memory_limit=memory_limit)
    if box.note and not snapshot:
        (notify or _log.warning)(box.note)
    return box.con


def sandbox_timeout(con: duckdb.DuckDBPyConnection) -> float | None:
    """The statement timeout ``con`` was opened with by ``connect_sandboxed`` (None if none)."""
    return _TIMEOUTS.get(con)


class StatementTimeout:
    """A timer that interrupts a connection's running statement (DuckDB has no timeout).

    ``con.interrupt()`` on a connection with no running statement does nothing, so a timer
    that fires just after the query ends is harmless. ``fired`` tells an interrupt caused by
    the timeout apart from one caused by Ctrl-C.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, seconds: float | None) -> None:
        self.con = con
        self.seconds = seconds
        self.fired = False
        self._timer: threading.Timer | None = None

    def _fire(self) -> None:
        self.fired = True
        self.con.interrupt()

    def start(self) -> None:
        if self.seconds is not None and self.seconds > 0:
            self._timer = threading.Timer(self.seconds, self._fire)
            self._timer.daemon = True
            self._timer.start()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def message(self) -> str:
        """The one-line reason for a query stopped by this timeout."""
        return f"query stopped: it ran past its {self.seconds:g} s timeout (--timeout)"


@contextmanager
def statement_timeout(
    con: duckdb.DuckDBPyConnection, seconds: float | None
) -> Iterator[StatementTimeout]:
    """Interrupt what ``con`` runs inside the block after ``seconds`` (None: never).

    DuckDB then raises ``duckdb.InterruptException`` (or, while streaming Arrow batches, an
    ``OSError`` whose text starts with "INTERRUPT"); ``is_interrupt`` recognises both and the
    yielded timer's ``fired`` says whether the timeout caused it.
    """
    timer = StatementTimeout(con, seconds)
    timer.start()
    try:
        yield timer
    finally:
        timer.cancel()


@contextmanager
def interrupt_on_ctrl_c(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Make Ctrl-C interrupt what ``con`` runs, even deep inside one DuckDB call.

    Python runs its SIGINT handler only between bytecodes, so a query streaming through
    ``to_arrow_reader`` ignores Ctrl-C until DuckDB returns, which a runaway query never
    does. The C-level handler does write the signal number to the wake-up fd at once: a
    watcher thread reads it and calls ``con.interrupt()`` until the block ends; DuckDB then
    stops and the pending KeyboardInterrupt follows (exit 130). Outside the main thread this
    does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    try:
        previous = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    except ValueError:  # no signal handling here (e.g. an embedded interpreter)
        os.close(read_fd)
        os.close(write_fd)
        yield
        return
    stop = threading.Event()

    def watch() -> None:
        asked = False
        while not stop.is_set():
            ready, _, _ = select.select([read_fd], [], [], 0.1 if asked else 0.25)
            if ready and signal.SIGINT in os.read(read_fd, 64):
                asked = True
            if asked:
                # DuckDB drops an interrupt that comes before the statement executes (while
                # it is still parsed or planned), so keep asking until the query has ended.
                con.interrupt()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous)
        stop.set()
        watcher.join(timeout=1.0)
        os.close(read_fd)
        os.close(write_fd)

def _statements(tokens: list[Token]) -> list[list[Token]]:
    """Group tokens into statements at semicolons, dropping empty ones."""
    groups: list[list[Token]] = [[]]
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            groups.append([])
        else:
            groups[-1].append(token)
    return [g for g in groups if g]


def _kind_from_tokens(sql: str, tokens: list[Token]) -> str:
    """The statement kind as the user wrote it, e.g. 'CREATE TABLE', 'EXPORT DATABASE'.

    Words come from the raw text: sqlglot folds the rest of a command it does not parse
    (LOAD, CALL, EXPLAIN) into one string token.
    """
    words = [w.upper() for w in re.findall(r"[A-Za-z_]+|\S", sql[tokens[0].start :])[:8]]
    leader = words[0]
    if leader == "FORCE" and len(words) > 1:
        return words[1]
    if leader == "COPY":
        return "COPY FROM" if "FROM" in words[2:] and "TO" not in words[2:] else "COPY TO"
    if leader in {"EXPORT", "IMPORT", "DETACH"}:
        return f"{leader} DATABASE" if words[1:2] == ["DATABASE"] else leader
    if leader in _KIND_WITH_OBJECT:
        rest = [w for w in words[1:] if w not in _QUALIFIERS]
        return f"{leader} {rest[0]}" if rest else leader
    return leader


def _kind_from_node(node: exp.Expr, fallback: str) -> str:
    if isinstance(node, exp.Command):
        return str(node.this).upper()
    if isinstance(node, exp.Copy):
        return "COPY FROM" if node.args.get("kind") else "COPY TO"
    if isinstance(node, (exp.Create, exp.Drop, exp.Alter)) and node.args.get("kind"):
        name = {exp.Create: "CREATE", exp.Drop: "DROP", exp.Alter: "ALTER"}[type(node)]
        return f"{name} {node.args['kind']}"
    return fallback


def check_read_only(sql: str) -> str:
    """Return the one read-only statement in ``sql``; refuse anything else.

    Raises:
        InputError: empty text, several statements, or a statement that is not a pure read;
            the message names the statement kind (e.g. ``INSERT``, ``ATTACH``, ``COPY TO``).
    """
    try:
        tokens = DuckDB().tokenize(sql)
    except SqlglotError as exc:
        raise InputError(f"refused: the query cannot be read ({first_line(exc)})") from exc
    statements = _statements(tokens)
    if not statements:
        raise InputError("refused: the query is empty")
    if len(statements) > 1:
        kinds = ", ".join(_kind_from_tokens(sql, s) for s in statements)
        raise InputError(
            f"refused: multiple statements ({kinds}); attrdb sql runs exactly one read-only query"
        )
    group = statements[0]
    kind = _kind_from_tokens(sql, group)
    if kind not in _READ_LEADERS:
        raise InputError(
            f"refused: {kind} statements are not allowed; attrdb sql runs one read-only "
            f"query ({_ALLOWED_TEXT})"
        )
    text = sql[group[0].start : group[-1].end + 1].strip()
    if kind == "EXPLAIN":
        # EXPLAIN ANALYZE executes the statement it explains: check that one instead.
        body = _EXPLAIN.sub("", text, count=1)
        if not body.strip():
            raise InputError("refused: EXPLAIN needs a query to explain")
        check_read_only(body)
        return text
    try:
        tree = sqlglot.parse_one(text, read="duckdb")
    except SqlglotError as exc:
        raise InputError(
            f"refused: the {kind} statement could not be checked by sqlglot ({_parse_error(exc)})"
        ) from exc
    if not isinstance(tree, _READ_ROOTS):
        raise InputError(
            f"refused: {_kind_from_node(tree, type(tree).__name__.upper())} statements are not "
            f"allowed; attrdb sql runs one read-only query ({_ALLOWED_TEXT})"
        )
    for node in tree.walk():
        if isinstance(node, exp.Func) and node.name.lower() in _HIDDEN_SQL_FUNCTIONS:
            raise InputError(
                f"refused: {node.name.lower()}() runs SQL text this check cannot see; write "
                "the query itself"
            )
        for node_type, name in _WRITE_NODES:
            if isinstance(node, node_type):
                raise InputError(
                    f"refused: the query contains a {_kind_from_node(node, name)} statement; "
                    "attrdb sql runs reads only"
                )
    return text


def stream_query(con: duckdb.DuckDBPyConnection, sql: str, *, batch_rows: int = BATCH_ROWS) -> Any:
    """Check ``sql`` and start it on ``con``; returns a ``pyarrow.RecordBatchReader``.

    ``con.sql(...).to_arrow_reader`` streams: DuckDB produces the next batch only when it is
    read, so a reader that stops early never computes (or holds) the rest of the result.

    Raises:
        InputError: the query is not one read-only statement.
        SqlError: DuckDB refused the query (binder error, permission error, ...).
    """
    statement = check_read_only(sql)
    try:
        return con.sql(statement).to_arrow_reader(batch_rows)
    except duckdb.Error as exc:
        if is_interrupt(exc):
            raise
        raise _query_error(exc) from exc


def _query_error(exc: BaseException) -> SqlError:
    """One line for a query DuckDB refused or failed; the sandbox's refusals say so."""
    text = first_line(exc)
    if isinstance(exc, duckdb.PermissionException) or "disabled by configuration" in text:
        return SqlError(f"refused: {text} (the sandbox allows no files, URLs, other "
                        "databases or extensions)")
    return SqlError(f"query failed: {type(exc).__name__}: {text}")


def read_query(query: str | None, file: Path | None) -> str:
    """The query text from the argument, a file, or stdin (argument ``-``)."""
    if file is not None and query is not None:
        raise InputError("give the query either as an argument or with --file, not both")
    if file is not None:
        try:
            return Path(file).read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot read the query file {file}: {exc.strerror}") from exc
    if query is None:
        raise InputError("no query given: pass QUERY, --file PATH, or - to read stdin")
    if query == "-":
        return sys.stdin.read()
    if _OPTION_LIKE.match(query):
        # The CLI keeps unknown options as the query so `-- comment` queries work.
        raise InputError(f"no such option: {query} (see `attrdb sql --help`)")
    return query


def write_result(
    reader: Any, fmt: str = "table", out: Path | None = None, *, max_rows: int = 100
) -> str | None:
    """Write a stream of Arrow record batches as a text table, CSV, JSON or Parquet.

    Memory stays bounded: the table format reads only ``max_rows + 1`` rows and stops; the
    other formats hold one batch at a time. A file is written under a temporary name and
    renamed when complete, so a failed or interrupted query leaves no partial file.

    Args:
        reader: a ``pyarrow.RecordBatchReader`` (or a pyarrow Table, read as one stream).
        fmt: one of ``FORMATS``.
        out: a file to write; None writes text formats to stdout (Parquet needs a file).
        max_rows: rows shown by the text table format (the others write every row).

    Returns:
        A note for stderr (rows written, rows not shown), or None.
    """
    import pyarrow as pa

    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "parquet" and out is None:
        raise InputError("--format parquet needs --out FILE")
    if isinstance(reader, pa.Table):
        reader = pa.RecordBatchReader.from_batches(reader.schema, reader.to_batches())
    if fmt == "table":
        table, complete = _first_rows(reader, max_rows)
        text = format_table(table, max_rows=max_rows, complete=complete)
        note = None if complete else "more rows not shown; use --max-rows or --format csv"
        if out is None:
            sys.stdout.write(text)
            return note
        _atomic_write(Path(out), lambda sink: sink.write(text.encode("utf-8")))
        return f"{min(table.num_rows, max_rows)} rows written to {out}" + (
            "" if complete else " (more not shown)"
        )
    writer = {"csv": _write_csv, "json": _write_json, "parquet": _write_parquet}[fmt]
    if out is None:
        sys.stdout.flush()  # text written before must come first
        writer(reader, None)
        return None
    counted: list[int] = []
    _atomic_write(Path(out), lambda sink: counted.append(writer(reader, sink)))
    return f"{counted[0]} rows written to {out}"


def _first_rows(reader: Any, max_rows: int) -> tuple[Any, bool]:
    """The first ``max_rows + 1`` rows (to know whether more exist) and whether that is all."""
    import pyarrow as pa

    batches, n = [], 0
    for batch in reader:
        batches.append(batch)
        n += batch.num_rows
        if n > max_rows:
            reader.close()
            table = pa.Table.from_batches(batches, reader.schema).slice(0, max_rows + 1)
            return table, False
    return pa.Table.from_batches(batches, reader.schema), True


def _atomic_write(target: Path, write: Callable[[Any], None]) -> None:
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with temp.open("wb") as sink:
            write(sink)
        os.replace(temp, target)
    except OSError as exc:
        if is_interrupt(exc):
            raise
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        temp.unlink(missing_ok=True)


def _csv_column(column: Any) -> list[Any]:
    """A column's values for ``csv.writer``: NULL as empty, lists and structs as JSON."""
    import pyarrow as pa

    values = column.to_pylist()
    if pa.types.is_nested(column.type):
        return ["" if v is None else json.dumps(v, default=str, ensure_ascii=False)
                for v in values]
    return ["" if v is None else v for v in values]


def _write_csv(reader: Any, sink: Any) -> int:
    """CSV (header, then one line per row), written batch by batch."""
    target = sink if sink is not None else _TextSink()
    rows = 0
    chunk = io.StringIO()
    writer = csv.writer(chunk, lineterminator="\n")
    writer.writerow(reader.schema.names)
    for batch in reader:
        writer.writerows(zip(*(_csv_column(c) for c in batch.columns), strict=True))
        rows += batch.num_rows
        target.write(chunk.getvalue().encode("utf-8"))
        chunk.seek(0)
        chunk.truncate()
    target.write(chunk.getvalue().encode("utf-8"))
    return rows


def _write_json(reader: Any, sink: Any) -> int:
    """A JSON array of objects, one object per row, written batch by batch."""
    target = sink if sink is not None else _TextSink()
    target.write(b"[")
    rows = 0
    for batch in reader:
        for record in batch.to_pylist():
            text = json.dumps(record, default=str, ensure_ascii=False, indent=1)
            target.write(((",\n " if rows else "\n ") + text.replace("\n", "\n ")).encode())
            rows += 1
    target.write(b"\n]\n" if rows else b"]\n")
    return rows


def _write_parquet(reader: Any, sink: Any) -> int:
    import pyarrow.parquet as pq

    rows = 0
    with pq.ParquetWriter(sink, reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)
            rows += batch.num_rows
    return rows


class _TextSink:
    """Bytes to ``sys.stdout`` (its byte buffer when it has one), chunk by chunk."""

    def write(self, data: bytes) -> int:
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is not None:
            buffer.write(data)
            buffer.flush()
        else:
            sys.stdout.write(data.decode("utf-8"))
        return len(data)


def format_table(
    table: Any, *, max_rows: int = 100, max_width: int = 40, complete: bool = True
) -> str:
    """A plain fixed-width text table of the first ``max_rows`` rows.

    ``complete`` says whether ``table`` is the whole result (the footer then counts its
    rows) or only its first rows (the footer says more exist).
    """
    names = list(table.column_names)
    shown = table.slice(0, max_rows).to_pylist()
    rows = [[_cell(v, max_width) for v in row.values()] for row in shown]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]

    def line(cells: list[str]) -> str:
        return " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))

    out = [line(names), "-+-".join("-" * w for w in widths)] + [line(r) for r in rows]
    if complete:
        out.append(f"({table.num_rows} row{'s' if table.num_rows != 1 else ''})")
    else:
        out.append(f"(first {len(rows)} rows; more not shown)")
    return "\n".join(s.rstrip() for s in out) + "\n"


def _cell(value: Any, max_width: int) -> str:
    text = "NULL" if value is None else (
        json.dumps(value, default=str, ensure_ascii=False)
        if isinstance(value, (list, dict)) else str(value)
    )
    text = text.replace("\n", " ")
    return text if len(text) <= max_width else text[: max_width - 1] + "…"


def run_adhoc(
    db: str | Path,
    sql: str,
    *,
    fmt: str = "table",
    out: Path | None = None,
    snapshot: bool = False,
    max_rows: int = 100,
    timeout_s: float | None = DEFAULT_TIMEOUT_S,
    memory_limit: str | None = DEFAULT_MEMORY_LIMIT,
) -> list[str]:
    """``attrdb sql``: check, run in the sandbox with a timeout, stream the result out.

    Args:
        db: the database file.
        sql: the query text.
        fmt: output format (``FORMATS``).
        out: output file (required for Parquet).
        snapshot: read the published snapshot instead of the database.
        max_rows: rows shown by the table format.
        timeout_s: stop the query after this many seconds (None: no limit).
        memory_limit: DuckDB's memory cap for the query.

    Returns:
        Notes for stderr (which file was read when it was the snapshot, rows written).

    Raises:
        InputError: the query is refused or an option is bad. SqlError: the query failed or
            ran past its timeout. KeyboardInterrupt: Ctrl-C (the CLI exits 130).
    """
    check_read_only(sql)
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "parquet" and out is None:
        raise InputError("--format parquet needs --out FILE")
    if max_rows < 0:
        raise InputError(f"--max-rows must be 0 or more, not {max_rows}")
    if timeout_s is not None and timeout_s <= 0:
        raise InputError(f"--timeout must be positive, not {timeout_s:g}")
    box = open_sandboxed(db, snapshot=snapshot, timeout_s=timeout_s, memory_limit=memory_limit)
    notes = [box.note] if box.note else []
    try:
        with interrupt_on_ctrl_c(box.con), statement_timeout(box.con, timeout_s) as timer:
            try:
                note = write_result(stream_query(box.con, sql), fmt, out, max_rows=max_rows)
            except (duckdb.Error, OSError, RuntimeError) as exc:
                if timer.fired:
                    raise SqlError(timer.message()) from None
                if is_interrupt(exc):
                    raise KeyboardInterrupt from exc
                raise _query_error(exc) from exc
            except SqlError:
                if timer.fired:
                    raise SqlError(timer.message()) from None
                raise
    finally:
        box.con.close()
    if note:
        notes.append(note)
    return notes


def _parse_error(exc: SqlglotError) -> str:
    errors = getattr(exc, "errors", None) or []
    if errors and errors[0].get("description"):
        first = errors[0]
        what = first["description"].split("<Token")[0].strip()
        return f"{what} at line {first.get('line')}, column {first.get('col')}"
    return first_line(exc)
