"""Metadata agreement check: do the surest predictions match the catalogue's own labels?

Catalogues often hold structured attributes that the method never reads (Myntra:
``base_colour``, the Pattern of ``article_attributes``, kept in ``products.metadata``).
For the vocabulary words that name a value of such an attribute, the precision at k of a
classifier's highest-scored test images against that attribute measures whether a word
found "visual" is recognised as the attribute rather than as a context that co-occurs with
it. Because catalogue attributes correlate with product types (most formal shoes are
black), each precision comes with ``category_rate``: the precision the ranked products'
categories alone would give, so a gain over it is the part the product type cannot explain
(``sql/context/metadata_agreement.sql``, table ``metadata_agreement``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

from attrdb.connection import require_tables
from attrdb.context.scopes import scope_definition
from attrdb.errors import InputError
from attrdb.runs import stage_run
from attrdb.sqlfiles import query_sql_file

# The documented Myntra mapping keeps these in products.metadata (docs/ingest.md).
DEFAULT_ATTRIBUTES = {"colour": "base_colour", "pattern": "article_attributes.Pattern"}
DEFAULT_KS = (50, 100)


def parse_attribute(text: str) -> tuple[str, str]:
    """'name=path' (path: a metadata key, or 'key.subkey') -> (name, path).

    Raises:
        InputError: the text is not of that form.
    """
    name, sep, path = text.partition("=")
    if not sep or not name.strip() or not path.strip(" ."):
        raise InputError(f"--attribute must look like name=metadata_key, not {text!r}")
    return name.strip(), path.strip()


def run_metadata_check(
    con: duckdb.DuckDBPyConnection,
    *,
    scope: str = "default",
    model_id: str | None = None,
    attributes: dict[str, str] | None = None,
    ks: Sequence[int] = DEFAULT_KS,
) -> dict[str, Any]:
    """Measure precision at k of every classifier method against metadata attributes.

    Args:
        con: an open attrdb database after the visualness stage.
        scope: the scope whose predictions, vocabulary and test products are used.
        model_id: the CNN; default the only registered model.
        attributes: name -> metadata path (default: colour=base_colour,
            pattern=article_attributes.Pattern).
        ks: the cut-offs (products ranked per word and method).

    Returns:
        Per attribute: words checked and the mean precision per method and k.

    Raises:
        InputError: a k below 1, an unknown model or an attribute no product has.
        StateError: the visualness stage has not run in the scope.
    """
    from attrdb.visualness import resolve_model

    chosen = dict(attributes or DEFAULT_ATTRIBUTES)
    cutoffs = sorted({int(k) for k in ks})
    if not cutoffs or cutoffs[0] < 1:
        raise InputError("every --k must be at least 1")
    require_tables(con, "predictions", "splits", "vocabulary",
                   hint="run `attrdb visualness` first")
    model_id = resolve_model(con, model_id)
    match_field = scope_definition(con, scope).match_field
    params = {"model_id": model_id, "attributes": chosen, "ks": cutoffs,
              "match_field": match_field}
    with stage_run(con, "metadata_check", params, scope=scope) as run:
        results: dict[str, Any] = {}
        con.begin()
        try:
            for name, path in chosen.items():
                n_rows, n_words = query_sql_file(con, "context/metadata_agreement", {
                    "model_id": model_id, "scope": scope, "attribute": name, "path": path,
                    "match_field": match_field, "ks": cutoffs, "run_id": run.run_id,
                })[0]
                results[name] = {"path": path, "n_words": int(n_words), "n_rows": int(n_rows)}
            con.commit()
        except BaseException:
            con.rollback()
            raise
        empty = [name for name, r in results.items() if not r["n_words"]]
        if len(empty) == len(results):
            raise InputError(
                f"no vocabulary word of scope {scope!r} names a value of "
                f"{', '.join(chosen[n] for n in empty)} in products.metadata (or no test "
                "predictions exist)"
            )
        for name in results:
            means = con.execute(
                "SELECT method, k, mean_precision, mean_category_rate "
                "FROM metadata_agreement_summary WHERE model_id = ? AND scope = ? "
                "AND attribute = ? ORDER BY method, k", [model_id, scope, name],
            ).fetchall()
            results[name]["mean_precision"] = {
                f"{method}@{k}": round(float(p), 4) for method, k, p, _ in means if p is not None
            }
            results[name]["mean_category_rate"] = {
                f"{method}@{k}": round(float(c), 4) for method, k, _, c in means if c is not None
            }
        run.summary.update(model_id=model_id, attributes=results)
        return {"model_id": model_id, "scope": scope, "attributes": results}
