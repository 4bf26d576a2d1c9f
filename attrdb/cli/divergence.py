"""Commands ``divergence`` (symmetric KL per unit and word, prime units) and ``depth``."""

from __future__ import annotations

from typing import Annotated

import typer

from attrdb.cli import options
from attrdb.cli.common import console_info, database, settings
from attrdb.cli.options import DEFAULT_SCOPE
from attrdb.depth import DepthParams
from attrdb.divergence import DivergenceParams

_SHOWN_SKIPPED = 10
# Every default comes from the stage's parameters dataclass, written once there.
_DIV = DivergenceParams()
_DEPTH = DepthParams()


def register(app: typer.Typer) -> None:
    """Add ``divergence`` and ``depth`` to the app."""

    @app.command("divergence")
    def divergence_cmd(
        ctx: typer.Context,
        model: options.Model = None,
        scope: options.Scope = DEFAULT_SCOPE,
        n_bins: Annotated[
            int, typer.Option("--n-bins", help="Histogram bins per unit.")
        ] = _DIV.n_bins,
        old_bins: Annotated[int | None, options.hidden_alias("--bins", "--n-bins")] = None,
        binning: Annotated[
            str, typer.Option("--binning", help="equal (width, min..max) or quantile.")
        ] = _DIV.binning,
        smoothing: Annotated[
            float,
            typer.Option("--smoothing", help="Uniform mass mixed into every histogram, in (0, 1)."),
        ] = _DIV.smoothing,
        min_positives: Annotated[
            int, typer.Option("--min-positives", help="Fewer positives in the split: skip word.")
        ] = _DIV.min_positives,
        min_negatives: Annotated[
            int, typer.Option("--min-negatives", help="Fewer negatives in the split: skip word.")
        ] = _DIV.min_negatives,
        top_k: Annotated[
            int, typer.Option("--top-k", help="Prime units kept per word.")
        ] = _DIV.top_k,
        split: Annotated[
            str, typer.Option(
                "--split",
                help="Split the bins and histograms use, or several joined by '+' (the "
                     "paper's: train).")
        ] = _DIV.split,
        null_draws: Annotated[
            int, typer.Option(
                "--null-draws",
                help="Pseudo-words per word (random D+ of its size) measuring the KL a word "
                     "gets by chance; prime units rank by the KL above it (kl_z). 0 = the "
                     "paper's raw-KL ranking.")
        ] = _DIV.null_draws,
        null_seed: Annotated[
            int, typer.Option("--null-seed", help="Seed of the pseudo-words' draws.")
        ] = _DIV.null_seed,
        negative_prior: Annotated[
            float, typer.Option(
                "--negative-prior",
                help="Category-matched scopes: pseudo-negatives shrinking each category x "
                     "shop stratum's negatives towards its category's; 0 = none.")
        ] = _DIV.negative_prior,
        unit_block: Annotated[
            int | None,
            typer.Option(
                "--unit-block",
                help="Units binned, counted and scored per block (same results; bounds "
                     "memory); default about 64 M binned rows per block (docs/divergence.md, "
                     "Unit blocks).")
        ] = _DIV.unit_block,
        progress: Annotated[
            bool,
            typer.Option("--progress/--no-progress", hidden=True, help="Old form of --quiet."),
        ] = True,
    ) -> None:
        """Symmetric KL of every unit's activation histogram, D+ vs D-, for every word (eq. 1)."""
        from attrdb.context.matched import match_line
        from attrdb.divergence import run_divergence

        with database(ctx) as con:
            summary = run_divergence(
                con,
                scope=scope,
                model_id=model,
                n_bins=options.pick(n_bins, old_bins),
                binning=binning,
                smoothing=smoothing,
                min_positives=min_positives,
                min_negatives=min_negatives,
                top_k=top_k,
                split=split,
                null_draws=null_draws,
                null_seed=null_seed,
                negative_prior=negative_prior,
                unit_block=unit_block,
                progress=progress and settings(ctx).progress,
            )
        total = sum(summary["seconds"].values())
        console_info(
            f"divergence: {summary['n_words']} words x {summary['n_units']} units "
            f"({summary['n_constant_units']} constant) over {summary['n_products']} "
            f"{split} products of scope {scope!r}, model {summary['model_id']!r}: "
            f"{summary['n_divergence_rows']} rows in {total:.1f} s"
        )
        if "category_matched" in summary:
            console_info(match_line(summary["category_matched"]))
        if summary["n_skipped"]:
            shown = ", ".join(
                f"{s['word']} ({s['n_pos']}+/{s['n_neg']}-)"
                for s in summary["skipped"][:_SHOWN_SKIPPED]
            )
            more = summary["n_skipped"] - min(_SHOWN_SKIPPED, len(summary["skipped"]))
            console_info(
                f"skipped {summary['n_skipped']} words with fewer than {min_positives} "
                f"positives or {min_negatives} negatives: {shown}"
                + (f" and {more} more (runs.summary)" if more > 0 else "")
            )

    @app.command("depth")
    def depth_cmd(
        ctx: typer.Context,
        model: options.Model = None,
        scope: options.Scope = DEFAULT_SCOPE,
        top_words: Annotated[
            int, typer.Option("--top-words", help="Most salient words listed per layer.")
        ] = _DEPTH.top_words,
    ) -> None:
        """Perceptual depth (eq. 4): each word's max KL per layer and its share over layers."""
        from attrdb.depth import run_depth

        with database(ctx) as con:
            summary = run_depth(con, scope=scope, model_id=model, top_words=top_words)
        console_info(
            f"depth: {summary['n_words']} words x {len(summary['layers'])} layers, "
            f"model {summary['model_id']!r}, scope {scope!r}"
        )
        typer.echo("layer\tM_l\tmean_max_kl\tn_peaking\tmost_salient_words")
        for layer in summary["layers"]:
            typer.echo(
                f"{layer['layer']}\t{layer['mean_relative']:.3f}\t{layer['mean_max_kl']:.3f}"
                f"\t{layer['n_peaking']}\t{', '.join(layer['top_words'])}"
            )
