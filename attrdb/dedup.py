"""Per-shop near-duplicate removal, in SQL (sql/dedup/*.sql), on DuckDB or Spark.

Listings of one shop whose binary bags of words (word sets) are closer than a cosine
distance threshold are merged by single linkage; one product per group is kept, chosen by
a seeded hash. The SQL reproduces scikit-learn's ``AgglomerativeClustering(metric='cosine',
linkage='single', distance_threshold=...)`` partitions on the same vectors
(tests/test_dedup.py checks it on real shops). The stage is declared in
:data:`attrdb.stages.STAGES`; :func:`run` is its one implementation for both engines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from attrdb.engines.base import Engine
from attrdb.engines.transpile import Loop, query_file, run_file
from attrdb.errors import InputError, StateError
from attrdb.sqlfiles import query_sql_file
from attrdb.stages import Params, hint, recorded, require_inputs

# Statements of sql/dedup/groups.sql with no Spark translation (bitstrings, a recursive
# CTE with USING KEY), replaced on Spark by the files of sql/spark/dedup/.
SPARK_REPLACEMENTS: dict[str, str | Loop] = {
    "dedup_rep": "dedup/rep",
    "dedup_edges": "dedup/edges",
    "dedup_components": Loop("dedup/components_init", "dedup/components_step"),
}


@dataclass(frozen=True)
class DedupParams(Params):
    """Parameters of the dedup stage.

    Attributes:
        threshold: cosine distance below which two listings of a shop are duplicates
            (0.1 = cosine similarity above 0.9), in (0, 1].
        seed: picks the kept product of each group (same seed, same choice).
    """

    threshold: float = 0.1
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0 < float(self.threshold) <= 1:
            raise InputError(f"--threshold must be in (0, 1], not {self.threshold}")

    def bind(self) -> dict[str, Any]:
        # The kept product is chosen by hashing the seed as text.
        return {"threshold": float(self.threshold), "seed": str(self.seed)}


def run(engine: Engine, params: DedupParams) -> dict[str, Any]:
    """Write ``duplicate_groups`` on ``engine``; returns the counts of the summary."""
    width = query_file(engine, "dedup/bags").column(0)[0].as_py()
    run_file(engine, "dedup/groups", {**params.bind(), "width": width},
             replace=SPARK_REPLACEMENTS)
    summary = query_file(engine, "dedup/summary").to_pylist()[0]
    n = summary["n_products"] or 0
    summary["removed_share"] = round(summary["n_removed"] / n, 4) if n else 0.0
    return summary


def run_dedup(con: duckdb.DuckDBPyConnection, **params: Any) -> dict[str, Any]:
    """Group near-duplicate listings per shop and mark one kept per group (DuckDB).

    Args:
        con: an open attrdb database whose products are all tokenised.
        **params: fields of :class:`DedupParams` (threshold, seed).

    Returns:
        Counts: products, groups, kept, removed, shops, and the removed share.

    Raises:
        InputError: threshold outside (0, 1]. StateError: the text stage has not run on
            every product.
    """
    chosen = DedupParams(**params)
    require_inputs(con, "dedup")
    pending = query_sql_file(con, "text/untokenized_count")[0][0]
    if pending:
        raise StateError(f"{pending} products have no tokens yet; {hint('tokens')}")
    with recorded(con, "dedup", chosen.record(), scope=None) as (engine, record):
        record.summary.update(run(engine, chosen))
    return dict(record.summary)
