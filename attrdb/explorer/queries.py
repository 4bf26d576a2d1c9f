"""The explorer's page queries: ``sql/explorer/*.sql`` over the documented views.

Every value a request supplies reaches SQL as a bound parameter; the SQL text is always one
of the files. Rows come back as dictionaries keyed by column name, so columns that later
migrations add to a view (intervals, null-corrected KL) reach the pages by themselves.
"""

from __future__ import annotations

from typing import Any

import duckdb

from attrdb.sqlfiles import run_sql_file

Row = dict[str, Any]


def rows(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> list[Row]:
    """Every row of ``sql/explorer/<name>.sql`` run with ``params``."""
    cursor = run_sql_file(con, f"explorer/{name}", params)
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def one(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> Row | None:
    """The first row of ``sql/explorer/<name>.sql``, or None."""
    found = rows(con, name, **params)
    return found[0] if found else None
