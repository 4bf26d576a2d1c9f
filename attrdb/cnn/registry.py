"""The ``models`` and ``units`` tables: which exact network produced which activations."""

from __future__ import annotations

from typing import Any

import duckdb

from attrdb.cnn.models import TappedModel
from attrdb.errors import ModelError
from attrdb.sqlfiles import query_sql_file, run_sql_file


def register_model(con: duckdb.DuckDBPyConnection, model: TappedModel) -> bool:
    """Record ``model`` (weights hash and every unit) under ``model.model_id``.

    Registering the same weights, layers and pooling again is a no-op.

    Returns:
        True when the model was newly registered.

    Raises:
        ModelError: ``model_id`` is registered with other weights, another tap set or
            another pooling (its stored activations would no longer match).
    """
    rows = query_sql_file(con, "cnn/model_get", {"model_id": model.model_id})
    if rows:
        name, _weights, sha, _input_size, _n_units, pooling = rows[0]
        if sha != model.weights_sha256 or name != model.name:
            raise ModelError(
                f"model id {model.model_id!r} is registered as {name} with weights sha256 "
                f"{sha[:12]}...; these are {model.name} {model.weights_sha256[:12]}... "
                "Pass --model-id to register them under another id"
            )
        if pooling != model.pooling:
            raise ModelError(
                f"model id {model.model_id!r} holds {pooling}-pooled units, not "
                f"{model.pooling}; each pooling is its own model id"
            )
        layers = query_sql_file(con, "cnn/model_layers", {"model_id": model.model_id})
        if [(layer, size) for layer, _index, size in layers] != list(
            zip(model.layer_names, model.layer_sizes, strict=True)
        ):
            raise ModelError(
                f"model id {model.model_id!r} is registered with other tapped layers "
                f"({', '.join(layer for layer, _i, _n in layers)}); register under a new id"
            )
        return False
    con.execute("BEGIN TRANSACTION")
    try:
        run_sql_file(con, "cnn/model_register", _register_params(model))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return True


def list_models(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Registered models: id, name, n_units, layers, images done, errors, weights."""
    cursor = run_sql_file(con, "cnn/models_list")
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _register_params(model: TappedModel) -> dict[str, Any]:
    return {
        "model_id": model.model_id,
        "name": model.name,
        "weights": str(model.weights_path),
        "weights_sha256": model.weights_sha256,
        "input_size": model.input_size,
        "mean": list(model.mean),
        "std": list(model.std),
        "layers": model.layer_names,
        "sizes": model.layer_sizes,
        "pooling": model.pooling,
    }
