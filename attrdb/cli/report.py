"""Commands that read results or drive the whole pipeline: report, sql, publish, run, demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from attrdb.cli import options
from attrdb.cli.common import console_info, settings
from attrdb.cli.options import DEFAULT_SCOPE
from attrdb.report.sections import SaliencyExamples

_SNAPSHOT_HELP = "Read the published snapshot <db>.snapshot.duckdb, not the database."


def register(app: typer.Typer) -> None:
    """Add ``report``, ``sql``, ``publish``, ``run`` and ``demo`` to the app."""

    @app.command("report")
    def report_cmd(
        ctx: typer.Context,
        out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path(
            "report.html"
        ),
        model: options.ShownModel = None,
        scope: options.Scope = DEFAULT_SCOPE,
        snapshot: options.Snapshot = False,
        saliency_words: Annotated[
            list[str] | None,
            typer.Option("--saliency-words",
                         help="Draw saliency maps of these words only (comma-separated or "
                              "repeated; default: every mapped word)."),
        ] = None,
        saliency_images: Annotated[
            list[str] | None,
            typer.Option("--saliency-images",
                         help="Draw saliency maps of these product ids only (comma-separated "
                              "or repeated; default: every mapped image)."),
        ] = None,
        saliency_count: Annotated[
            int, typer.Option("--saliency-count",
                              help="Most (word, image) saliency pairs drawn, taken in turn "
                                   "across words.")
        ] = SaliencyExamples.count,
    ) -> None:
        """Write one self-contained HTML report (tables, plots, images) of the database."""
        from attrdb.report import write_report

        examples = SaliencyExamples(
            words=tuple(options.names(saliency_words)),
            images=tuple(options.names(saliency_images)),
            count=saliency_count,
        )
        result = write_report(
            settings(ctx).db, out, model_id=model, scope=scope, snapshot=snapshot,
            saliency=examples,
        )
        for section, status in result.statuses.items():
            if status != "ok":
                console_info(f"report: section {section}: {status}")
        typer.echo(str(result.path))

    # Unknown options are kept as arguments so that a query starting with a `--` SQL
    # comment is read as the query, not as an option (read_query names a mistyped option).
    @app.command("sql", context_settings={"ignore_unknown_options": True})
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
        timeout: Annotated[
            float, typer.Option("--timeout", help="Stop the query after this many seconds.")
        ] = 300.0,
        memory_limit: Annotated[
            str, typer.Option("--memory-limit", help="DuckDB memory cap for the query.")
        ] = "2GB",
    ) -> None:
        """Run one read-only SQL query in a sandbox (no files, network, extensions or writes)."""
        from attrdb.adhoc import read_query, run_adhoc

        text = read_query(query, file)
        for note in run_adhoc(
            settings(ctx).db, text, fmt=fmt, out=out, snapshot=snapshot, max_rows=max_rows,
            timeout_s=timeout, memory_limit=memory_limit,
        ):
            console_info(note)

    @app.command("run")
    def run_cmd(
        ctx: typer.Context,
        config: Annotated[Path, typer.Option("--config", "-c", help="Run config (TOML).")],
        from_stage: Annotated[
            str | None, typer.Option("--from", help="Rerun this stage and all later ones.")
        ] = None,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Only say which stages would run.")
        ] = False,
        report: Annotated[
            Path | None, typer.Option("--report", help="Write the HTML report here at the end.")
        ] = None,
    ) -> None:
        """Run every stage of a config in order, skipping those whose inputs are unchanged."""
        from attrdb.pipeline import load_config, run_pipeline

        result = run_pipeline(
            settings(ctx).db, load_config(config), from_stage=from_stage, dry_run=dry_run,
            report_out=report, echo=console_info,
        )
        _print_outcome(result)

    @app.command("demo")
    def demo_cmd(
        out: Annotated[
            Path, typer.Option("--out", "-o", help="Folder for the demo database and report.")
        ] = Path("attrdb-demo"),
        from_stage: Annotated[
            str | None, typer.Option("--from", help="Rerun this stage and all later ones.")
        ] = None,
    ) -> None:
        """Run the whole pipeline on the bundled sample and write its report (prints its path)."""
        from attrdb.pipeline import run_demo

        _print_outcome(run_demo(out, from_stage=from_stage, echo=console_info))

    @app.command("publish")
    def publish_cmd(ctx: typer.Context) -> None:
        """Write the read-only snapshot <db>.snapshot.duckdb that dashboards read."""
        from attrdb.snapshot import publish_file

        console_info(f"snapshot written: {publish_file(settings(ctx).db)}")


def _print_outcome(result: object) -> None:
    """Per-stage times on stderr; the report's path (if any) last on stdout."""
    from attrdb.pipeline import PipelineResult

    assert isinstance(result, PipelineResult)
    for outcome in result.outcomes:
        took = f"{outcome.seconds:7.1f} s" if outcome.action in ("ran", "resumed") else "      -  "
        console_info(f"  {outcome.name:<14} {outcome.action:<8} {took}  {outcome.reason}")
    console_info(f"total {result.seconds:.1f} s; database {result.db}")
    if result.snapshot:
        console_info(f"snapshot {result.snapshot}")
    if result.report:
        typer.echo(str(result.report))
