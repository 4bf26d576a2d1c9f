"""The model registry in the database: which network a model id names, and where its
weights came from (``weights_lineage``).

Infrastructure, like ``runs``: it knows no stage. The network code (``attrdb.cnn``) takes
and returns tensors and never opens the database; this module runs the registry's SQL
(``sql/cnn/``) for the stages that need a registered network.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import duckdb

from attrdb.errors import InputError, StateError
from attrdb.sqlfiles import query_sql_file, run_sql_file

if TYPE_CHECKING:
    from attrdb.cnn.models import TappedModel

LINEAGE_KINDS = ("pretrained", "attribute_tuned", "category_tuned", "random_init")


def is_registered(con: duckdb.DuckDBPyConnection, model_id: str) -> bool:
    """Whether ``model_id`` is in ``models``."""
    return bool(query_sql_file(con, "cnn/model_get", {"model_id": model_id}))


def resolve_model(
    con: duckdb.DuckDBPyConnection, ref: str, *, device: str = "cpu"
) -> TappedModel:
    """The network ``ref`` names: a registered model id, else an architecture name.

    An architecture not yet registered is registered under its own name with its default
    weights (a seeded random architecture records its ``random_init`` lineage), so a
    model derived from it can name a registered parent.

    Raises:
        InputError: ``ref`` is neither a registered model nor an architecture.
        ModelError: the weights are missing or differ from the registered hash.
    """
    from attrdb.cnn.architectures import ARCHITECTURES
    from attrdb.cnn.models import load_model, model_from_db
    from attrdb.cnn.registry import register_model

    if is_registered(con, ref):
        return model_from_db(con, ref, device=device)
    if ref not in ARCHITECTURES:
        known = ", ".join(sorted(ARCHITECTURES))
        raise InputError(
            f"model {ref!r} is not registered and is no architecture; register it "
            f"(`attrdb models register`) or name one of: {known}"
        )
    model = load_model(ref, None, device)
    register_model(con, model)
    if model.arch.lineage == "random_init":
        record_lineage(con, model, kind="random_init", seed=model.arch.seed)
    return model


def register_within_transaction(con: duckdb.DuckDBPyConnection, model: TappedModel) -> None:
    """Register a new model id inside the caller's transaction (with its other writes).

    Raises:
        StateError: the id is registered already (registered weights are never replaced).
    """
    from attrdb.cnn.registry import _register_params

    if is_registered(con, model.model_id):
        raise StateError(f"model {model.model_id!r} is already registered")
    run_sql_file(con, "cnn/model_register", _register_params(model))


def record_lineage(
    con: duckdb.DuckDBPyConnection,
    model: TappedModel,
    *,
    kind: str,
    parent: TappedModel | None = None,
    training_run_id: int | None = None,
    seed: int | None = None,
    settings: dict[str, Any] | None = None,
) -> None:
    """Record how ``model``'s weights were made (once per weights sha256)."""
    if kind not in LINEAGE_KINDS:
        raise InputError(f"lineage kind must be one of {', '.join(LINEAGE_KINDS)}")
    run_sql_file(con, "cnn/lineage_record", {
        "weights_sha256": model.weights_sha256,
        "kind": kind,
        "name": model.name,
        "weights": str(model.weights_path),
        "parent_model_id": parent.model_id if parent is not None else None,
        "parent_weights_sha256": parent.weights_sha256 if parent is not None else None,
        "training_run_id": training_run_id,
        "seed": seed,
        "settings": json.dumps(settings, sort_keys=True) if settings is not None else None,
    })
