"""What a fine-tuning run does (``TrainSettings``), without importing torch.

The stage's parameters validate through it when they are built (the CLI, before any
network is loaded); :mod:`attrdb.cnn.finetune` trains with it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from attrdb.errors import InputError

KINDS = ("attribute", "category")


@dataclass(frozen=True)
class TrainSettings:
    """What a fine-tuning run does; all of it is recorded with the weights.

    Attributes:
        kind: ``attribute`` (multi-label) or ``category`` (single-label).
        epochs: passes over the training images.
        batch_size: images per optimiser step.
        lr: learning rate of the new head (AdamW).
        backbone_lr_scale: the trainable tapped layers learn at ``lr`` times this.
        weight_decay: AdamW weight decay.
        trainable_layers: how many of the last tapped layers are trained (the rest frozen).
        input_size: square input side in pixels for training.
        dropout: dropout before the head.
        flip: mirror images at random (attributes are left-right symmetric at this level).
        max_pos_weight: cap of a word's negatives/positives loss weight (a word with one
            positive would otherwise dominate the loss).
        seed: data order, flips, dropout and head initialisation.
    """

    kind: str
    epochs: int = 5
    batch_size: int = 32
    lr: float = 1e-3
    backbone_lr_scale: float = 0.1
    weight_decay: float = 1e-4
    trainable_layers: int = 3
    input_size: int = 160
    dropout: float = 0.2
    flip: bool = True
    max_pos_weight: float = 50.0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InputError(f"kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        for name in ("epochs", "batch_size", "trainable_layers", "input_size"):
            if getattr(self, name) < 1:
                raise InputError(f"{name.replace('_', ' ')} must be at least 1, "
                                 f"got {getattr(self, name)}")
        if self.input_size < 32:
            raise InputError(f"input size must be at least 32 px, got {self.input_size}")
        for name in ("lr", "backbone_lr_scale", "weight_decay", "max_pos_weight"):
            if getattr(self, name) < 0:
                raise InputError(f"{name.replace('_', ' ')} must be 0 or more")
        if not 0 <= self.dropout < 1:
            raise InputError(f"dropout must be in [0, 1), got {self.dropout}")

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for ``runs.params`` and the checkpoint."""
        return asdict(self)
