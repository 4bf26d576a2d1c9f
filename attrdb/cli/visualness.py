"""Commands ``visualness``, ``human import`` and ``agreement`` (paper Sec. 4.2-4.4)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from attrdb.cli import options
from attrdb.cli.common import console_info, database, settings, sub_app
from attrdb.cli.options import DEFAULT_SCOPE
from attrdb.human import DEFAULT_THETA
from attrdb.stability import DEFAULT_METHODS as STABILITY_METHODS
from attrdb.stability import DEFAULT_SEEDS, DEFAULT_TOP, run_stability
from attrdb.visualness import METHODS, VisualnessConfig, run_visualness

_METHODS_HELP = (
    "Comma-separated: crossfit (every product tested once; lists rank by its lower bound), "
    "random, initial, resample (implies initial), language_prior."
)
# Every default comes from the library (VisualnessConfig, the stage functions), written once.
_DEFAULTS = VisualnessConfig()
_VISUALNESS_JOBS = options.defaults_of(run_visualness)["jobs"]
_STABILITY_JOBS = options.defaults_of(run_stability)["jobs"]


def register(app: typer.Typer) -> None:
    """Add ``visualness``, ``agreement`` and the ``human`` group to the app."""

    @app.command("visualness")
    def visualness_cmd(
        ctx: typer.Context,
        model: options.Model = None,
        scope: options.Scope = DEFAULT_SCOPE,
        words: Annotated[
            str | None, typer.Option("--words", help="Comma-separated words (default: all).")
        ] = None,
        methods: Annotated[
            str, typer.Option("--methods", help=_METHODS_HELP)
        ] = ",".join(METHODS),
        seed: Annotated[
            int, typer.Option("--seed", help="Seed of the balanced samples and folds.")
        ] = _DEFAULTS.seed,
        c: Annotated[
            float, typer.Option("--C", help="Inverse L2 strength of the logistic regression.")
        ] = _DEFAULTS.C,
        n_prime: Annotated[
            int, typer.Option("--n-prime", help="Prime units the initial classifier sees.")
        ] = _DEFAULTS.n_prime,
        max_per_class: Annotated[
            int, typer.Option("--max-per-class", help="Cap on positives per sample; 0 = none.")
        ] = _DEFAULTS.max_per_class or 0,
        min_train_pos: Annotated[
            int, typer.Option("--min-train-pos", help="Fewer train positives: no classifier.")
        ] = _DEFAULTS.min_train_pos,
        min_test_pos: Annotated[
            int, typer.Option("--min-test-pos", help="Fewer test positives: no classifier.")
        ] = _DEFAULTS.min_test_pos,
        n_nouns: Annotated[
            int, typer.Option("--n-nouns", help="Product nouns the language prior counts.")
        ] = _DEFAULTS.n_nouns,
        n_folds: Annotated[
            int, typer.Option("--n-folds", help="Cross-fitting folds of the crossfit method.")
        ] = _DEFAULTS.n_folds,
        negatives_per_positive: Annotated[
            int, typer.Option(
                "--negatives-per-positive",
                help="Negatives crossfit draws per training positive in each stratum "
                     "(weighted to the positives' weight).")
        ] = _DEFAULTS.negatives_per_positive,
        crossfit_repeats: Annotated[
            int, typer.Option(
                "--crossfit-repeats",
                help="Repetitions of crossfit's fold assignment; each product's out-of-fold "
                     "scores are averaged over them.")
        ] = _DEFAULTS.crossfit_repeats,
        resample_keep: Annotated[
            float, typer.Option(
                "--resample-keep",
                help="Share of the balanced size resample keeps of each side's most "
                     "confident images, in (0, 1].")
        ] = _DEFAULTS.resample_keep,
        jobs: options.Jobs = _VISUALNESS_JOBS,
        force: options.Force = False,
    ) -> None:
        """Visualness of every vocabulary word: classifier accuracy (eq. 2) and purifier scores."""
        config = VisualnessConfig(
            seed=seed,
            C=c,
            n_prime=n_prime,
            max_per_class=max_per_class or None,
            min_train_pos=min_train_pos,
            min_test_pos=min_test_pos,
            n_nouns=n_nouns,
            n_folds=n_folds,
            negatives_per_positive=negatives_per_positive,
            crossfit_repeats=crossfit_repeats,
            resample_keep=resample_keep,
        )
        with database(ctx) as con:
            summary = run_visualness(
                con,
                model_id=model,
                scope=scope,
                words=options.names(words) or None,
                methods=options.names(methods),
                config=config,
                jobs=jobs,
                force=force,
                progress=settings(ctx).progress,
            )
        means = ", ".join(f"{m} {a}" for m, a in summary.get("mean_accuracy", {}).items())
        console_info(
            f"visualness: {summary['n_words']} words of scope {scope!r}, model "
            f"{summary['model_id']!r} ({summary.get('n_skipped_done', 0)} already done); "
            f"mean balanced accuracy: {means or 'n/a'}"
        )

    @app.command("stability")
    def stability_cmd(
        ctx: typer.Context,
        model: options.Model = None,
        scope: options.Scope = DEFAULT_SCOPE,
        seeds: Annotated[
            str, typer.Option("--seeds", help="Comma-separated seeds, at least two.")
        ] = ",".join(str(s) for s in DEFAULT_SEEDS),
        methods: Annotated[
            str, typer.Option("--methods", help="Visualness methods to repeat, comma-separated.")
        ] = ",".join(STABILITY_METHODS),
        top: Annotated[
            int, typer.Option("--top", help="Size of the top lists whose overlap is reported.")
        ] = DEFAULT_TOP,
        jobs: options.Jobs = _STABILITY_JOBS,
    ) -> None:
        """Repeat split, divergence and visualness per seed; store each word's rank spread."""
        try:
            seed_list = [int(s) for s in options.names(seeds)]
        except ValueError as exc:
            raise typer.BadParameter(f"--seeds takes integers: {seeds!r}") from exc
        with database(ctx) as con:
            summary = run_stability(
                con, db_path=settings(ctx).db, scope=scope, model_id=model, seeds=seed_list,
                methods=options.names(methods), top=top, jobs=jobs,
                progress=settings(ctx).progress,
            )
        for method, pairs in summary["pairs"].items():
            for pair in pairs:
                console_info(
                    f"{method} seeds {pair['seeds'][0]} vs {pair['seeds'][1]}: Spearman "
                    f"{pair['spearman']:.3f} over {pair['n_words']} words, top-{top} overlap "
                    f"{pair[f'top{top}_overlap']}"
                )
        overlap = summary["prime_unit_overlap"]
        console_info(
            f"prime units shared between seeds: {overlap['kl_z']} (by kl_z), "
            f"{overlap['kl']} (by raw KL); rank spread per word in visualness_stability"
        )

    @app.command("agreement")
    def agreement_cmd(
        ctx: typer.Context,
        model: options.Model = None,
        scope: options.Scope = DEFAULT_SCOPE,
    ) -> None:
        """Table 1: Pearson/Spearman between each method's visualness and human H(u)."""
        from attrdb.divergence import resolve_model
        from attrdb.human import run_agreement

        with database(ctx) as con:
            result = run_agreement(con, model_id=resolve_model(con, model), scope=scope)
        for method, row in result.items():
            typer.echo(
                f"{method}\tpearson={_fmt(row['pearson'])}\tspearman={_fmt(row['spearman'])}"
                f"\tn_words={row['n_words']}"
            )

    human = sub_app("Human judgments of visualness (eq. 3).")

    @human.command("import")
    def human_import_cmd(
        ctx: typer.Context,
        path: Annotated[
            Path, typer.Argument(help="CSV: word,pair_id,positive_votes,n_annotators / word,score.")
        ],
        theta: Annotated[
            int, typer.Option("--theta", help="A pair is visual when votes > theta (3: >3 of 5).")
        ] = DEFAULT_THETA,
        source: Annotated[
            str | None, typer.Option("--source", help="Source name (default: the file name).")
        ] = None,
    ) -> None:
        """Import crowd votes (or per-word scores) and compute H(u) into human_visualness."""
        from attrdb.human import import_human

        with database(ctx) as con:
            summary = import_human(con, path, theta=theta, source=source)
        console_info(
            f"human {summary['kind']}: {summary['n_accepted']} of {summary['n_rows']} rows "
            f"accepted ({summary['n_rejected']} in human_rejects); H(u) for "
            f"{summary['n_words']} words"
        )

    app.add_typer(human, name="human")


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
