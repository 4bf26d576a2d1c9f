"""Commands that read results or drive the whole pipeline: report, sql, publish, run, demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from attrdb.cli.common import console_info, settings

_SNAPSHOT_HELP = "Read the published snapshot <db>.snapshot.duckdb, not the database."


def register(app: typer.Typer) -> None:
    """Add ``report``, ``sql``, ``publish``, ``run`` and ``demo`` to the app."""

    @app.command("report")
    def report_cmd(
        ctx: typer.Context,
        out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path(
            "report.html"
        ),
        model: Annotated[
            str | None, typer.Option("--model", help="Model id [default: most results].")
        ] = None,
        scope: Annotated[str, typer.Option("--scope", help="Scope whose words to show.")] = (
            "default"
        ),
        snapshot: Annotated[bool, typer.Option("--snapshot", help=_SNAPSHOT_HELP)] = False,
    ) -> None:
        """Write one self-contained HTML report (tables, plots, images) of the database."""
        from attrdb.report import write_report

        result = write_report(
            settings(ctx).db, out, model_id=model, scope=scope, snapshot=snapshot
        )
        for section, status in result.statuses.items():
            if status != "ok":
                console_info(f"report: section {section}: {status}")
        typer.echo(str(result.path))

    @app.command("sql")
    def sql_cmd(
        ctx: typer.Context,
        query: Annotated[
            str | None, typer.Argument(help="One read-only query; - reads it from stdin.")
        ] = None,
        file: Annotated[
            Path | None, typer.Option("--file", "-f", help="Read the query from this file.")
        ] = None,
        fmt: Annotated[str, typer.Option("--format", help="table, csv, json, parquet.")] = "table",
        out: Annotated[
            Path | None, typer.Option("--out", "-o", help="Write here instead of stdout.")
        ] = None,
        snapshot: Annotated[bool, typer.Option("--snapshot", help=_SNAPSHOT_HELP)] = False,
        max_rows: Annotated[int, typer.Option("--max-rows", help="Rows shown as a table.")] = 100,
    ) -> None:
        """Run one read-only SQL query (writes, ATTACH, COPY, SET, ... are refused)."""
        from attrdb.adhoc import read_query, run_adhoc

        text = read_query(query, file)
        for note in run_adhoc(
            settings(ctx).db, text, fmt=fmt, out=out, snapshot=snapshot, max_rows=max_rows
        ):
            console_info(note)

    @app.command("publish")
    def publish_cmd(ctx: typer.Context) -> None:
        """Write the read-only snapshot <db>.snapshot.duckdb that dashboards read."""
        from attrdb.snapshot import publish_file

        console_info(f"snapshot written: {publish_file(settings(ctx).db)}")
