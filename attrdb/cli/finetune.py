"""Command ``finetune``: attribute- or category-tuned networks, registered as new models."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Optional

import typer

from attrdb.cli import options
from attrdb.cli.common import console_info, database, settings
from attrdb.finetune import FinetuneParams

# Defaults come from the stage's parameters dataclass: declared once, shown by --help.
_DEFAULT: dict[str, Any] = {f.name: f.default for f in fields(FinetuneParams)}


def register(app: typer.Typer) -> None:
    """Add ``finetune`` to the app."""

    @app.command("finetune")
    def finetune(
        ctx: typer.Context,
        kind: str = typer.Option(
            ..., "--kind", help="attribute (multi-label on the vocabulary's words, from the "
            "text) or category (single-label on --label-key)."
        ),
        parent: str = typer.Option(
            _DEFAULT["parent"], "--parent",
            help="Network to start from: a registered model id or an architecture.",
        ),
        model: Optional[str] = typer.Option(  # noqa: UP045
            None, "--model", help="Id of the new model [default: <parent>_attr, "
            "<parent>_cat or <parent>_cat_<label-key>]."
        ),
        scope: options.Scope = _DEFAULT["scope"],
        label_key: str = typer.Option(
            _DEFAULT["label_key"], "--label-key",
            help="category: 'category' (products.category) or a products.metadata key.",
        ),
        max_words: Optional[int] = typer.Option(  # noqa: UP045 - typer needs Optional here
            None, "--max-words", help="attribute: the vocabulary's first N words by rank "
            "[default: all]."
        ),
        min_positives: int = typer.Option(
            _DEFAULT["min_positives"], "--min-positives",
            help="Words (classes) with fewer training images are not learnt.",
        ),
        epochs: int = typer.Option(_DEFAULT["epochs"], "--epochs", help="Passes over the "
                                   "training images."),
        batch_size: int = typer.Option(_DEFAULT["batch_size"], "--batch-size",
                                       help="Images per optimiser step."),
        lr: float = typer.Option(_DEFAULT["lr"], "--lr", help="Learning rate of the new head "
                                 "(trained layers: a tenth of it)."),
        trainable_layers: int = typer.Option(
            _DEFAULT["trainable_layers"], "--trainable-layers",
            help="How many of the last tapped layers are trained; the others stay frozen.",
        ),
        input_size: Optional[int] = typer.Option(  # noqa: UP045
            None, "--input-size",
            help="Training input side in pixels [default: 160 on a CPU, the network's own "
            "size on a GPU].",
        ),
        seed: int = typer.Option(_DEFAULT["seed"], "--seed", help="Order, flips, dropout."),
        flip: bool = typer.Option(_DEFAULT["flip"], "--flip/--no-flip",
                                  help="Mirror images at random."),
        device: options.Device = _DEFAULT["device"],
        out_dir: Optional[str] = typer.Option(  # noqa: UP045
            None, "--out-dir", help="Where weights and checkpoints go [default: "
            "<database>-models/ beside the database]."
        ),
        limit: Optional[int] = typer.Option(  # noqa: UP045
            None, "--limit", help="Train on at most this many images (quick trials)."
        ),
        test_limit: Optional[int] = typer.Option(  # noqa: UP045
            None, "--test-limit", help="Score at most this many test images."
        ),
    ) -> None:
        """Fine-tune a network on the train split (resumable: rerun to continue) and register
        it as a new model with its lineage; attribute-tuned: per-word test AP."""
        from attrdb.finetune import run_finetune

        params = FinetuneParams(
            kind=kind, parent=parent, model_id=model, scope=scope, label_key=label_key,
            max_words=max_words, min_positives=min_positives, epochs=epochs,
            batch_size=batch_size, lr=lr, trainable_layers=trainable_layers,
            input_size=input_size, seed=seed, flip=flip, device=device, out_dir=out_dir,
            limit=limit, test_limit=test_limit,
        )
        with database(ctx) as con:
            summary = run_finetune(con, params, progress=settings(ctx).progress)
        test = summary["test"]
        if kind == "attribute":
            score = (f"test mean AP {test['mean_ap']:.3f} over {test['n_words_scored']} words "
                     f"(chance {test['mean_chance']:.3f}; per word: finetune_word_ap)"
                     if test["mean_ap"] is not None else "no test positives to score")
        else:
            score = (f"test accuracy {test['accuracy']:.3f} [{test['accuracy_low']:.3f}, "
                     f"{test['accuracy_high']:.3f}] over {test['n_test']} images (majority "
                     f"class {test['chance']:.3f})")
        console_info(
            f"finetune {summary['model_id']} ({kind}, from {summary['parent']}): "
            f"{summary['n_train']} images, {summary['n_labels']} labels, "
            f"{len(summary['epochs'])} epochs at {summary['seconds_per_epoch']} s/epoch; "
            f"{score}"
        )
        console_info(
            f"weights {summary['weights']} (sha256 {summary['weights_sha256'][:12]}); "
            f"extract with: attrdb extract --model {summary['model_id']} (another database: "
            f"--arch {summary['arch']} --weights {summary['weights']})"
        )
