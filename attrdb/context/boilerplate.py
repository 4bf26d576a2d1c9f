"""Boilerplate lines of a scope's descriptions (``sql/context/boilerplate.sql``).

Run by the vocab stage between writing the scope's universe and choosing its vocabulary:
lines that recur across many listings (care instructions, size-chart headers, shop
templates) are flagged in ``boilerplate_product_lines``; when the scope drops boilerplate
the vocabulary and the D+ sets ignore their tokens. Flagged lines stay in the database
(view ``boilerplate_text_lines``) so they can be inspected.
"""

from __future__ import annotations

from typing import Any

import duckdb

from attrdb.context.scopes import ScopeDefinition
from attrdb.errors import StateError
from attrdb.sqlfiles import query_sql_file, run_sql_file

TOP_IN_SUMMARY = 10


def flag_boilerplate(
    con: duckdb.DuckDBPyConnection, scope: str, definition: ScopeDefinition
) -> dict[str, Any]:
    """Flag the scope's boilerplate lines (its ``scope_products`` must be written).

    Returns:
        Counts (keys, flagged and excluded lines, excluded tokens, products with
        boilerplate) and the most common lines.

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
    run_sql_file(con, "context/boilerplate", {
        "scope": scope,
        "min_count": definition.boilerplate_min_count,
        "min_share": definition.boilerplate_min_share,
        "min_listings": definition.boilerplate_min_listings,
        "drop": definition.boilerplate == "drop",
    })
    keys, flagged, excluded, tokens, products = query_sql_file(
        con, "context/boilerplate_summary", {"scope": scope})[0]
    return {
        "boilerplate": definition.boilerplate,
        "n_boilerplate_keys": int(keys),
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
             "excluded")
    rows = query_sql_file(con, "context/boilerplate_top", {"scope": scope, "n": n})
    return [dict(zip(names, row, strict=True)) for row in rows]
