"""Category context of words: category-bound flags and category-matched negatives.

With random negatives a word tied to one product type ("genuine" on leather goods) gets a
high divergence and visualness because the CNN tells the product type apart, not the
attribute. A scope with ``negatives = 'category_matched'`` compares D+ with negatives of
the same categories in the same proportions:

- divergence: the negatives' histogram is reweighted per category,
  P-(b) = sum_c pi+(c) * hist_{-,c}(b) / n_{-,c} (``sql/context/matched_*.sql``), each
  category × shop stratum's histogram shrunk towards its category's by a pseudo-count
  prior (``negative_prior``);
- visualness: the balanced train and test samples and the resampled training set hold
  the same number of positives and negatives of every category
  (``sql/context/balanced_samples_matched.sql``, ``resample_train_matched.sql``).

Every scope also gets ``category_bound_words`` at the vocab stage: words whose positives
sit (almost) all in one category.
"""

from __future__ import annotations

from typing import Any

import duckdb

from attrdb.context.scopes import ScopeDefinition
from attrdb.sqlfiles import query_sql_file, run_sql_file

# The visualness stage's sample queries, and their category-matched counterparts.
SAMPLE_FILES = {
    "random": ("visualness/balanced_samples", "visualness/resample_train"),
    "category_matched": (
        "context/balanced_samples_matched",
        "context/resample_train_matched",
    ),
}


def flag_category_bound(
    con: duckdb.DuckDBPyConnection, scope: str, definition: ScopeDefinition
) -> int:
    """Write the scope's ``category_bound_words`` (after its ``word_products``).

    Returns:
        The number of category-bound words.
    """
    run_sql_file(con, "context/category_bound", {
        "scope": scope,
        "match_field": definition.match_field,
        "bound_share": definition.bound_share,
    })
    return int(con.execute(
        "SELECT count(*) FROM category_bound_words WHERE scope = ? AND bound", [scope]
    ).fetchall()[0][0])


def matched_divergence(
    con: duckdb.DuckDBPyConnection,
    *,
    model_id: str,
    scope: str,
    definition: ScopeDefinition,
    n_bins: int,
    smoothing: float,
    min_positives: int,
    min_negatives: int,
    negative_prior: float,
) -> dict[str, Any]:
    """Replace the KL rows of a divergence run with category-matched ones.

    ``negative_prior`` (pseudo-negatives) shrinks each category × shop stratum's negative
    histogram towards its category's (``sql/context/matched_words.sql``); 0 = none.

    Runs inside the divergence stage's transaction, after its binning and word tables
    (divergence_universe, divergence_binned, divergence_modes, divergence_words,
    divergence_positives) exist; writes ``unit_word_divergence`` and ``matched_coverage``.

    Returns:
        What the products were matched on (their category, their title's product type,
        neither) and the number of categories; words kept and skipped; the positives left
        unmatched.
    """
    n_kept, n_words = query_sql_file(con, "context/matched_words", {
        "model_id": model_id,
        "scope": scope,
        "match_field": definition.match_field,
        "match_shop": definition.match_shop,
        "min_positives": min_positives,
        "min_negatives": min_negatives,
        "negative_prior": negative_prior,
    })[0]
    unmatched = con.execute(
        "SELECT count(*) FILTER (WHERE n_pos_unmatched > 0), coalesce(sum(n_pos_unmatched), 0) "
        "FROM matched_coverage WHERE model_id = ? AND scope = ?", [model_id, scope]
    ).fetchall()[0]
    run_sql_file(con, "context/matched_kl", {
        "model_id": model_id, "scope": scope, "n_bins": n_bins, "smoothing": smoothing,
    })
    n_category, n_title_type, n_none, n_categories = query_sql_file(
        con, "context/match_sources", {"match_field": definition.match_field})[0]
    return {
        "match_field": definition.match_field,
        # A catalogue without categories is matched on its titles' product types; the
        # summary says how many products each source covered.
        "n_products_by_category": int(n_category),
        "n_products_by_title_type": int(n_title_type),
        "n_products_unmatched": int(n_none),
        "n_categories": int(n_categories),
        "n_words": int(n_kept),
        "n_skipped": int(n_words) - int(n_kept),
        "n_words_partly_unmatched": int(unmatched[0]),
        "n_positives_unmatched": int(unmatched[1]),
    }


def match_line(matched: dict[str, Any]) -> str:
    """One line saying what a matched divergence run matched its products on, or a warning
    when there was nothing to match on (``matched_divergence``'s summary)."""
    counts = (
        f"{matched['n_products_by_category']} products by their category, "
        f"{matched['n_products_by_title_type']} by their title's product type, "
        f"{matched['n_products_unmatched']} by neither"
    )
    if matched["n_categories"] < 2:
        return (
            f"warning: negatives are not category-matched: {counts}, so there is no second "
            "category to match on and a word's negatives are random products of its shop; "
            "ingest a category column, or define a scope with --match-field metadata.<key>"
        )
    return f"negatives matched within {matched['n_categories']} categories: {counts}"


def prepare_matched_samples(
    con: duckdb.DuckDBPyConnection, definition: ScopeDefinition
) -> tuple[str, str]:
    """The SQL files a visualness run draws its samples with: (balanced, resample).

    For a category-matched scope, also writes the temp table ``visualness_categories``
    those files read (after ``visualness/universe.sql``).
    """
    if definition.negatives == "category_matched":
        run_sql_file(con, "context/visualness_categories", {
            "match_field": definition.match_field, "match_shop": definition.match_shop,
        })
    return SAMPLE_FILES[definition.negatives]
