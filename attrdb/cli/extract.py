"""Commands ``extract`` (CNN activations) and ``models list|register`` (the model registry)."""

from __future__ import annotations

import inspect
import json
from typing import Annotated, Optional

import duckdb
import typer

from attrdb.cli import options
from attrdb.cli.common import console_info, settings, sub_app, with_database


def architecture_and_id(
    arch: str | None, model: str | None, old_model_id: str | None
) -> tuple[str, str | None]:
    """The architecture and registry id from ``--arch``, ``--model`` and old ``--model-id``.

    Without ``--arch`` the ``--model`` id also names the architecture, which is what
    ``--model`` meant before ``--arch`` existed; the old ``--model ARCH --model-id ID``
    form reads the same.
    """
    from attrdb.cnn.extract import run_extract

    default = str(inspect.signature(run_extract).parameters["model"].default)
    return arch or model or default, options.pick(model, old_model_id)


def register(app: typer.Typer) -> None:
    """Add ``extract`` and the ``models`` group to the app."""

    @app.command("extract")
    @with_database()
    def extract(
        con: duckdb.DuckDBPyConnection,
        ctx: typer.Context,
        model: options.NewModel = None,
        arch: options.Architecture = None,
        old_model_id: Annotated[
            Optional[str], options.hidden_alias("--model-id", "--model")  # noqa: UP045
        ] = None,
        weights: Optional[str] = typer.Option(  # noqa: UP045 - typer needs Optional here
            None, "--weights", help="state_dict file [default: embedded / torchvision cache]."
        ),
        batch_size: int = typer.Option(32, "--batch-size", help="Images per forward pass."),
        workers: Optional[int] = typer.Option(  # noqa: UP045
            None, "--workers", help="Decoding processes [default: 0 on CPU, up to 8 on GPU]."
        ),
        device: options.Device = "auto",
        limit: Optional[int] = typer.Option(  # noqa: UP045
            None, "--limit", help="Process at most this many products in this run."
        ),
        all_products: bool = typer.Option(
            False, "--all-products", help="Use every product, not only kept ones (no dedup)."
        ),
        chunk_size: int = typer.Option(
            256, "--chunk-size", help="Images per committed transaction."
        ),
        pooling: str = typer.Option(
            "max",
            "--pooling",
            help="Spatial pooling of conv maps: max (the paper), mean, or both (max units, "
            "then mean units). Not max: stored as model id MODEL:mean / MODEL:both.",
        ),
    ) -> None:
        """Pooled activations of every tapped unit for each product image (resumable)."""
        from attrdb.cnn.extract import run_extract

        architecture, model_id = architecture_and_id(arch, model, old_model_id)
        summary = run_extract(
            con,
            model=architecture,
            weights=weights,
            model_id=model_id,
            batch_size=batch_size,
            workers=workers,
            device=device,
            limit=limit,
            all_products=all_products,
            chunk_size=chunk_size,
            pooling=pooling,
            progress=settings(ctx).progress,
        )
        console_info(
            f"extract {summary['model_id']}: {summary['n_extracted']} images, "
            f"{summary['n_errors']} errors ({summary['n_done_before']} done before, "
            f"{summary['images_per_s']} img/s)"
        )

    models = sub_app("The CNN registry: list and register models.")
    app.add_typer(models, name="models")

    @models.command("list")
    @with_database(read_only=True)
    def models_list(
        con: duckdb.DuckDBPyConnection,
        as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
    ) -> None:
        """Registered models with layers, images done and the weights hash (stdout)."""
        from attrdb.model_registry import list_models

        for row in list_models(con):
            if as_json:
                typer.echo(json.dumps(row))
            else:
                typer.echo(
                    f"{row['model_id']}\t{row['name']}\t{row['n_units']} units\t"
                    f"{row['n_images']} images\t{row['n_errors']} errors\t"
                    f"sha256 {row['sha256_prefix']}\t{row['layers']}\t"
                    f"{row['pooling']}-pooled\t{row['kind']}"
                    + (f" from {row['parent_model_id']}" if row["parent_model_id"] else "")
                )

    @models.command("register")
    @with_database()
    def models_register(
        con: duckdb.DuckDBPyConnection,
        arch: str = typer.Argument("efficientnet_lite0", help="Architecture name."),
        model: options.NewModel = None,
        old_model_id: Annotated[
            Optional[str], options.hidden_alias("--model-id", "--model")  # noqa: UP045
        ] = None,
        weights: Optional[str] = typer.Option(None, "--weights", help="state_dict file."),  # noqa: UP045
    ) -> None:
        """Register a model and its units without extracting (checks the weights load)."""
        from attrdb.cnn.models import load_model
        from attrdb.model_registry import register_model

        model_id = options.pick(model, old_model_id)
        tapped = load_model(arch, weights, "cpu", model_id=model_id)
        new = register_model(con, tapped)
        state = "registered" if new else "already registered"
        console_info(
            f"{tapped.model_id}: {state} ({tapped.name}, {tapped.n_units} units, "
            f"sha256 {tapped.weights_sha256[:12]})"
        )
