"""Per-shop near-duplicate removal, in SQL (sql/dedup/*.sql).

Listings of one shop whose binary bags of words (word sets) are closer than a cosine
distance threshold are merged by single linkage; one product per group is kept, chosen by
a seeded hash. The SQL reproduces scikit-learn's ``AgglomerativeClustering(metric='cosine',
linkage='single', distance_threshold=...)`` partitions on the same vectors
(tests/test_dedup.py checks it on real shops).
"""

from __future__ import annotations

from typing import Any

import duckdb

from attrdb.connection import require_tables
from attrdb.errors import InputError, StateError
from attrdb.runs import stage_run
from attrdb.sqlfiles import query_sql_file, run_sql_file

DEFAULT_THRESHOLD = 0.1
DEFAULT_SEED = 0


def run_dedup(
    con: duckdb.DuckDBPyConnection,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    seed: int = DEFAULT_SEED,
) -> dict[str, Any]:
    """Group near-duplicate listings per shop and mark one kept per group.

    Args:
        con: an open attrdb database whose products are all tokenised.
        threshold: cosine distance below which two listings of a shop are duplicates
            (0.1 = cosine similarity above 0.9).
        seed: picks the kept product of each group (same seed, same choice).

    Returns:
        Counts: products, groups, kept, removed, shops, and the removed share.

    Raises:
        InputError: threshold outside (0, 1]. StateError: the text stage has not run on
            every product.
    """
    if not 0 < threshold <= 1:
        raise InputError(f"--threshold must be in (0, 1], not {threshold}")
    require_tables(con, "products", hint="run `attrdb ingest` first")
    pending = query_sql_file(con, "text/untokenized_count")[0][0]
    if pending:
        raise StateError(f"{pending} products have no tokens yet; run `attrdb text` first")
    params = {"threshold": threshold, "seed": seed}
    with stage_run(con, "dedup", params) as run:
        con.begin()
        try:
            width = run_sql_file(con, "dedup/bags").fetchall()[0][0]
            run_sql_file(
                con, "dedup/groups", {"threshold": threshold, "seed": str(seed), "width": width}
            )
            con.commit()
        except BaseException:
            con.rollback()
            raise
        n_products, n_groups, n_kept, n_removed, n_shops = query_sql_file(con, "dedup/summary")[0]
        run.summary.update(
            n_products=n_products,
            n_groups=n_groups,
            n_kept=n_kept,
            n_removed=n_removed,
            n_shops=n_shops,
            removed_share=round(n_removed / n_products, 4) if n_products else 0.0,
        )
        return dict(run.summary)
