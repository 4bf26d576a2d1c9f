"""Boilerplate lines of a scope's descriptions (``sql/context/boilerplate.sql``).

Run by the vocab stage between writing the scope's universe and choosing its vocabulary:
lines that recur across many listings *and* say nothing about the product (care
instructions, size-chart headers, shop templates: near-constant in a shop, long, or in a
section with such lines) are flagged in ``boilerplate_product_lines``; recurring short
lines outside such sections ("Lined.", "Unlined.") are attributes and stay. When the scope
drops boilerplate the vocabulary and the D+ sets ignore the flagged lines' tokens. Flagged
lines stay in the database (view ``boilerplate_text_lines``) so they can be inspected.
"""

from __future__ import annotations

from typing import Any

import duckdb

from attrdb.context.scopes import ScopeDefinition
from attrdb.errors import InputError, StateError
from attrdb.sqlfiles import query_sql_file

TOP_IN_SUMMARY = 10
# A line in this share of some shop's listings (and in at least min_count of them) is
# pasted whatever the product: half is where presence stops telling the listings apart
# better than absence does.
DEFAULT_CONSTANT_SHARE = 0.5
# A recurring line with more words than this is copy, not one attribute: the longest
# recurring attribute statements seen are about five words ("Slightly longer at the
# back."), care and marketing lines repeated verbatim run to 6-30.
DEFAULT_MAX_ATTRIBUTE_WORDS = 8


def flag_boilerplate(
    con: duckdb.DuckDBPyConnection,
    scope: str,
    definition: ScopeDefinition,
    *,
    constant_share: float = DEFAULT_CONSTANT_SHARE,
    max_attribute_words: int = DEFAULT_MAX_ATTRIBUTE_WORDS,
) -> dict[str, Any]:
    """Flag the scope's boilerplate lines (its ``scope_products`` must be written).

    Args:
        con: an open attrdb database.
        scope: the scope whose lines are flagged.
        definition: its definition (which lines recur, whether they are dropped).
        constant_share: a recurring line in this share of some shop's listings is
            boilerplate ('constant').
        max_attribute_words: a recurring line with more words is boilerplate ('long').

    Returns:
        Counts (keys, keys per reason, flagged and excluded lines, excluded tokens,
        products with boilerplate, recurring lines kept as attributes), the most common
        flagged lines and the most common kept ones.

    Raises:
        StateError: a category filter left the scope without products.
    """
    n_products = con.execute(
        "SELECT count(*) FROM scope_products WHERE scope = ?", [scope]
    ).fetchall()[0][0]
    if not n_products and definition.category_field is not None:
        raise StateError(
            f"scope {scope!r} admits no kept product ({definition.category_field} in "
            f"{', '.join(definition.categories)}); redefine it with `attrdb scope add --replace`"
        )
    if not 0 < constant_share <= 1 or max_attribute_words < 1:
        raise InputError("constant_share must be in (0, 1] and max_attribute_words >= 1")
    kept = query_sql_file(con, "context/boilerplate", {
        "scope": scope,
        "min_count": definition.boilerplate_min_count,
        "min_share": definition.boilerplate_min_share,
        "min_listings": definition.boilerplate_min_listings,
        "constant_share": constant_share,
        "max_attribute_words": max_attribute_words,
        "drop": definition.boilerplate == "drop",
    })
    keys, flagged, excluded, tokens, products, reasons = query_sql_file(
        con, "context/boilerplate_summary", {"scope": scope})[0]
    return {
        "boilerplate": definition.boilerplate,
        "n_boilerplate_keys": int(keys),
        "n_keys_by_reason": {r["reason"]: int(r["n"]) for r in reasons},
        "n_recurring_kept": len(kept),
        "top_kept_lines": [row[1] for row in kept[:TOP_IN_SUMMARY]],
        "n_flagged_lines": int(flagged),
        "n_excluded_lines": int(excluded),
        "n_excluded_tokens": int(tokens),
        "n_products_with_boilerplate": int(products),
        "top_lines": [row["example"] for row in top_boilerplate(con, scope, TOP_IN_SUMMARY)],
    }


def top_boilerplate(
    con: duckdb.DuckDBPyConnection, scope: str, n: int = 20
) -> list[dict[str, Any]]:
    """A scope's ``n`` most common boilerplate lines, most listings first."""
    names = ("rank", "example", "n_products", "n_shops", "n_shops_flagged", "max_shop_share",
             "excluded", "reason")
    rows = query_sql_file(con, "context/boilerplate_top", {"scope": scope, "n": n})
    return [dict(zip(names, row, strict=True)) for row in rows]
