"""Stage ``finetune``: attribute- or category-tuned networks, registered as new models.

The paper's Table 1 compares a pretrained CNN with one fine-tuned on the noisy words
(attribute-tuned, multi-label) and one fine-tuned on product categories (category-tuned).
This stage reads the training split of a scope (``sql/finetune/``), decodes its images,
trains with :func:`attrdb.cnn.finetune.train` (checkpoint after every epoch, resumable),
writes the weights file and registers it as a model with its lineage (parent, weights
sha256, training run), so ``extract``, ``divergence``, ``depth``, ``visualness`` and
``saliency`` work on it as on any model. The attribute-tuned network's own predictions on
the test split give the per-word average precision of the paper's "Attribute-tuned" row
(``finetune_word_ap``, with a bootstrap interval and its support).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from attrdb import stages
from attrdb.cnn.train_settings import TrainSettings
from attrdb.context.scopes import DEFAULT_SCOPE
from attrdb.errors import InputError, StateError
from attrdb.progress import progress as progress_bar
from attrdb.runs import PhaseClock, database_file, stage_run
from attrdb.sqlfiles import query_sql_file, run_sql_file

# Input side when training on a CPU: EfficientNet at 160 px costs about half of 224 px,
# and fine-tuning then extracting at 224 px loses little (train-test resolution studies
# find testing slightly above the training size is, if anything, better).
CPU_INPUT_SIZE = 160


@dataclass(frozen=True)
class FinetuneParams:
    """Parameters of the finetune stage (defaults finish on the bundled sample in minutes
    on a 2-core CPU).

    Attributes:
        kind: ``attribute`` (multi-label on vocabulary words) or ``category``.
        parent: the network to start from: a registered model id or an architecture.
        model_id: the new model's id; default ``<parent>_attr`` / ``<parent>_cat`` (with
            ``_<label_key>`` for a metadata key).
        scope: whose vocabulary, products and split are used.
        label_key: category tuning: ``category`` (products.category) or a metadata key.
        max_words: attribute tuning: the vocabulary's first N words by rank (None: all).
        min_positives: words (classes) with fewer training images are not learnt.
        epochs, batch_size, lr, trainable_layers, seed, flip: see ``TrainSettings``.
        input_size: training input side; default 160 px on a CPU, the architecture's
            own size on a GPU.
        device: ``auto`` (CUDA when present), ``cpu`` or ``cuda``.
        out_dir: where weights and checkpoints go; default ``<database>-models/`` beside
            the database file.
        limit: train on at most this many images (first by product id; quick trials).
        test_limit: score at most this many test images.
    """

    kind: str
    parent: str = "efficientnet_lite0"
    model_id: str | None = None
    scope: str = DEFAULT_SCOPE
    label_key: str = "category"
    max_words: int | None = None
    min_positives: int = 5
    epochs: int = 5
    batch_size: int = 32
    lr: float = 1e-3
    trainable_layers: int = 3
    input_size: int | None = None
    seed: int = 0
    flip: bool = True
    device: str = "auto"
    out_dir: str | None = None
    limit: int | None = None
    test_limit: int | None = None

    def __post_init__(self) -> None:
        # The training settings validate themselves (kind, epochs, sizes, rates): here,
        # before any network is loaded.
        self.train_settings(self.input_size or CPU_INPUT_SIZE)
        for name in ("max_words", "limit", "test_limit"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise InputError(f"{name.replace('_', ' ')} must be at least 1, got {value}")
        if self.min_positives < 1:
            raise InputError(f"min positives must be at least 1, got {self.min_positives}")
        if not self.label_key.strip():
            raise InputError("label key must not be empty")

    def train_settings(self, input_size: int) -> TrainSettings:
        """The compute's settings at a given training input size."""
        return TrainSettings(
            kind=self.kind, epochs=self.epochs, batch_size=self.batch_size, lr=self.lr,
            trainable_layers=self.trainable_layers, input_size=input_size, seed=self.seed,
            flip=self.flip,
        )

    def default_model_id(self) -> str:
        """``<parent>_attr``, ``<parent>_cat`` or ``<parent>_cat_<label_key>``."""
        if self.model_id:
            return self.model_id
        if self.kind == "attribute":
            return f"{self.parent}_attr"
        suffix = "" if self.label_key == "category" else f"_{self.label_key}"
        return f"{self.parent}_cat{suffix}"


