"""Commands of the text half of the pipeline: ``text``, ``dedup``, ``vocab``, ``split``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from attrdb.cli import options
from attrdb.cli.common import console_info, database, settings
from attrdb.cli.options import DEFAULT_SCOPE
from attrdb.dedup import DedupParams
from attrdb.splits import SplitParams
from attrdb.vocab import run_vocab

# Every default comes from the stage's parameters (dataclass or function), written once.
_DEDUP = DedupParams()
_SPLIT = SplitParams()
_VOCAB = options.defaults_of(run_vocab)


def register(app: typer.Typer) -> None:
    """Add ``text``, ``dedup``, ``vocab`` and ``split`` to the app."""

    @app.command("text")
    def text_cmd(
        ctx: typer.Context,
        lang: Annotated[
            str, typer.Option("--lang", help="en (spaCy), ja (Sudachi) or auto (per field).")
        ] = "auto",
        synonyms: Annotated[
            list[Path] | None,
            typer.Option(
                "--synonyms",
                help="Merge table: CSV term,canonical or the Sudachi lexicon TSV "
                "(repeatable; replaces the synonyms table and re-applies it).",
            ),
        ] = None,
        batch_size: Annotated[
            int, typer.Option("--batch-size", help="Products written per transaction.")
        ] = 500,
        n_process: Annotated[
            int, typer.Option("--n-process", help="spaCy worker processes.")
        ] = 1,
        rebuild: Annotated[
            bool, typer.Option("--rebuild", help="Forget all tokens and tag every product again.")
        ] = False,
    ) -> None:
        """Tag titles, descriptions and tags into tokens (resumes where it stopped)."""
        from attrdb.text.tokenize import run_text

        with database(ctx) as con:
            summary = run_text(
                con,
                lang=lang,
                synonyms=synonyms or [],
                batch_size=batch_size,
                n_process=n_process,
                rebuild=rebuild,
                progress=settings(ctx).progress,
            )
        console_info(
            f"text: {summary['products']} products tagged ({summary['tokens']} tokens, "
            f"{summary['lines']} lines); {summary['products_total']} tagged in all"
        )

    @app.command("dedup")
    def dedup_cmd(
        ctx: typer.Context,
        threshold: Annotated[
            float,
            typer.Option("--threshold", help="Cosine distance under which listings merge."),
        ] = _DEDUP.threshold,
        seed: Annotated[
            int, typer.Option("--seed", help="Picks the kept product per group.")
        ] = _DEDUP.seed,
    ) -> None:
        """Group near-duplicate listings per shop and keep one per group (SQL)."""
        from attrdb.dedup import run_dedup

        with database(ctx) as con:
            summary = run_dedup(con, threshold=threshold, seed=seed)
        console_info(
            f"dedup: {summary['n_products']} products in {summary['n_groups']} groups; "
            f"{summary['n_removed']} removed ({summary['removed_share']:.1%})"
        )

    @app.command("vocab")
    def vocab_cmd(
        ctx: typer.Context,
        scope: options.Scope = DEFAULT_SCOPE,
        kind: Annotated[
            str, typer.Option("--kind", help="adjective, tag or all.")
        ] = _VOCAB["kind"],
        top_n: Annotated[int, typer.Option("--top-n", help="Words to keep.")] = _VOCAB["top_n"],
        old_top: Annotated[int | None, options.hidden_alias("--top", "--top-n")] = None,
        min_count: Annotated[
            int, typer.Option("--min-count", help="Least products holding the word as the kind.")
        ] = _VOCAB["min_count"],
        exclude: Annotated[
            list[str] | None, typer.Option("--exclude", help="A word to leave out (repeatable).")
        ] = None,
        exclude_file: Annotated[
            Path | None, typer.Option("--exclude-file", help="File of words to leave out.")
        ] = None,
        min_train_support: Annotated[
            int, typer.Option("--min-train-support",
                              help="Warn about words expecting fewer train positives.")
        ] = _VOCAB["min_train_support"],
        min_test_support: Annotated[
            int, typer.Option("--min-test-support",
                              help="Warn about words expecting fewer test positives.")
        ] = _VOCAB["min_test_support"],
        phrases: Annotated[
            int, typer.Option("--phrases", help="Also add this many two-word phrases "
                              "(adjective/noun + noun, kind 'phrase'); 0 = words only.")
        ] = _VOCAB["phrases"],
        phrase_min_llr: Annotated[
            float, typer.Option("--phrase-min-llr",
                                help="Least log-likelihood ratio of a phrase's two words.")
        ] = _VOCAB["phrase_min_llr"],
    ) -> None:
        """Choose the candidate attribute words and their positive products (SQL)."""
        from attrdb.vocab import support_warning

        with database(ctx) as con:
            summary = run_vocab(
                con,
                scope=scope,
                kind=kind,
                top_n=options.pick(top_n, old_top),
                min_count=min_count,
                exclude=exclude or [],
                exclude_file=exclude_file,
                min_train_support=min_train_support,
                min_test_support=min_test_support,
                phrases=phrases,
                phrase_min_llr=phrase_min_llr,
            )
        console_info(
            f"vocab [{scope}]: {summary['n_words']} {kind} words over "
            f"{summary['n_scope_products']} products"
        )
        if phrases:
            console_info(f"phrases: {summary['n_phrases']} of {summary['n_phrase_candidates']} "
                         f"candidates added: {', '.join(summary['phrases'][:10])}")
        if summary["location_words_dropped"]:
            console_info("left out as location words (scope option location_words): "
                         + ", ".join(summary["location_words_dropped"]))
        warning = support_warning(summary["support"])
        if warning:
            console_info(warning)

    @app.command("split")
    def split_cmd(
        ctx: typer.Context,
        seed: Annotated[int, typer.Option("--seed", help="Hash seed.")] = _SPLIT.seed,
        train: Annotated[float, typer.Option("--train", help="Train share.")] = _SPLIT.train,
        test: Annotated[float, typer.Option("--test", help="Test share.")] = _SPLIT.test,
        val: Annotated[float, typer.Option("--val", help="Validation share.")] = _SPLIT.val,
    ) -> None:
        """Split all products into train/test/val by a seeded hash (SQL)."""
        from attrdb.splits import run_split

        with database(ctx) as con:
            summary = run_split(con, seed=seed, train=train, test=test, val=val)
        console_info("split: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.items())))
