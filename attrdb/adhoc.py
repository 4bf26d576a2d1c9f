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
3. The connection is read-only and its configuration is locked, so whatever slipped
   through cannot write the file or change settings.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.errors import SqlglotError
from sqlglot.tokens import Token, TokenType

from attrdb.errors import InputError, SqlError

FORMATS = ("table", "csv", "json", "parquet")

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
_ALLOWED_TEXT = "SELECT, WITH, FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE, PIVOT, EXPLAIN"


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
        raise InputError(f"refused: the query cannot be read ({_first_line(exc)})") from exc
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
        for node_type, name in _WRITE_NODES:
            if isinstance(node, node_type):
                raise InputError(
                    f"refused: the query contains a {_kind_from_node(node, name)} statement; "
                    "attrdb sql runs reads only"
                )
    return text


def run_query(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    """Check ``sql`` and run it on ``con``; returns a pyarrow Table.

    The connection's configuration is locked first, so no setting can be changed from here.
    """
    statement = check_read_only(sql)
    con.execute("SET lock_configuration = true")
    try:
        return con.sql(statement).to_arrow_table()
    except duckdb.Error as exc:
        raise SqlError(f"query failed: {type(exc).__name__}: {_first_line(exc)}") from exc


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
    return query


def write_result(
    table: Any, fmt: str = "table", out: Path | None = None, *, max_rows: int = 100
) -> str | None:
    """Write a pyarrow Table as a text table, CSV, JSON (array of objects) or Parquet.

    Args:
        table: the result.
        fmt: one of ``FORMATS``.
        out: a file to write; None writes text formats to stdout (Parquet needs a file).
        max_rows: rows shown by the text table format (the others write every row).

    Returns:
        A note for stderr (rows written, rows not shown), or None.
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "parquet":
        if out is None:
            raise InputError("--format parquet needs --out FILE")
        import pyarrow.parquet as pq

        pq.write_table(table, str(out))
        return f"{table.num_rows} rows written to {out}"
    if fmt == "table":
        text, note = format_table(table, max_rows=max_rows), None
        if table.num_rows > max_rows:
            hidden = table.num_rows - max_rows
            note = f"{hidden} more rows not shown; use --max-rows or --format csv"
    elif fmt == "csv":
        text, note = _to_csv(table), None
    else:
        text, note = json.dumps(table.to_pylist(), default=str, ensure_ascii=False, indent=1), None
        text += "\n"
    if out is None:
        sys.stdout.write(text)
        return note
    Path(out).write_text(text, encoding="utf-8")
    return f"{table.num_rows} rows written to {out}"


def format_table(table: Any, *, max_rows: int = 100, max_width: int = 40) -> str:
    """A plain fixed-width text table of the first ``max_rows`` rows."""
    names = list(table.column_names)
    shown = table.slice(0, max_rows).to_pylist()
    rows = [[_cell(v, max_width) for v in row.values()] for row in shown]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]

    def line(cells: list[str]) -> str:
        return " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))

    out = [line(names), "-+-".join("-" * w for w in widths)] + [line(r) for r in rows]
    out.append(f"({table.num_rows} row{'s' if table.num_rows != 1 else ''})")
    return "\n".join(s.rstrip() for s in out) + "\n"


def _cell(value: Any, max_width: int) -> str:
    text = "NULL" if value is None else (
        json.dumps(value, default=str, ensure_ascii=False)
        if isinstance(value, (list, dict)) else str(value)
    )
    text = text.replace("\n", " ")
    return text if len(text) <= max_width else text[: max_width - 1] + "…"


def _to_csv(table: Any) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.column_names)
    for row in table.to_pylist():
        writer.writerow(
            ["" if v is None else json.dumps(v, default=str) if isinstance(v, (list, dict)) else v
             for v in row.values()]
        )
    return buffer.getvalue()


def run_adhoc(
    db: str | Path,
    sql: str,
    *,
    fmt: str = "table",
    out: Path | None = None,
    snapshot: bool = False,
    max_rows: int = 100,
) -> list[str]:
    """``attrdb sql``: check, run on a read-only connection, write the result.

    Args:
        db: the database file.
        sql: the query text.
        fmt: output format (``FORMATS``).
        out: output file (required for Parquet).
        snapshot: read the published snapshot instead of the database.
        max_rows: rows shown by the table format.

    Returns:
        Notes for stderr (which file was read when it was the snapshot, rows written).
    """
    from attrdb.snapshot import open_for_reading

    check_read_only(sql)
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    con, opened, is_snapshot = open_for_reading(db, snapshot=snapshot)
    notes = [f"reading the snapshot {opened}"] if is_snapshot else []
    try:
        table = run_query(con, sql)
    finally:
        con.close()
    note = write_result(table, fmt, out, max_rows=max_rows)
    if note:
        notes.append(note)
    return notes


def _parse_error(exc: SqlglotError) -> str:
    errors = getattr(exc, "errors", None) or []
    if errors and errors[0].get("description"):
        first = errors[0]
        what = first["description"].split("<Token")[0].strip()
        return f"{what} at line {first.get('line')}, column {first.get('col')}"
    return _first_line(exc)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
