"""Command group ``time``: divergence per time window, and windows as scopes."""

from __future__ import annotations

from typing import Annotated

import duckdb
import typer

from attrdb.cli import options
from attrdb.cli.common import console_info, sub_app, with_database
from attrdb.cli.options import DEFAULT_SCOPE
from attrdb.divergence import DEFAULT_MIN_NEGATIVES, DEFAULT_MIN_POSITIVES, DEFAULT_SMOOTHING
from attrdb.timewindows import DEFAULT_TOP_K


def register(app: typer.Typer) -> None:
    """Add the ``time`` group (``time windows``, ``time scope``) to the app."""
    time_app = sub_app("Attributes over time: divergence per time window, windows as scopes.")
    app.add_typer(time_app, name="time")

    @time_app.command("windows")
    @with_database()
    def windows_cmd(
        con: duckdb.DuckDBPyConnection,
        field: Annotated[
            str,
            typer.Option("--field", help="Time field: 'category' or 'metadata.<key>', e.g. "
                         "metadata.catalog_add_date (unix seconds) or metadata.year."),
        ],
        period: Annotated[
            str,
            typer.Option("--period", help="value (the field's value, e.g. a year), or year, "
                         "quarter, month of a date."),
        ] = "month",
        rolling: Annotated[
            int, typer.Option("--rolling", help="Consecutive periods per window.")
        ] = 1,
        window_set: Annotated[
            str | None,
            typer.Option("--window-set", help="Name of the window set (default: the period)."),
        ] = None,
        model: options.Model = None,
        scope: options.Scope = DEFAULT_SCOPE,
        split: Annotated[
            str, typer.Option("--split", help="all, or the split whose products are counted.")
        ] = "all",
        min_positives: Annotated[
            int, typer.Option("--min-positives", help="Fewer positives in a window: skip word.")
        ] = DEFAULT_MIN_POSITIVES,
        min_negatives: Annotated[
            int, typer.Option("--min-negatives", help="Fewer negatives in a window: skip word.")
        ] = DEFAULT_MIN_NEGATIVES,
        smoothing: Annotated[
            float, typer.Option("--smoothing", help="Uniform mass mixed into every histogram.")
        ] = DEFAULT_SMOOTHING,
        top_k: Annotated[
            int, typer.Option("--top-k", help="Prime units kept per window and word.")
        ] = DEFAULT_TOP_K,
        force: options.Force = False,
    ) -> None:
        """Count new or changed periods and compute each affected window's divergence."""
        from attrdb.timewindows import run_timewindows

        s = run_timewindows(
            con, time_field=field, period=period, rolling=rolling, window_set=window_set,
            scope=scope, model_id=model, split=split, min_positives=min_positives,
            min_negatives=min_negatives, smoothing=smoothing, top_k=top_k, force=force)
        console_info(
            f"time windows {s['window_set']!r}: {s['n_periods']} periods ({s['n_recounted']} "
            f"counted, {s['n_removed']} removed), {s['n_windows']} windows ({s['n_recomputed']} "
            f"recomputed) over {s['n_dated']} dated products ({s['n_undated']} undated) in "
            f"{sum(s['seconds'].values()):.1f} s"
        )
        typer.echo("window\tproducts\twords\ttop words (max kl_z)")
        for w in s["windows"]:
            typer.echo(f"{w['window']}\t{w['n_products']}\t{w['n_words']}\t"
                       f"{', '.join(w['top_words'])}")

    @time_app.command("scope")
    @with_database()
    def scope_cmd(
        con: duckdb.DuckDBPyConnection,
        field: Annotated[
            str, typer.Option("--field", help="'category' or 'metadata.<key>', e.g. metadata.year.")
        ],
        value: Annotated[
            list[str], typer.Option("--value", help="A value the window holds (repeat).")
        ],
        name: Annotated[
            str | None, typer.Option("--name", help="Scope name (default: <key>=<values>).")
        ] = None,
    ) -> None:
        """Define a scope holding one time window, for vocab, divergence and visualness."""
        from attrdb.timewindows import window_scope

        scope = window_scope(con, field, list(value), name)
        console_info(f"scope {scope!r}: run `attrdb vocab --scope {scope}`, then divergence "
                     "and visualness with the same --scope")
