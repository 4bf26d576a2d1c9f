"""Load the SQL files in ``sql/`` and run them with bound parameters.

A file may hold several statements; each runs with only the ``$name`` parameters it
mentions (DuckDB refuses unused ones). Statements are split with sqlglot's tokenizer, so
semicolons inside strings or comments never split a statement.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.tokens import TokenType

from attrdb.errors import SqlError, first_line
from attrdb.resources import sql_dir


@dataclass(frozen=True)
class Statement:
    """One statement of a SQL file and the named parameters it binds."""

    text: str
    params: frozenset[str]


def sql_path(name: str) -> Path:
    """Path of ``sql/<name>.sql``; ``name`` may contain a sub-folder, e.g. 'dedup/groups'."""
    path = sql_dir() / f"{name}.sql"
    if not path.is_file():
        raise SqlError(f"no SQL file {name!r} at {path}")
    return path


def split_statements(text: str) -> list[Statement]:
    """Split SQL text into statements, noting each one's ``$name`` parameters."""
    tokens = DuckDB().tokenize(text)
    statements: list[Statement] = []
    start: int | None = None
    params: set[str] = set()
    previous = None
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            if start is not None:
                statements.append(Statement(text[start : token.start].strip(), frozenset(params)))
            start, params, previous = None, set(), token
            continue
        if start is None:
            start = token.start
        if previous is not None and previous.token_type == TokenType.PARAMETER:
            params.add(token.text)
        previous = token
    if start is not None:
        statements.append(Statement(text[start:].strip(), frozenset(params)))
    return statements


@lru_cache(maxsize=None)
def load_statements(name: str) -> tuple[Statement, ...]:
    """The statements of ``sql/<name>.sql`` (cached: the files do not change at run time)."""
    return tuple(split_statements(sql_path(name).read_text(encoding="utf-8")))


def bind(names: Set[str], params: Mapping[str, Any] | None, *, origin: str) -> dict[str, Any]:
    """The values of exactly the parameters a statement names (engines refuse extra ones).

    The one place a statement's parameters are picked from what a caller gives: DuckDB
    (:func:`execute_statement`), any engine (:func:`attrdb.engines.transpile.run_statement`)
    and Spark's rewritten statements all bind through it.

    Raises:
        SqlError: a named parameter is not given (the message names the origin).
    """
    given = params or {}
    missing = names - given.keys()
    if missing:
        raise SqlError(f"{origin}: parameters not given: {', '.join(sorted(missing))}")
    return {k: v for k, v in given.items() if k in names}


def execute_statement(
    con: duckdb.DuckDBPyConnection,
    statement: Statement,
    params: Mapping[str, Any] | None = None,
    *,
    origin: str = "<sql>",
) -> duckdb.DuckDBPyConnection:
    """Execute one statement, binding the parameters it names; errors name the origin."""
    bound = bind(statement.params, params, origin=origin)
    try:
        return con.execute(statement.text, bound) if bound else con.execute(statement.text)
    except duckdb.Error as exc:
        snippet = " ".join(statement.text.split())[:300]
        raise SqlError(f"{origin}: {first_line(exc, with_type=True)} [in: {snippet}]") from exc


def run_sql_file(
    con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None
) -> duckdb.DuckDBPyConnection:
    """Run every statement of ``sql/<name>.sql``; returns the cursor of the last one."""
    statements = load_statements(name)
    if not statements:
        raise SqlError(f"sql/{name}.sql holds no statement")
    cursor = con
    for statement in statements:
        cursor = execute_statement(con, statement, params, origin=f"sql/{name}.sql")
    return cursor


def query_sql_file(
    con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None
) -> list[tuple[Any, ...]]:
    """Run ``sql/<name>.sql`` and fetch all rows of its last statement."""
    return run_sql_file(con, name, params).fetchall()

