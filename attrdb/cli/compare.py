"""Command ``compare``: feature sets against a metadata field, with their supervised ceiling."""

from __future__ import annotations

from typing import Annotated

import typer

from attrdb.cli import options
from attrdb.cli.common import database
from attrdb.cli.options import DEFAULT_SCOPE
from attrdb.compare import CompareParams

_DEFAULTS = CompareParams()


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(w.strip() for w in (text or "").split(",") if w.strip())


def register(app: typer.Typer) -> None:
    """Add ``compare`` to the app."""

    @app.command("compare")
    def compare_cmd(
        ctx: typer.Context,
        scope: options.Scope = DEFAULT_SCOPE,
        field: Annotated[
            str, typer.Option("--field", help="Metadata key the attribute words name values of.")
        ] = _DEFAULTS.field,
        words: Annotated[
            str | None,
            typer.Option("--words", help="Comma-separated attribute words (default: every "
                                         "vocabulary word that names a value of the field)."),
        ] = None,
        models: Annotated[
            str | None,
            typer.Option("--models", help="Comma-separated feature sets (default: every model "
                                          "with predictions in the scope)."),
        ] = None,
        k: Annotated[int, typer.Option("--k", help="Precision at this many products.")] = (
            _DEFAULTS.k),
        min_products: Annotated[
            int, typer.Option("--min-products", help="Least products a value needs.")
        ] = _DEFAULTS.min_products,
        no_ceiling: Annotated[
            bool, typer.Option("--no-ceiling", help="Skip the supervised ceiling.")
        ] = False,
        jobs: Annotated[
            int, typer.Option("--jobs", help="Workers of the ceiling's classifiers.")
        ] = _DEFAULTS.jobs,
        crossfit_repeats: Annotated[
            int | None,
            typer.Option("--crossfit-repeats",
                         help="Cross-fit repetitions of the ceiling of a feature set without "
                              "text-trained crossfit results [default: the visualness "
                              "default]; the others always use their results' settings."),
        ] = _DEFAULTS.crossfit_repeats,
    ) -> None:
        """Precision at k against a metadata field, text-trained and supervised ceiling."""
        from attrdb.compare import run_compare

        params = CompareParams(
            scope=scope, field=field, words=_split(words), k=k, min_products=min_products,
            ceiling=not no_ceiling, models=_split(models), jobs=jobs,
            crossfit_repeats=crossfit_repeats,
        )
        with database(ctx) as con:
            summary = run_compare(con, params)
        for model_id, result in summary["models"].items():
            text = ", ".join(f"{m} {v:.3f}" for m, v in result["text"].items() if v is not None)
            ceiling = result.get("ceiling")
            repeats = result.get("ceiling_settings", {}).get("crossfit_repeats")
            typer.echo(
                f"{model_id}: P@{k} {text or '-'}"
                + (f"; ceiling {ceiling:.3f} (crossfit R={repeats})" if ceiling is not None
                   else "")
            )
