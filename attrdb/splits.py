"""Train / test / val split of all products by a seeded hash, in SQL (sql/split/)."""

from __future__ import annotations

import math
from typing import Any

import duckdb

from attrdb.connection import require_tables
from attrdb.errors import InputError
from attrdb.runs import stage_run
from attrdb.sqlfiles import query_sql_file, run_sql_file

DEFAULT_FRACTIONS = (0.5, 0.25, 0.25)


def run_split(
    con: duckdb.DuckDBPyConnection,
    *,
    seed: int = 0,
    train: float = DEFAULT_FRACTIONS[0],
    test: float = DEFAULT_FRACTIONS[1],
    val: float = DEFAULT_FRACTIONS[2],
) -> dict[str, Any]:
    """Assign every product to train, test or val (replacing earlier splits).

    Args:
        con: an open attrdb database with products.
        seed: hash seed; the same seed always gives the same assignment.
        train: share of products in train (the paper: 50%).
        test: share in test (25%).
        val: share in val (25%); the three must sum to 1.

    Returns:
        Products per split.

    Raises:
        InputError: a fraction is negative or they do not sum to 1.
    """
    if min(train, test, val) < 0 or not math.isclose(train + test + val, 1.0, abs_tol=1e-9):
        raise InputError(f"split fractions must be >= 0 and sum to 1, not {train}/{test}/{val}")
    require_tables(con, "products", hint="run `attrdb ingest` first")
    params = {"seed": seed, "train": train, "test": test, "val": val}
    with stage_run(con, "split", params) as run:
        con.begin()
        try:
            run_sql_file(con, "split/assign", {"seed": str(seed), "train": train, "test": test})
            con.commit()
        except BaseException:
            con.rollback()
            raise
        run.summary.update({split: n for split, n in query_sql_file(con, "split/summary")})
        return dict(run.summary)