def run_finetune(
    con: duckdb.DuckDBPyConnection, params: FinetuneParams, *, progress: bool = True
) -> dict[str, Any]:
    """Fine-tune, register the result and score it on the test split.

    Returns:
        Summary: model_id, parent, arch, kind, weights, weights_sha256, n_train, n_labels,
        epochs (loss and seconds each), seconds_per_epoch, test metrics.

    Raises:
        StateError: missing inputs (split, vocabulary), too few labelled images, or the
            model id is already registered.
        InputError: bad parameters; ModelError: unusable parent weights or checkpoint.
    """
    import torch

    from attrdb.cnn.finetune import train
    from attrdb.cnn.models import load_model, resolve_device
    from attrdb.model_registry import (
        is_registered,
        record_lineage,
        register_within_transaction,
        resolve_model,
        write_lineage_sidecar,
    )

    stages.require(con, "scope_products", "splits")
    if params.kind == "attribute":
        stages.require(con, "vocabulary", "word_products")
    model_id = params.default_model_id()
    if is_registered(con, model_id):
        raise StateError(
            f"model {model_id!r} is already registered (registered weights are never "
            "replaced); name the new one with --model (model_id in a run config)"
        )
    device = resolve_device(params.device)
    input_size = params.input_size
    out_dir = _out_dir(con, params.out_dir)
    recorded = {**asdict(params), "model_id": model_id, "device": str(device)}
    recorded.pop("scope")
    with stage_run(con, "finetune", recorded, scope=params.scope) as run:
        clock = PhaseClock()
        parent = resolve_model(con, params.parent, device=str(device))
        clock.lap("load_parent")
        size = input_size or (parent.input_size if device.type == "cuda" else CPU_INPUT_SIZE)
        labels, train_rows, targets = _training_set(con, params)
        test_set = _test_set(con, params, labels)
        images, kept, errors = _decode([r[1] for r in train_rows], size, progress, "train")
        if not kept:
            first = train_rows[errors[0][0]][0]
            raise StateError(f"none of the {len(train_rows)} training images could be read "
                             f"(product {first}: {errors[0][1]})")
        clock.lap("decode_train")
        train_ids = [train_rows[i][0] for i in kept]
        targets = targets[kept]
        settings = params.train_settings(size)
        identity = {
            "parent_sha256": parent.weights_sha256,
            "model_id": model_id,
            "labels": labels,
            "images": hashlib.sha256("\n".join(train_ids).encode()).hexdigest(),
        }
        checkpoint = out_dir / f"{model_id}.ckpt"
        if not checkpoint.is_file():
            run_sql_file(con, "finetune/epochs_reset", {"model_id": model_id})
        # The frozen prefix runs once per image (and mirror image) before the epochs.
        n_prefix = len(kept) * (2 if params.flip else 1)
        n_work = len(kept) * params.epochs + (
            n_prefix if params.trainable_layers < len(parent.layer_names) else 0)

        def epoch_done(stats: Any) -> None:
            run_sql_file(con, "finetune/epoch_write", {
                "model_id": model_id, "epoch": stats.epoch, "run_id": run.run_id,
                "train_loss": stats.train_loss, "n_images": stats.n_images,
                "seconds": stats.seconds, "device": str(device),
            })

        with progress_bar(n_work, desc="finetune", unit="img", enabled=progress) as bar:
            result = train(
                parent, torch.from_numpy(images),
                torch.from_numpy(targets), settings, checkpoint=checkpoint,
                identity=identity, on_epoch=epoch_done, on_batch=bar.update,
            )
        clock.lap("train")
        weights_path = out_dir / f"{model_id}.pth"
        _save_atomic(parent.net.state_dict(), weights_path)
        _save_atomic({"weight": result.head.weight.detach().cpu(),
                      "bias": result.head.bias.detach().cpu(), "labels": labels,
                      "kind": params.kind, "input_size": size},
                     out_dir / f"{model_id}.head.pth")
        tuned = load_model(parent.name, weights_path, device, model_id=model_id)
        clock.lap("save")
        test = _evaluate(params, tuned, result.head, labels, size, test_set=test_set,
                         train_targets=targets, model_id=model_id, run_id=run.run_id,
                         progress=progress)
        clock.lap("test")
        kind = f"{params.kind}_tuned"
        lineage_settings = {
            **settings.as_dict(), "labels": labels, "scope": params.scope, "n_train": len(kept),
            "label_key": params.label_key if params.kind == "category" else None,
        }
        con.execute("BEGIN TRANSACTION")
        try:
            # Lineage first: its row (with this run's id) wins over any sidecar's.
            record_lineage(
                con, tuned, kind=kind, parent_model_id=parent.model_id,
                parent_weights_sha256=parent.weights_sha256, training_run_id=run.run_id,
                seed=params.seed, settings=lineage_settings,
            )
            register_within_transaction(con, tuned)
            test.write(con)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        write_lineage_sidecar(
            tuned, kind=kind, parent_model_id=parent.model_id,
            parent_weights_sha256=parent.weights_sha256, training_run_id=run.run_id,
            training_database=database_file(con), seed=params.seed, settings=lineage_settings,
        )
        checkpoint.unlink(missing_ok=True)  # the registered weights are the result now
        clock.lap("register")
        epochs = [asdict(e) for e in result.epochs]
        run.summary.update(
            model_id=model_id, parent=parent.model_id, arch=parent.name, kind=params.kind,
            weights=str(weights_path), weights_sha256=tuned.weights_sha256,
            input_size=size, device=str(device), n_train=len(kept),
            n_unreadable=len(errors), n_labels=len(labels), resumed_from=result.resumed_from,
            prefix_seconds=result.prefix_seconds, epochs=epochs,
            seconds_per_epoch=round(float(np.mean([e["seconds"] for e in epochs])), 3)
            if epochs else None,
            test=test.summary, phase_seconds=clock.seconds,
        )
        return dict(run.summary)


