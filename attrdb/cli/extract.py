"""Commands ``extract`` (CNN activations) and ``models list|register`` (the model registry)."""

from __future__ import annotations

import json
from typing import Optional

import typer

from attrdb.cli.common import console_info, settings


def register(app: typer.Typer) -> None:
    """Add ``extract`` and the ``models`` group to the app."""

    @app.command("extract")
    def extract(
        ctx: typer.Context,
        model: str = typer.Option(
            "efficientnet_lite0",
            "--model",
            help="Architecture: efficientnet_lite0 (embedded), alexnet, vgg16, resnet50.",
        ),
        weights: Optional[str] = typer.Option(  # noqa: UP045 - typer needs Optional here
            None, "--weights", help="state_dict file [default: embedded / torchvision cache]."
        ),
        model_id: Optional[str] = typer.Option(  # noqa: UP045
            None, "--model-id", help="Registry id [default: the model name]."
        ),
        batch_size: int = typer.Option(32, "--batch-size", help="Images per forward pass."),
        workers: Optional[int] = typer.Option(  # noqa: UP045
            None, "--workers", help="Decoding processes [default: 1 on CPU, up to 8 on GPU]."
        ),
        device: str = typer.Option("auto", "--device", help="auto (CUDA when present), cpu, cuda."),
        limit: Optional[int] = typer.Option(  # noqa: UP045
            None, "--limit", help="Process at most this many products in this run."
        ),
        all_products: bool = typer.Option(
            False, "--all-products", help="Use every product, not only kept ones (no dedup)."
        ),
        chunk_size: int = typer.Option(
            256, "--chunk-size", help="Images per committed transaction."
        ),
    ) -> None:
        """Max-pooled activations of every tapped unit for each product image (resumable)."""
        from attrdb.cnn.extract import run_extract

        con = settings(ctx).open()
        try:
            summary = run_extract(
                con,
                model=model,
                weights=weights,
                model_id=model_id,
                batch_size=batch_size,
                workers=workers,
                device=device,
                limit=limit,
                all_products=all_products,
                chunk_size=chunk_size,
            )
        finally:
            con.close()
        console_info(
            f"extract {summary['model_id']}: {summary['n_extracted']} images, "
            f"{summary['n_errors']} errors ({summary['n_done_before']} done before, "
            f"{summary['images_per_s']} img/s)"
        )

    models = typer.Typer(help="The CNN registry: list and register models.", no_args_is_help=True)
    app.add_typer(models, name="models")

    @models.command("list")
    def models_list(
        ctx: typer.Context,
        as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
    ) -> None:
        """Registered models with layers, images done and the weights hash (stdout)."""
        from attrdb.cnn.registry import list_models

        con = settings(ctx).open(read_only=True)
        try:
            rows = list_models(con)
        finally:
            con.close()
        for row in rows:
            if as_json:
                typer.echo(json.dumps(row))
            else:
                typer.echo(
                    f"{row['model_id']}\t{row['name']}\t{row['n_units']} units\t"
                    f"{row['n_images']} images\t{row['n_errors']} errors\t"
                    f"sha256 {row['sha256_prefix']}\t{row['layers']}"
                )

    @models.command("register")
    def models_register(
        ctx: typer.Context,
        model: str = typer.Argument("efficientnet_lite0", help="Architecture name."),
        weights: Optional[str] = typer.Option(None, "--weights", help="state_dict file."),  # noqa: UP045
        model_id: Optional[str] = typer.Option(None, "--model-id", help="Registry id."),  # noqa: UP045
    ) -> None:
        """Register a model and its units without extracting (checks the weights load)."""
        from attrdb.cnn.models import load_model
        from attrdb.cnn.registry import register_model

        tapped = load_model(model, weights, "cpu", model_id=model_id)
        con = settings(ctx).open()
        try:
            new = register_model(con, tapped)
        finally:
            con.close()
        state = "registered" if new else "already registered"
        console_info(
            f"{tapped.model_id}: {state} ({tapped.name}, {tapped.n_units} units, "
            f"sha256 {tapped.weights_sha256[:12]})"
        )
