"""DuckDB, the embedded default engine: attrdb's SQL files run on it as written."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import duckdb
import pyarrow as pa

from attrdb.engines.base import Engine, engine_error
from attrdb.identifiers import quote_identifier


class DuckDBEngine(Engine):
    """An engine over a DuckDB connection (named parameters are ``$name``).

    Args:
        con: an open connection, e.g. from :func:`attrdb.connection.connect`.
        owned: close the connection in :meth:`close` (false when the caller keeps using it).
    """

    dialect: ClassVar[str] = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection, *, owned: bool = False) -> None:
        self.con = con
        self._owned = owned

    def execute(
        self, sql: str, params: Mapping[str, Any] | None = None, *, origin: str = "<sql>"
    ) -> None:
        try:
            # fetchall() finishes the result: DuckDB 2 refuses the next statement otherwise.
            self.con.execute(sql, dict(params)) if params else self.con.execute(sql)
            self.con.fetchall()
        except duckdb.Error as exc:
            raise engine_error(self.dialect, exc, sql, origin) from exc

    def fetch_arrow(
        self, sql: str, params: Mapping[str, Any] | None = None, *, origin: str = "<sql>"
    ) -> pa.Table:
        try:
            # con.sql: Arrow straight from the result (the DB-API path copies the rows).
            return self.con.sql(sql, params=dict(params) if params else None).to_arrow_table()
        except duckdb.Error as exc:
            raise engine_error(self.dialect, exc, sql, origin) from exc

    def register_arrow(self, name: str, table: pa.Table) -> None:
        self.con.register(name, table)

    def register_parquet(self, name: str, path: str | Path) -> None:
        source = Path(path)
        pattern = str(source / "*.parquet") if source.is_dir() else str(source)
        try:
            self.con.read_parquet(pattern).to_view(name, replace=True)
        except duckdb.Error as exc:
            raise engine_error(self.dialect, exc, f"read_parquet({pattern!r})", name) from exc

    def write_parquet(self, name: str, path: str | Path) -> None:
        sql = f"COPY (SELECT * FROM {quote_identifier(name)}) TO $path (FORMAT parquet)"
        self.execute(sql, {"path": str(path)}, origin=f"write_parquet({name})")

    def table_exists(self, name: str) -> bool:
        rows = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = $name",
            {"name": name},
        ).fetchall()
        return bool(rows[0][0])

    def close(self) -> None:
        if self._owned:
            self.con.close()

