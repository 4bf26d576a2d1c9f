"""The ``ingest`` command: read a CSV, JSON Lines or Parquet catalogue into ``products``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer

from attrdb.cli.common import console_info, with_database

_COLUMN_HELP = "Catalogue column for the {} ('' = none) (default: a column named {})."


def _column_option(field: str, flag: str, defaults: str) -> Any:
    return typer.Option(flag, help=_COLUMN_HELP.format(field, defaults), show_default=False)


def register(app: typer.Typer) -> None:
    """Add ``ingest`` to the app."""

    @app.command("ingest")
    @with_database(create=True)
    def ingest_cmd(
        con: duckdb.DuckDBPyConnection,
        source: Annotated[
            Path | None,
            typer.Argument(
                help="Catalogue file: .csv/.tsv, .jsonl/.ndjson or .parquet "
                "(default: the config's source)."
            ),
        ] = None,
        config: Annotated[
            Path | None,
            typer.Option("--config", "-c", help="JSON or TOML mapping file (docs/ingest.md)."),
        ] = None,
        sample: Annotated[
            bool, typer.Option("--sample", help="Ingest the bundled sample with its mapping.")
        ] = False,
        fmt: Annotated[
            str | None,
            typer.Option("--format", help="csv, jsonl or parquet (default: from the suffix)."),
        ] = None,
        id_column: Annotated[
            str | None, _column_option("id", "--id-column", "product_id or id")
        ] = None,
        shop_column: Annotated[str | None, _column_option("shop", "--shop-column", "shop")] = None,
        title_column: Annotated[
            str | None, _column_option("title", "--title-column", "title")
        ] = None,
        description_column: Annotated[
            str | None, _column_option("description", "--description-column", "description")
        ] = None,
        category_column: Annotated[
            str | None, _column_option("category", "--category-column", "category")
        ] = None,
        image_column: Annotated[
            str | None, _column_option("image path", "--image-column", "image_path or image")
        ] = None,
        tags_column: Annotated[str | None, _column_option("tags", "--tags-column", "tags")] = None,
        image_template: Annotated[
            str | None,
            typer.Option(
                "--image-template",
                help="Image path from the row when there is no image column: Python format "
                "fields, {id} the listing id, any other name a column, e.g. '{id}.jpg', "
                "'{id:.3}/{id}.jpg' (H&M layout), '{shop}/{id}.jpg'.",
            ),
        ] = None,
        images_root: Annotated[
            Path | None,
            typer.Option(
                "--images-root",
                help="Folder every image must be under; relative paths are taken from it "
                "(default: the catalogue's folder).",
            ),
        ] = None,
        metadata_columns: Annotated[
            str | None,
            typer.Option(
                "--metadata-columns",
                help="Comma-separated columns kept in products.metadata "
                "(never read by the method).",
            ),
        ] = None,
        tags_delimiter: Annotated[
            str | None,
            typer.Option(
                "--tags-delimiter",
                help="Splits a tags string "
                "(default: ',' for CSV; JSONL/Parquet tags must be lists).",
            ),
        ] = None,
        allow_images_outside_root: Annotated[
            bool | None,
            typer.Option(
                "--allow-images-outside-root",
                help="Accept image paths that are absolute, hold '..' or follow a symbolic "
                "link outside --images-root (default: reject them as image_outside_root).",
                show_default=False,
            ),
        ] = None,
        allow_text_only: Annotated[
            bool | None,
            typer.Option(
                "--allow-text-only/--require-images",
                help="Accept listings whose image file is absent, with image_path NULL "
                "(default: require images).",
                show_default=False,
            ),
        ] = None,
    ) -> None:
        """Ingest one catalogue: accepted rows to products, every other row to product_rejects."""
        from attrdb.ingest import run_ingest
        from attrdb.ingest_config import IngestConfig, load_config, parse_column_list, sample_config

        if sample and config:
            raise typer.BadParameter("give --sample or --config, not both")
        base = sample_config() if sample else load_config(config) if config else IngestConfig()
        given = {
            "id": id_column,
            "shop": shop_column,
            "title": title_column,
            "description": description_column,
            "category": category_column,
            "image": image_column,
            "tags": tags_column,
        }
        cfg = base.with_options(
            columns={field: (col or None) for field, col in given.items() if col is not None},
            format=fmt,
            image_template=image_template,
            images_root=images_root,
            metadata_columns=parse_column_list(metadata_columns),
            tags_delimiter=tags_delimiter,
            allow_text_only=allow_text_only,
            allow_images_outside_root=allow_images_outside_root,
        )
        summary = run_ingest(con, source, cfg)
        if summary["already_ingested"]:
            console_info(summary["message"])
            return
        console_info(
            f"{summary['source']} ({summary['format']}): {summary['n_rows']} rows, "
            f"{summary['n_accepted']} accepted, {summary['n_rejected']} rejected "
            f"in {summary['seconds']:.1f} s"
        )
        for outcome, n in summary["outcomes"].items():
            console_info(f"  {outcome}: {n}")
