"""The engine interface: run SQL with bound parameters, move Arrow and Parquet in and out.

An engine speaks one SQL dialect (``dialect``) and takes parameters by name in that
dialect's marker (DuckDB ``$name``, Spark ``:name``). Translating attrdb's DuckDB SQL files
for another engine is :mod:`attrdb.engines.transpile`'s job, not the engine's. The engine
layer knows no pipeline table names: it only runs what it is given.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa

from attrdb.errors import SqlError, first_line


class EngineError(SqlError):
    """A statement failed on an engine; the message names the engine, origin and SQL."""


def engine_error(engine: str, exc: BaseException, sql: str, origin: str = "<sql>") -> EngineError:
    """The one error wrapper: ``origin: engine ExcType: first line [in: SQL]``.

    Args:
        engine: the engine's dialect name, e.g. 'duckdb' or 'spark'.
        exc: the engine's own exception.
        sql: the statement that failed, as the engine saw it.
        origin: where the statement came from (a SQL file, a function).
    """
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    first = first_line(exc)
    if first.startswith("An error occurred while calling") and len(lines) > 1:
        # py4j puts the Java exception on the next line: that one says what went wrong.
        first = lines[1].lstrip(": ")
    snippet = " ".join(sql.split())[:300]
    return EngineError(f"{origin}: {engine} {type(exc).__name__}: {first} [in: {snippet}]")


class Engine(ABC):
    """A SQL engine attrdb can run its SQL stages on."""

    dialect: ClassVar[str]

    @abstractmethod
    def execute(
        self, sql: str, params: Mapping[str, Any] | None = None, *, origin: str = "<sql>"
    ) -> None:
        """Run one statement (DDL, DML or a query whose rows are discarded).

        Args:
            sql: one statement in this engine's dialect.
            params: values for the named parameters the statement uses (only those).
            origin: named in the error message when the statement fails.

        Raises:
            EngineError: the engine refused or failed the statement.
        """

    @abstractmethod
    def fetch_arrow(
        self, sql: str, params: Mapping[str, Any] | None = None, *, origin: str = "<sql>"
    ) -> pa.Table:
        """Run one query and return all its rows as an Arrow table."""

    @abstractmethod
    def register_arrow(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table queryable as ``name`` (replacing any table of that name)."""

    @abstractmethod
    def register_parquet(self, name: str, path: str | Path) -> None:
        """Make a Parquet file, or a folder of part files, queryable as ``name``."""

    @abstractmethod
    def write_parquet(self, name: str, path: str | Path) -> None:
        """Write table ``name`` to ``path`` (a file for DuckDB, a folder of parts for Spark)."""

    @abstractmethod
    def table_exists(self, name: str) -> bool:
        """Whether a table or view ``name`` is visible to queries."""

    @abstractmethod
    def close(self) -> None:
        """Release what the engine holds (the caller's own connections are left open)."""

    def fetch_rows(
        self, sql: str, params: Mapping[str, Any] | None = None, *, origin: str = "<sql>"
    ) -> list[dict[str, Any]]:
        """Run one query and return its rows as dicts (small results only)."""
        return self.fetch_arrow(sql, params, origin=origin).to_pylist()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
