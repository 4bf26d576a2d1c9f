"""Perceptual depth (paper Sec. 5, eq. 4): in which layer does a word's divergence peak?

Reads the symmetric KL of every unit and word (``unit_word_divergence``, written by the
divergence stage) and writes ``layer_depth``: per word and tapped layer the largest KL of
the layer's units and its share of the sum over layers. The SQL is in ``sql/depth/`` (with
Spark overrides in ``sql/spark/depth/``); the views ``layer_magnitude`` (Fig. 4) and
``layer_salient_words`` (Table 3) of migration 0007 read the table. :func:`run` is the
stage's one implementation for DuckDB and Spark.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from attrdb.engines.base import Engine
from attrdb.engines.transpile import query_file, run_file
from attrdb.errors import InputError, StateError
from attrdb.stages import (
    DEFAULT_SCOPE,
    Params,
    hint,
    recorded,
    require_inputs,
    resolve_model,
)


@dataclass(frozen=True)
class DepthParams(Params):
    """Parameters of the depth stage.

    Attributes:
        scope: the scope of the divergences.
        model_id: the CNN; default the only registered model.
        top_words: how many of the most salient words per layer the summary lists.
    """

    scope: str = DEFAULT_SCOPE
    model_id: str | None = None
    top_words: int = 5

    def __post_init__(self) -> None:
        if self.top_words < 1:
            raise InputError(f"--top-words must be at least 1, got {self.top_words}")


def run(engine: Engine, params: DepthParams) -> dict[str, Any]:
    """Write ``layer_depth`` on ``engine``.

    Returns:
        Summary: model_id, n_words and, per layer (early to late), M_l (the mean
        relative magnitude), the mean max KL, how many words peak there and its top words.

    Raises:
        StateError: divergence has not run for this model and scope.
        InputError: an unknown model.
    """
    model_id = resolve_model(engine, params.model_id)
    base = {"model_id": model_id, "scope": params.scope}
    if not query_file(engine, "depth/divergence_exists", base).column(0)[0].as_py():
        raise StateError(
            f"no divergences for model {model_id!r} in scope {params.scope!r}; "
            f"{hint('unit_word_divergence')}"
        )
    run_file(engine, "depth/layer_depth", base)
    top: dict[int, list[str]] = {}
    salient = query_file(engine, "depth/salient_words", {**base, "n": params.top_words})
    for row in salient.to_pylist():
        top.setdefault(int(row["layer_index"]), []).append(str(row["word"]))
    magnitude = query_file(engine, "depth/magnitude", base).to_pylist()
    layers = [
        {
            "layer": row["layer"],
            "layer_index": int(row["layer_index"]),
            "mean_relative": float(row["mean_relative"]),
            "mean_max_kl": float(row["mean_max_kl"]),
            "n_peaking": int(row["n_peaking"]),
            "top_words": top.get(int(row["layer_index"]), []),
        }
        for row in magnitude
    ]
    n_words = max((int(row["n_words"]) for row in magnitude), default=0)
    return {"model_id": model_id, "n_words": n_words, "layers": layers}


def run_depth(con: duckdb.DuckDBPyConnection, **params: Any) -> dict[str, Any]:
    """Compute ``layer_depth`` from the divergences of a model and scope (DuckDB).

    Args:
        con: an open attrdb database after ``attrdb divergence``.
        **params: fields of :class:`DepthParams` (scope, model_id, top_words).

    Returns:
        The summary of :func:`run`.

    Raises:
        StateError: divergence has not run for this model and scope.
        InputError: top_words < 1 or an unknown model.
    """
    chosen = DepthParams(**params)
    require_inputs(con, "depth")
    model_id = resolve_model(con, chosen.model_id)
    with recorded(con, "depth", {"model_id": model_id, "top_words": chosen.top_words},
                  scope=chosen.scope) as (engine, record):
        record.summary.update(run(engine, chosen))
    return dict(record.summary)
