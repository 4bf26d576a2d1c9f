"""Perceptual depth (paper Sec. 5, eq. 4): in which layer does a word's divergence peak?

Reads the symmetric KL of every unit and word (``unit_word_divergence``, written by
:func:`attrdb.divergence.run_divergence`) and writes ``layer_depth``: per word and tapped
layer the largest KL of the layer's units and its share of the sum over layers. The SQL is in
``sql/depth/``; the views ``layer_magnitude`` (Fig. 4) and ``layer_salient_words``
(Table 3) of migration 0007 read the table.
"""

from __future__ import annotations

from typing import Any

import duckdb

from attrdb.connection import require_tables
from attrdb.divergence import resolve_model
from attrdb.errors import InputError, StateError
from attrdb.runs import stage_run
from attrdb.sqlfiles import query_sql_file, run_sql_file

DEFAULT_TOP_WORDS = 5


def run_depth(
    con: duckdb.DuckDBPyConnection,
    *,
    scope: str = "default",
    model_id: str | None = None,
    top_words: int = DEFAULT_TOP_WORDS,
) -> dict[str, Any]:
    """Compute ``layer_depth`` from the divergences of a model and scope.

    Args:
        con: an open attrdb database after ``attrdb divergence``.
        scope: the scope of the divergences.
        model_id: the CNN; default the only registered model.
        top_words: how many of the most salient words per layer the summary lists.

    Returns:
        Summary: model_id, n_words and, per layer (early to late), M_l (the mean
        relative magnitude), the mean max KL, how many words peak there and its top words.

    Raises:
        StateError: divergence has not run for this model and scope.
        InputError: top_words < 1 or an unknown model.
    """
    if top_words < 1:
        raise InputError(f"--top-words must be at least 1, got {top_words}")
    require_tables(con, "unit_word_divergence", "units", hint="run `attrdb divergence` first")
    model_id = resolve_model(con, model_id)
    base = {"model_id": model_id, "scope": scope}
    if not query_sql_file(con, "depth/divergence_exists", base)[0][0]:
        raise StateError(
            f"no divergences for model {model_id!r} in scope {scope!r}; "
            "run `attrdb divergence` first"
        )
    with stage_run(con, "depth", {"model_id": model_id, "top_words": top_words},
                   scope=scope) as run:
        con.begin()
        try:
            run_sql_file(con, "depth/layer_depth", base)
            con.commit()
        except BaseException:
            con.rollback()
            raise
        top: dict[int, list[str]] = {}
        for _, index, word, _, _ in query_sql_file(
            con, "depth/salient_words", {**base, "n": top_words}
        ):
            top.setdefault(int(index), []).append(str(word))
        magnitude = query_sql_file(con, "depth/magnitude", base)
        layers = [
            {
                "layer": layer,
                "layer_index": int(index),
                "mean_relative": float(mean_relative),
                "mean_max_kl": float(mean_max_kl),
                "n_peaking": int(n_peaking),
                "top_words": top.get(int(index), []),
            }
            for layer, index, mean_relative, mean_max_kl, _, n_peaking in magnitude
        ]
        n_words = max((int(row[4]) for row in magnitude), default=0)
        run.summary.update(
            model_id=model_id,
            n_words=n_words,
            layers=layers,
        )
        return dict(run.summary)
