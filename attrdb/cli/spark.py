"""Commands that move SQL stages to Spark: ``export``, ``spark`` and ``import``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from attrdb.cli import options
from attrdb.cli.common import console_info, database, settings
from attrdb.cli.options import DEFAULT_SCOPE
from attrdb.errors import InputError


def register(app: typer.Typer) -> None:
    """Add ``export``, ``spark`` and ``import`` to the app."""

    @app.command("export")
    def export_cmd(
        ctx: typer.Context,
        out: Annotated[Path, typer.Option("--out", help="Folder to write (Parquet + manifest).")],
        tables: Annotated[
            list[str] | None,
            typer.Option("--tables", help="Tables or views, comma-separated or repeated."),
        ] = None,
        stage: Annotated[
            list[str] | None,
            typer.Option("--stage", help="Export what these SQL stages read and write."),
        ] = None,
        overwrite: Annotated[
            bool, typer.Option("--overwrite", help="Replace an earlier export in --out.")
        ] = False,
    ) -> None:
        """Write tables as Parquet for a Spark run (`attrdb spark`)."""
        from attrdb.scaleout import export_for_stages

        stages = options.names(stage)
        with database(ctx, read_only=True) as con:
            summary = export_for_stages(
                con, stages, out, extra=options.names(tables), overwrite=overwrite
            )
        rows = sum(summary["tables"].values())
        console_info(
            f"export: {len(summary['tables'])} tables ({rows} rows) and "
            f"{len(summary['views'])} views to {out}"
        )

    @app.command("import")
    def import_cmd(
        ctx: typer.Context,
        folder: Annotated[Path, typer.Argument(help="Output folder of `attrdb spark`.")],
        tables: Annotated[
            list[str] | None,
            typer.Option("--tables", help="Import only these tables (default: all)."),
        ] = None,
    ) -> None:
        """Load a Spark run's tables back into the database and record its runs."""
        from attrdb.exchange import import_tables

        names = options.names(tables) or None
        with database(ctx) as con:
            summary = import_tables(con, folder, tables=names)
        counts = ", ".join(f"{t} {n}" for t, n in summary["tables"].items())
        console_info(f"import: {counts} (stages {', '.join(summary['stages'])})")

    @app.command("spark")
    def spark_cmd(
        ctx: typer.Context,
        stages: Annotated[
            list[str],
            typer.Argument(
                help="SQL stages in order: dedup, split, divergence, depth; or extract."
            ),
        ],
        input_dir: Annotated[
            Path | None, typer.Option("--input", help="Exchange folder from `attrdb export`.")
        ] = None,
        output_dir: Annotated[
            Path | None, typer.Option("--output", help="Folder for the results (`attrdb import`).")
        ] = None,
        master: Annotated[
            str, typer.Option("--spark-master", "--master", help="Spark master URL.")
        ] = "local[2]",
        scope: options.Scope = DEFAULT_SCOPE,
        param: Annotated[
            list[str] | None,
            typer.Option("--param", help="KEY=VALUE or STAGE.KEY=VALUE (repeatable)."),
        ] = None,
        spark_conf: Annotated[
            list[str] | None,
            typer.Option("--spark-conf", help="Spark setting KEY=VALUE (repeatable)."),
        ] = None,
        work_dir: Annotated[
            Path | None,
            typer.Option("--work-dir", help="Exchange folders of a --db run (default: temp)."),
        ] = None,
        overwrite: Annotated[
            bool, typer.Option("--overwrite", help="Replace an earlier result in --output.")
        ] = False,
    ) -> None:
        """Run SQL stages on Spark: --input/--output folders, or the --db database directly."""
        from attrdb.scaleout import (
            parse_conf,
            parse_params,
            run_sql_stage_on_spark,
            run_stages_via_spark,
        )

        names = options.names(stages)
        if "extract" in names:
            if names != ["extract"]:
                raise InputError("extract runs alone: `attrdb spark extract`, then the SQL stages")
            from attrdb.cli.spark_extract import spark_extract

            spark_extract(ctx, input_dir=input_dir, output_dir=output_dir, master=master,
                          param=param or [], spark_conf=spark_conf or [], work_dir=work_dir,
                          overwrite=overwrite)
            return
        params = parse_params(names, param or [])
        conf = parse_conf(spark_conf or [])
        if (input_dir is None) != (output_dir is None):
            raise InputError("pass both --input and --output, or neither (then --db is used)")
        if input_dir is not None and output_dir is not None:
            result = run_sql_stage_on_spark(
                names,
                input_dir,
                output_dir,
                master=master,
                scope=scope,
                params=params,
                conf=conf,
                overwrite=overwrite,
            )
            where = str(output_dir)
        else:
            with database(ctx) as con:
                result = run_stages_via_spark(
                    con,
                    names,
                    master=master,
                    scope=scope,
                    params=params,
                    conf=conf,
                    work_dir=work_dir,
                )
            where = settings(ctx).db
        counts = ", ".join(f"{t} {n}" for t, n in result["tables"].items())
        console_info(f"spark: {', '.join(names)} in {result['seconds']:.1f} s; {counts} -> {where}")