def _out_dir(con: duckdb.DuckDBPyConnection, out_dir: str | None) -> Path:
    if out_dir is not None:
        path = Path(out_dir)
    else:
        db = database_file(con)
        if db is None:
            raise InputError("an in-memory database needs an explicit out_dir for the weights")
        path = Path(db).with_name(Path(db).stem + "-models")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _training_set(
    con: duckdb.DuckDBPyConnection, params: FinetuneParams
) -> tuple[list[str], list[tuple[str, str]], np.ndarray]:
    """Labels, (product_id, image_path) rows and targets of the training split."""
    if params.kind == "attribute":
        words = [r[0] for r in query_sql_file(
            con, "finetune/words", {"scope": params.scope, "max_words": params.max_words})]
        if not words:
            raise StateError(
                f"scope {params.scope!r} has no vocabulary; {stages.hint('vocabulary')}")
        rows = _examples(con, params, "train", words)
        matrix = _word_matrix(rows, words)
        keep = matrix.sum(axis=0) >= params.min_positives
        if not keep.any():
            raise StateError(
                f"no word has {params.min_positives} training images in scope "
                f"{params.scope!r}; lower --min-positives"
            )
        labels = [w for w, k in zip(words, keep, strict=True) if k]
        return labels, [(r[0], r[1]) for r in rows], matrix[:, keep]
    rows = _examples(con, params, "train", None)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[2]] = counts.get(row[2], 0) + 1
    labels = sorted(c for c, n in counts.items() if n >= params.min_positives)
    if len(labels) < 2:
        raise StateError(
            f"{params.label_key!r} gives {len(labels)} class(es) with {params.min_positives} "
            f"training images in scope {params.scope!r}; category tuning needs two"
        )
    index = {label: i for i, label in enumerate(labels)}
    rows = [r for r in rows if r[2] in index]
    return labels, [(r[0], r[1]) for r in rows], np.array(
        [index[r[2]] for r in rows], dtype=np.int64)


def _test_set(
    con: duckdb.DuckDBPyConnection, params: FinetuneParams, labels: list[str]
) -> tuple[list[tuple[Any, ...]], np.ndarray]:
    """The test split's rows and targets (read before training: no test split, no run)."""
    if params.kind == "attribute":
        rows = _examples(con, params, "test", labels)
        return rows, _word_matrix(rows, labels)
    index = {label: i for i, label in enumerate(labels)}
    rows = [r for r in _examples(con, params, "test", None) if r[2] in index]
    if not rows:
        raise StateError(f"no test image of scope {params.scope!r} has one of the "
                         f"{len(labels)} trained {params.label_key!r} classes")
    return rows, np.array([index[r[2]] for r in rows], dtype=np.int64)


def _examples(
    con: duckdb.DuckDBPyConnection, params: FinetuneParams, split: str, words: list[str] | None
) -> list[tuple[Any, ...]]:
    if params.kind == "attribute":
        rows = query_sql_file(con, "finetune/attribute_examples",
                              {"scope": params.scope, "split": split, "words": words})
    else:
        rows = query_sql_file(con, "finetune/category_examples",
                              {"scope": params.scope, "split": split,
                               "label_key": params.label_key})
    limit = params.limit if split == "train" else params.test_limit
    if not rows and params.kind == "category":
        raise StateError(
            f"no {split} image of scope {params.scope!r} has a {params.label_key!r} label "
            "(--label-key: 'category' or a key of products.metadata)"
        )
    if not rows:
        raise StateError(f"no {split} images in scope {params.scope!r}; {stages.hint('splits')}")
    return rows[:limit] if limit is not None else rows


