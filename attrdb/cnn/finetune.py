"""Fine-tuning compute: a tapped network trained on labels, given as tensors.

Two kinds, as in the paper's Table 1: **attribute-tuned** (multi-label: one output per
vocabulary word, the targets the noisy text gives, binary cross-entropy weighted by each
word's negatives-to-positives ratio, since most words are absent from most listings and a
missing word is weak evidence) and **category-tuned** (single-label cross-entropy on a
catalogue category). The network keeps its architecture and tapped layers; a new linear
head reads the last tapped layer, average-pooled over space. The early tapped layers stay
frozen (``trainable_layers`` counts from the top): in eval mode they are a fixed function,
so their output is computed once per image (and once for its mirror image) and every
epoch only runs the trainable layers, which is what makes CPU fine-tuning take minutes.

Deterministic: epoch e draws its order, flips and dropout from ``seed`` and e alone, and a
checkpoint (network, head, optimiser, history) is written after every epoch, so a run
interrupted after any epoch and resumed gives the same weights as an uninterrupted one.
Nothing here opens the database (the stage ``attrdb.finetune`` does).
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from attrdb.cnn.architectures import Segment
from attrdb.cnn.models import TappedModel
from attrdb.cnn.train_settings import TrainSettings
from attrdb.errors import InputError, ModelError

# Checkpoint format version: a checkpoint written by other code is refused, not misread.
CHECKPOINT_FORMAT = 1


@dataclass
class EpochStats:
    """One finished epoch."""

    epoch: int
    train_loss: float
    n_images: int
    seconds: float


@dataclass
class TrainResult:
    """A fine-tuned network: ``model.net`` holds the trained weights, ``head`` the classifier."""

    head: nn.Linear
    epochs: list[EpochStats] = field(default_factory=list)
    resumed_from: int = 0
    prefix_seconds: float = 0.0


def positive_weights(targets: torch.Tensor, cap: float) -> torch.Tensor:
    """Per-word loss weight of positives: negatives / positives, capped at ``cap``.

    Balances each word's positives against its far more numerous negatives (BCE's
    ``pos_weight``), so rare words are not learnt as "always absent".
    """
    n_pos = targets.sum(dim=0)
    n_neg = targets.shape[0] - n_pos
    return (n_neg / n_pos.clamp(min=1)).clamp(max=cap, min=1.0)


def _epoch_seed(seed: int, epoch: int) -> int:
    # Distinct, reproducible stream per (seed, epoch): a resumed run redraws epoch e alone.
    return (seed * 1_000_003 + epoch * 7_919) % (2**63 - 1)


def _split_segments(model: TappedModel, trainable: int) -> tuple[list[Segment], list[Segment]]:
    segments = model.arch.segments(model.net)
    if trainable > len(segments):
        raise InputError(
            f"trainable layers {trainable} > the {len(segments)} tapped layers of "
            f"{model.name} ({', '.join(model.layer_names)})"
        )
    cut = len(segments) - trainable
    return segments[:cut], segments[cut:]


def _pooled(x: torch.Tensor) -> torch.Tensor:
    return x.mean(dim=(2, 3)) if x.dim() == 4 else x


class _Inputs:
    """The trainable layers' input for any images: the frozen prefix's output, computed once
    per image and mirror image, or the normalised image itself when nothing is frozen."""

    def __init__(
        self,
        model: TappedModel,
        images: torch.Tensor,
        frozen: list[Segment],
        *,
        flip: bool,
        batch_size: int,
        device: torch.device,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        self.model = model
        self.images = images
        self.device = device
        self.cached: list[torch.Tensor] = []
        if not frozen:
            return
        for mirrored in ((False, True) if flip else (False,)):
            parts = []
            with torch.inference_mode():
                for start in range(0, len(images), batch_size):
                    x = model.normalize(images[start : start + batch_size].to(device))
                    if mirrored:
                        x = x.flip(-1)
                    x = x.contiguous(memory_format=torch.channels_last)
                    for segment in frozen:
                        x = segment.run(x)
                    parts.append(x.cpu())
                    if on_batch is not None:
                        on_batch(len(x))
            self.cached.append(torch.cat(parts))

    def batch(self, index: torch.Tensor, mirrored: torch.Tensor) -> torch.Tensor:
        """Inputs of images ``index``; ``mirrored[i]`` picks the mirror image of image i."""
        if self.cached:
            x = self.cached[0][index]
            if len(self.cached) > 1 and bool(mirrored.any()):
                x = torch.where(mirrored.view(-1, 1, 1, 1), self.cached[1][index], x)
            return x.to(self.device)
        x = self.model.normalize(self.images[index].to(self.device))
        x = torch.where(mirrored.view(-1, 1, 1, 1).to(self.device), x.flip(-1), x)
        return x.contiguous(memory_format=torch.channels_last)


def train(
    model: TappedModel,
    images: torch.Tensor,
    targets: torch.Tensor,
    settings: TrainSettings,
    *,
    checkpoint: Path,
    identity: dict[str, Any],
    on_epoch: Callable[[EpochStats], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> TrainResult:
    """Fine-tune ``model.net`` in place on uint8 ``images`` (N, 3, S, S) and ``targets``.

    Args:
        model: the network to train (its weights change; load a fresh copy to keep one).
        images: training images at ``settings.input_size``, uint8 RGB.
        targets: (N, K) 0/1 floats for ``attribute``, (N,) class indices for ``category``.
        settings: what to do.
        checkpoint: written after every epoch (atomically); resumed from when it exists
            and belongs to the same run (``identity`` and settings equal).
        identity: what the checkpoint must match to be resumed (parent weights, labels,
            the training images): a checkpoint of another run is refused.
        on_epoch: called after each finished epoch, just before its checkpoint.
        on_batch: called with the number of images of every batch, prefix caching included.

    Returns:
        The head and the statistics of the epochs run now (earlier ones when resumed are in
        the checkpoint's history, returned too).

    Raises:
        ModelError: a checkpoint of another run is in the way, or the model was folded for
            inference (``TappedModel.fold_batchnorm``).
        InputError: targets that do not fit the images or the kind.
    """
    if model.batchnorm_folded:
        raise ModelError(f"model {model.model_id!r} had its BatchNorms folded for inference "
                         "and cannot be trained; load it again")
    n = len(images)
    if n == 0 or len(targets) != n:
        raise InputError(f"{n} training images and {len(targets)} targets: nothing to train")
    if settings.kind == "attribute" and targets.dim() != 2:
        raise InputError("attribute targets must be an (images, words) matrix")
    if settings.kind == "category" and targets.dim() != 1:
        raise InputError("category targets must be one class index per image")
    device = model.device
    frozen, trainable = _split_segments(model, settings.trainable_layers)
    n_outputs = targets.shape[1] if settings.kind == "attribute" else int(targets.max()) + 1
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(_epoch_seed(settings.seed, 0))
        head = nn.Linear(model.layer_sizes[-1], n_outputs).to(device)
    dropout = nn.Dropout(settings.dropout)
    trainable_params = [p for s in trainable for m in s.modules for p in m.parameters()]
    for parameter in model.net.parameters():
        parameter.requires_grad_(False)
    for parameter in trainable_params:
        parameter.requires_grad_(True)
    optimiser = torch.optim.AdamW(
        [
            {"params": list(head.parameters()), "lr": settings.lr},
            {"params": trainable_params, "lr": settings.lr * settings.backbone_lr_scale},
        ],
        weight_decay=settings.weight_decay,
    )
    if settings.kind == "attribute":
        targets = targets.float()
        loss_fn: nn.Module = nn.BCEWithLogitsLoss(
            pos_weight=positive_weights(targets, settings.max_pos_weight).to(device)
        )
    else:
        targets = targets.long()
        loss_fn = nn.CrossEntropyLoss()
    full_identity = {**identity, "settings": settings.as_dict(), "format": CHECKPOINT_FORMAT}
    result = TrainResult(head=head)
    start_epoch = _resume(checkpoint, full_identity, model, head, optimiser, result)
    # The global RNG is seeded per epoch (dropout, drop-connect) and restored afterwards;
    # the network leaves frozen, in eval mode and NCHW whatever happens.
    try:
        with torch.random.fork_rng(devices=[]):
            _epochs(model, head, dropout, optimiser, loss_fn, images, targets, settings,
                    frozen, trainable, start_epoch, result, checkpoint, full_identity,
                    on_epoch, on_batch)
    finally:
        for parameter in model.net.parameters():
            parameter.requires_grad_(False)
        model.net.eval()
        model.net.to(memory_format=torch.contiguous_format)
    return result


def _epochs(
    model: TappedModel,
    head: nn.Linear,
    dropout: nn.Dropout,
    optimiser: torch.optim.Optimizer,
    loss_fn: nn.Module,
    images: torch.Tensor,
    targets: torch.Tensor,
    settings: TrainSettings,
    frozen: list[Segment],
    trainable: list[Segment],
    start_epoch: int,
    result: TrainResult,
    checkpoint: Path,
    identity: dict[str, Any],
    on_epoch: Callable[[EpochStats], None] | None,
    on_batch: Callable[[int], None] | None,
) -> None:
    """Epochs ``start_epoch + 1 .. settings.epochs``, a checkpoint after each."""
    if start_epoch >= settings.epochs:
        return
    n, device = len(images), model.device
    model.net.eval()  # frozen layers: fixed BatchNorm statistics, no drop-connect
    # NHWC: oneDNN's and cuDNN's fast layout, forward and backward (measured 1.3-1.5x on
    # this CPU for both the frozen pass and the trained layers).
    model.net.to(memory_format=torch.channels_last)
    started = time.perf_counter()
    inputs = _Inputs(model, images, frozen, flip=settings.flip,
                     batch_size=max(settings.batch_size, 64), device=device, on_batch=on_batch)
    result.prefix_seconds = round(time.perf_counter() - started, 3)
    for epoch in range(start_epoch + 1, settings.epochs + 1):
        epoch_started = time.perf_counter()
        generator = torch.Generator().manual_seed(_epoch_seed(settings.seed, epoch))
        order = torch.randperm(n, generator=generator)
        mirrored = torch.rand(n, generator=generator) < 0.5
        if not settings.flip:
            mirrored = torch.zeros(n, dtype=torch.bool)
        torch.manual_seed(_epoch_seed(settings.seed, epoch))  # dropout, drop-connect
        for segment in trainable:
            for module in segment.modules:
                module.train()
        head.train()
        total = 0.0
        for start in range(0, n, settings.batch_size):
            index = order[start : start + settings.batch_size]
            x = inputs.batch(index, mirrored[index])
            for segment in trainable:
                x = segment.run(x)
            logits = head(dropout.train()(_pooled(x)))
            loss = loss_fn(logits, targets[index].to(device))
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            total += float(loss.detach()) * len(index)
            if on_batch is not None:
                on_batch(len(index))
        for segment in trainable:
            for module in segment.modules:
                module.eval()
        head.eval()
        stats = EpochStats(epoch, total / n, n, round(time.perf_counter() - epoch_started, 3))
        result.epochs.append(stats)
        # Report first, then checkpoint: an interruption in between redoes this epoch and
        # reports it again (the report is replaced), never leaves a trained epoch unreported.
        if on_epoch is not None:
            on_epoch(stats)
        _save(checkpoint, identity, model, head, optimiser, result, epoch)


def _save(
    path: Path,
    identity: dict[str, Any],
    model: TappedModel,
    head: nn.Linear,
    optimiser: torch.optim.Optimizer,
    result: TrainResult,
    epoch: int,
) -> None:
    state = {
        "identity": identity,
        "epoch": epoch,
        "net": model.net.state_dict(),
        "head": head.state_dict(),
        "optimiser": optimiser.state_dict(),
        "history": [asdict(s) for s in result.epochs],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + f".{os.getpid()}.tmp")
    torch.save(state, partial)
    os.replace(partial, path)  # an interruption leaves the previous epoch's checkpoint


def _resume(
    path: Path,
    identity: dict[str, Any],
    model: TappedModel,
    head: nn.Linear,
    optimiser: torch.optim.Optimizer,
    result: TrainResult,
) -> int:
    if not path.is_file():
        return 0
    try:
        state = torch.load(path, map_location=model.device, weights_only=True)
    except Exception as exc:  # noqa: BLE001 - a torn or foreign file, whatever the error
        raise ModelError(f"cannot read checkpoint {path}: {type(exc).__name__}; "
                         "delete it to start again") from None
    if not isinstance(state, dict) or state.get("identity") != identity:
        raise ModelError(
            f"checkpoint {path} belongs to another fine-tuning run (other parent, labels, "
            "images or settings); delete it, or choose another --model id"
        )
    model.net.load_state_dict(state["net"])
    head.load_state_dict(state["head"])
    optimiser.load_state_dict(state["optimiser"])
    result.epochs = [EpochStats(**h) for h in state["history"]]
    result.resumed_from = int(state["epoch"])
    return result.resumed_from


def predict(
    model: TappedModel,
    head: nn.Linear,
    images: torch.Tensor,
    *,
    batch_size: int = 64,
    on_batch: Callable[[int], None] | None = None,
) -> np.ndarray:
    """The fine-tuned network's raw outputs (logits) for uint8 images: (N, outputs)."""
    model.net.eval()
    head.eval()
    model.net.to(memory_format=torch.channels_last)
    parts = []
    with torch.inference_mode():
        for start in range(0, len(images), batch_size):
            x = model.normalize(images[start : start + batch_size].to(model.device))
            x = x.contiguous(memory_format=torch.channels_last)
            parts.append(head(_pooled(model.forward_maps(x)[-1])).float().cpu().numpy())
            if on_batch is not None:
                on_batch(len(x))
    model.net.to(memory_format=torch.contiguous_format)
    width = head.out_features
    return np.concatenate(parts) if parts else np.zeros((0, width), dtype=np.float32)


def _ranked(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each column's order by descending score, its labels in that order, and which
    positions end a run of equal scores (one threshold each)."""
    n, k = scores.shape
    order = np.argsort(-scores, axis=0, kind="mergesort")
    ranked = np.take_along_axis(scores, order, axis=0)
    last = np.ones((n, k), dtype=bool)
    last[:-1] = ranked[1:] != ranked[:-1]
    return order, np.take_along_axis(labels, order, axis=0).astype(np.float64), last


def _ap_counted(positives: np.ndarray, last: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """AP per column of ranked labels where ranked image i counts ``counts[i]`` times.

    A bootstrap resample is the same ranking with multiplicities, so it needs no new sort:
    an image drawn 0 times adds nothing, and a threshold's precision and recall step are
    those of the images drawn up to it.
    """
    tps = np.cumsum(counts * positives, axis=0)
    seen = np.cumsum(counts, axis=0)
    # True positives at the previous threshold (tps never decreases: a running maximum).
    reached = np.maximum.accumulate(np.where(last, tps, 0.0), axis=0)
    previous = np.vstack([np.zeros((1, tps.shape[1])), reached[:-1]])
    gain = np.where(last, tps - previous, 0.0)
    precision = tps / np.maximum(seen, 1.0)
    n_pos = tps[-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n_pos > 0, (gain * precision).sum(axis=0) / n_pos, np.nan)


def average_precision(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Average precision of every column (scikit-learn's definition, ties grouped).

    AP = sum over distinct thresholds of (recall step) x precision. Columns without a
    positive give NaN.

    Args:
        scores: (n, k) higher = more likely positive.
        labels: (n, k) 0/1.
    """
    if len(scores) == 0:
        return np.full(scores.shape[1], np.nan)
    _order, positives, last = _ranked(scores, labels)
    return _ap_counted(positives, last, np.ones_like(positives))


def average_precision_interval(
    scores: np.ndarray,
    labels: np.ndarray,
    *,
    n_boot: int = 200,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """AP per column with a percentile bootstrap interval over the images.

    Returns:
        (ap, low, high), each (k,); NaN where a column has no positive.
    """
    ap = average_precision(scores, labels)
    n = len(scores)
    if n == 0:
        return ap, ap.copy(), ap.copy()
    order, positives, last = _ranked(scores, labels)
    rng = np.random.default_rng(seed)
    boots = np.empty((n_boot, scores.shape[1]))
    for b in range(n_boot):
        drawn = np.bincount(rng.integers(0, n, n), minlength=n).astype(np.float64)
        boots[b] = _ap_counted(positives, last, drawn[order])
    alpha = (1 - level) / 2
    with warnings.catch_warnings():
        # A word whose resamples all lack a positive: its interval is NaN, said by ap.
        warnings.simplefilter("ignore", RuntimeWarning)
        low = np.nanquantile(boots, alpha, axis=0)
        high = np.nanquantile(boots, 1 - alpha, axis=0)
    low[np.isnan(ap)] = np.nan
    high[np.isnan(ap)] = np.nan
    return ap, low, high


def accuracy_interval(correct: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Jeffreys interval of an accuracy: Beta(correct + 1/2, wrong + 1/2) quantiles."""
    from scipy.stats import beta

    if n == 0:
        return float("nan"), float("nan")
    alpha = (1 - level) / 2
    low = float(beta.ppf(alpha, correct + 0.5, n - correct + 0.5)) if correct > 0 else 0.0
    high = float(beta.ppf(1 - alpha, correct + 0.5, n - correct + 0.5)) if correct < n else 1.0
    return low, high
