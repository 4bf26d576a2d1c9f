"""The model registry in the database: which network a model id names, and where its
weights came from (``weights_lineage``).

Infrastructure, like ``runs``: it knows no stage. The network code (``attrdb.cnn``) takes
and returns tensors and never opens the database; this module runs the registry's SQL
(``sql/cnn/``) and hands rows to it (:class:`attrdb.cnn.registry.Registration`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from attrdb.errors import InputError, StateError
from attrdb.sqlfiles import query_sql_file, run_sql_file

if TYPE_CHECKING:
    import torch

    from attrdb.cnn.models import TappedModel
    from attrdb.cnn.registry import Registration

LINEAGE_KINDS = ("pretrained", "attribute_tuned", "category_tuned", "random_init")


def registration(con: duckdb.DuckDBPyConnection, model_id: str) -> Registration | None:
    """The ``models`` row of ``model_id``, or None when it is not registered."""
    from attrdb.cnn.registry import Registration

    rows = query_sql_file(con, "cnn/model_get", {"model_id": model_id})
    if not rows:
        return None
    name, weights, sha, input_size, n_units, pooling = rows[0]
    return Registration(model_id, name, weights, sha, int(input_size), int(n_units), pooling)


def is_registered(con: duckdb.DuckDBPyConnection, model_id: str) -> bool:
    """Whether ``model_id`` is in ``models``."""
    return registration(con, model_id) is not None


def model_from_db(
    con: duckdb.DuckDBPyConnection,
    model_id: str,
    *,
    device: str | torch.device = "cpu",
    weights: str | Path | None = None,
) -> TappedModel:
    """Rebuild the model registered as ``model_id``, checking its weights' sha256.

    The weights are read from ``weights`` when given, else from the path recorded at
    registration, else (when that file has moved) from the architecture's default place.

    Raises:
        StateError: no such model is registered.
        ModelError: the weights are missing or their hash differs from the registered one.
    """
    from attrdb.cnn.models import load_registered

    registered = registration(con, model_id)
    if registered is None:
        raise StateError(f"model {model_id!r} is not registered; run `attrdb extract` first")
    return load_registered(registered, device=device, weights=weights)


def register_model(con: duckdb.DuckDBPyConnection, model: TappedModel) -> bool:
    """Record ``model`` (weights hash and every unit) under ``model.model_id``.

    Registering the same weights, layers and pooling again is a no-op. A seeded random
    architecture also records its ``random_init`` lineage, and weights with a lineage
    sidecar (``<weights>.lineage.json``, written by ``attrdb finetune``) the lineage it
    carries (training run id and database in its settings).

    Returns:
        True when the model was newly registered.

    Raises:
        ModelError: ``model_id`` is registered with other weights, another tap set or
            another pooling (its stored activations would no longer match).
    """
    from attrdb.cnn.registry import check_matches

    registered = registration(con, model.model_id)
    if registered is not None:
        layers = query_sql_file(con, "cnn/model_layers", {"model_id": model.model_id})
        check_matches(registered, [tuple(row) for row in layers], model)
        return False
    con.execute("BEGIN TRANSACTION")
    try:
        register_within_transaction(con, model)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return True


def register_within_transaction(con: duckdb.DuckDBPyConnection, model: TappedModel) -> None:
    """Register a new model id inside the caller's transaction (with its other writes).

    Raises:
        StateError: the id is registered already (registered weights are never replaced).
    """
    from attrdb.cnn.registry import registration_params

    if is_registered(con, model.model_id):
        raise StateError(f"model {model.model_id!r} is already registered")
    run_sql_file(con, "cnn/model_register", registration_params(model))
    if model.arch.lineage == "random_init":
        record_lineage(con, model, kind="random_init", seed=model.arch.seed)
    else:
        _record_sidecar_lineage(con, model)


def list_models(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Registered models: id, name, n_units, layers, images done, errors, weights."""
    cursor = run_sql_file(con, "cnn/models_list")
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def resolve_model(
    con: duckdb.DuckDBPyConnection, ref: str, *, device: str = "cpu"
) -> TappedModel:
    """The network ``ref`` names: a registered model id, else an architecture name.

    An architecture not yet registered is registered under its own name with its default
    weights, so a model derived from it names a registered parent.

    Raises:
        InputError: ``ref`` is neither a registered model nor an architecture.
        ModelError: the weights are missing or differ from the registered hash.
    """
    from attrdb.cnn.architectures import ARCHITECTURES
    from attrdb.cnn.models import load_model

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
    return model


def record_lineage(
    con: duckdb.DuckDBPyConnection,
    model: TappedModel,
    *,
    kind: str,
    parent_model_id: str | None = None,
    parent_weights_sha256: str | None = None,
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
        "parent_model_id": parent_model_id,
        "parent_weights_sha256": parent_weights_sha256,
        "training_run_id": training_run_id,
        "seed": seed,
        "settings": json.dumps(settings, sort_keys=True) if settings is not None else None,
    })


def lineage_sidecar(weights: Path) -> Path:
    """The JSON file beside a weights file that carries its lineage to other databases."""
    return weights.with_name(weights.stem + ".lineage.json")


def write_lineage_sidecar(
    model: TappedModel, *, kind: str, parent_model_id: str | None,
    parent_weights_sha256: str | None, training_run_id: int | None,
    training_database: str | None, seed: int | None, settings: dict[str, Any],
) -> Path:
    """Write ``<weights>.lineage.json``: registering the file in another database (e.g.
    ``attrdb extract --weights FILE``) then records the same lineage there."""
    path = lineage_sidecar(model.weights_path)
    path.write_text(json.dumps({
        "weights_sha256": model.weights_sha256, "kind": kind, "name": model.name,
        "parent_model_id": parent_model_id, "parent_weights_sha256": parent_weights_sha256,
        "seed": seed, "settings": {**settings, "training_run_id": training_run_id,
                                   "training_database": training_database},
    }, indent=1, sort_keys=True), encoding="utf-8")
    return path


def _record_sidecar_lineage(con: duckdb.DuckDBPyConnection, model: TappedModel) -> None:
    # A sidecar whose hash is not these weights' describes other weights: ignored.
    path = lineage_sidecar(model.weights_path)
    if not path.is_file():
        return
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if not isinstance(found, dict) or found.get("weights_sha256") != model.weights_sha256:
        return
    record_lineage(
        con, model, kind=str(found.get("kind")),
        parent_model_id=found.get("parent_model_id"),
        parent_weights_sha256=found.get("parent_weights_sha256"),
        seed=found.get("seed"), settings=found.get("settings"),
    )
