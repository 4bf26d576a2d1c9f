"""Train / test / val split of all products by a seeded hash, in SQL (sql/split/).

The ``split`` stage (declared in :data:`attrdb.stages.STAGES`): :func:`run` is its one
implementation for DuckDB and Spark.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import duckdb

from attrdb.engines.base import Engine
from attrdb.engines.transpile import query_file, run_file
from attrdb.errors import InputError
from attrdb.stages import Params, recorded, require_inputs

DEFAULT_FRACTIONS = (0.5, 0.25, 0.25)

@dataclass(frozen=True)
class SplitParams(Params):
    """Parameters of the split stage.

    Attributes:
        seed: hash seed; the same seed always gives the same assignment.
        train: share of products in train (the paper: 50%).
        test: share in test (25%).
        val: share in val (25%); the three must sum to 1.
    """

    seed: int = 0
    train: float = DEFAULT_FRACTIONS[0]
    test: float = DEFAULT_FRACTIONS[1]
    val: float = DEFAULT_FRACTIONS[2]

    def __post_init__(self) -> None:
        train, test, val = self.train, self.test, self.val
        if min(train, test, val) < 0 or not math.isclose(train + test + val, 1.0, abs_tol=1e-9):
            raise InputError(
                f"split fractions must be >= 0 and sum to 1, not {train}/{test}/{val}"
            )

    def bind(self) -> dict[str, Any]:
        # val is what train and test leave; the hash takes the seed as text.
        return {"seed": str(self.seed), "train": float(self.train), "test": float(self.test)}


def run(engine: Engine, params: SplitParams) -> dict[str, Any]:
    """Write ``splits`` on ``engine``; returns the products per split."""
    run_file(engine, "split/assign", params.bind())
    return {r["split"]: r["n_products"] for r in query_file(engine, "split/summary").to_pylist()}


def run_split(con: duckdb.DuckDBPyConnection, **params: Any) -> dict[str, Any]:
    """Assign every product to train, test or val, replacing earlier splits (DuckDB).

    Args:
        con: an open attrdb database with products.
        **params: fields of :class:`SplitParams` (seed, train, test, val).

    Returns:
        Products per split.

    Raises:
        InputError: a fraction is negative or they do not sum to 1.
    """
    chosen = SplitParams(**params)
    require_inputs(con, "split")
    with recorded(con, "split", chosen.record(), scope=None) as (engine, record):
        record.summary.update(run(engine, chosen))
    return dict(record.summary)
