"""What the ``models`` and ``units`` tables say about a network, without the database.

The registry's rows tie stored activations to one exact network: architecture, weights
(sha256), tapped layers and pooling. This module holds the rules as plain functions over a
row (:class:`Registration`) and a :class:`~attrdb.cnn.models.TappedModel`: the parameters
a registration writes, and whether a model matches what is registered. The SQL that reads
and writes the rows runs in :mod:`attrdb.model_registry` (``sql/cnn/``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from attrdb.errors import ModelError

if TYPE_CHECKING:
    from attrdb.cnn.models import TappedModel


@dataclass(frozen=True)
class Registration:
    """One ``models`` row (``sql/cnn/model_get.sql``)."""

    model_id: str
    name: str
    weights: str
    weights_sha256: str
    input_size: int
    n_units: int
    pooling: str


def check_matches(
    registered: Registration, layers: list[tuple[str, int, int]], model: TappedModel
) -> None:
    """Refuse ``model`` under an id registered for another network.

    Args:
        registered: the id's row.
        layers: its tapped layers, early to late (``sql/cnn/model_layers.sql``: layer,
            layer_index, channels).
        model: the network about to be registered under the same id.

    Raises:
        ModelError: other weights, architecture, pooling or tapped layers (the stored
            activations would no longer match).
    """
    if registered.weights_sha256 != model.weights_sha256 or registered.name != model.name:
        raise ModelError(
            f"model id {model.model_id!r} is registered as {registered.name} with weights "
            f"sha256 {registered.weights_sha256[:12]}...; these are {model.name} "
            f"{model.weights_sha256[:12]}... Pass --model-id to register them under another id"
        )
    if registered.pooling != model.pooling:
        raise ModelError(
            f"model id {model.model_id!r} holds {registered.pooling}-pooled units, not "
            f"{model.pooling}; each pooling is its own model id"
        )
    if [(layer, size) for layer, _index, size in layers] != list(
        zip(model.layer_names, model.layer_sizes, strict=True)
    ):
        raise ModelError(
            f"model id {model.model_id!r} is registered with other tapped layers "
            f"({', '.join(layer for layer, _i, _n in layers)}); register under a new id"
        )


def registration_params(model: TappedModel) -> dict[str, Any]:
    """The parameters of ``sql/cnn/model_register.sql`` for ``model``."""
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