def _word_matrix(rows: list[tuple[Any, ...]], words: list[str]) -> np.ndarray:
    index = {w: i for i, w in enumerate(words)}
    matrix = np.zeros((len(rows), len(words)), dtype=np.float32)
    for r, row in enumerate(rows):
        for word in row[2]:
            matrix[r, index[word]] = 1.0
    return matrix


def _decode(
    paths: list[str], size: int, progress: bool, what: str
) -> tuple[np.ndarray, list[int], list[tuple[int, str]]]:
    """uint8 (n, 3, size, size) of the readable images, their positions, and the others."""
    from attrdb.cnn.images import ImageLoadError, load_rgb
    from attrdb.cnn.models import Resizer

    resize = Resizer(size)
    images = np.zeros((len(paths), 3, size, size), dtype=np.uint8)
    kept: list[int] = []
    errors: list[tuple[int, str]] = []
    with progress_bar(len(paths), desc=f"finetune: decode {what}", unit="img",
                      enabled=progress) as bar:
        for i, path in enumerate(paths):
            try:
                images[len(kept)] = resize(load_rgb(path, real_path_only=True)).numpy()
                kept.append(i)
            except ImageLoadError as exc:
                errors.append((i, str(exc)))
            bar.update()
    return images[: len(kept)], kept, errors


def _save_atomic(state: Any, path: Path) -> None:
    import os

    import torch

    partial = path.with_name(path.name + f".{os.getpid()}.tmp")
    torch.save(state, partial)
    os.replace(partial, path)


@dataclass
class _TestResult:
    """What the test split says, and the rows it writes."""

    summary: dict[str, Any]
    rows: pa.Table | None
    model_id: str
    scope: str

    def write(self, con: duckdb.DuckDBPyConnection) -> None:
        if self.rows is None:
            return
        con.register("finetune_word_ap_rows", self.rows)
        try:
            run_sql_file(con, "finetune/word_ap_write",
                         {"model_id": self.model_id, "scope": self.scope})
        finally:
            con.unregister("finetune_word_ap_rows")


def _evaluate(
    params: FinetuneParams,
    model: Any,
    head: Any,
    labels: list[str],
    size: int,
    *,
    test_set: tuple[list[tuple[Any, ...]], np.ndarray],
    train_targets: np.ndarray,
    model_id: str,
    run_id: int,
    progress: bool,
) -> _TestResult:
    """Score the fine-tuned network on the test split (its own outputs, no classifier)."""
    import torch

    from attrdb.cnn.finetune import accuracy_interval, average_precision_interval, predict

    rows, targets = test_set
    images, kept, _errors = _decode([r[1] for r in rows], size, progress, "test")
    with progress_bar(len(kept), desc="finetune: test", unit="img", enabled=progress) as bar:
        scores = predict(model, head, torch.from_numpy(images), on_batch=bar.update)
    targets = targets[kept]
    if params.kind == "category":
        correct = int((scores.argmax(axis=1) == targets).sum())
        low, high = accuracy_interval(correct, len(kept))
        return _TestResult({"n_test": len(kept), "accuracy": correct / max(len(kept), 1),
                            "accuracy_low": low, "accuracy_high": high,
                            "chance": float(np.bincount(targets).max() / max(len(kept), 1))},
                           None, model_id, params.scope)
    ap, ap_low, ap_high = average_precision_interval(scores, targets, seed=params.seed)
    n_pos = targets.sum(axis=0).astype(int)
    n_test = len(kept)
    table = pa.table({
        "model_id": [model_id] * len(labels),
        "scope": [params.scope] * len(labels),
        "word": labels,
        "ap": _nullable(ap),
        "ap_low": _nullable(ap_low),
        "ap_high": _nullable(ap_high),
        "chance": (n_pos / max(n_test, 1)).astype(float),
        "n_pos": n_pos.astype(np.int32),
        "n_test": np.full(len(labels), n_test, dtype=np.int32),
        "n_train_pos": train_targets.sum(axis=0).astype(np.int32),
        "run_id": np.full(len(labels), run_id, dtype=np.int64),
    })
    scored = ~np.isnan(ap)
    summary = {
        "n_test": n_test,
        "n_words_scored": int(scored.sum()),
        "mean_ap": float(np.mean(ap[scored])) if scored.any() else None,
        "mean_chance": float(np.mean((n_pos / max(n_test, 1))[scored])) if scored.any()
        else None,
    }
    return _TestResult(summary, table, model_id, params.scope)


def _nullable(values: np.ndarray) -> pa.Array:
    return pa.array(values, pa.float64(), mask=np.isnan(values))
