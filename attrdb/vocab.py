"""Candidate attribute words per scope, in SQL (sql/vocab/*.sql).

Writes the scope's universe (``scope_products``: its kept products), the top words of a
kind by number of products (``vocabulary``) and each word's positive set
(``word_products`` = D+), and counts the words whose expected split support is below what
a score needs (``sql/vocab/support.sql``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb

from attrdb import stages
from attrdb.context.boilerplate import flag_boilerplate
from attrdb.context.matched import flag_category_bound
from attrdb.context.scopes import DEFAULT_SCOPE, scope_definition
from attrdb.errors import InputError
from attrdb.phrases import DEFAULT_MIN_LLR, add_phrases
from attrdb.runs import last_successful_run, stage_run
from attrdb.splits import DEFAULT_FRACTIONS
from attrdb.sqlfiles import query_sql_file, run_sql_file

KINDS = ("adjective", "tag", "all")
DEFAULT_TOP_N = 250
DEFAULT_MIN_COUNT = 5
# Support a score needs, in expected imaged products per split. Train: the divergence
# stage skips a word with fewer than 5 train positives or negatives (its default
# min_positives/min_negatives). Test: one test positive moves a balanced accuracy by
# 1/(2 n+), 0.05 at 10 positives (visualness).
DEFAULT_MIN_TRAIN_SUPPORT = 5
DEFAULT_MIN_TEST_SUPPORT = 10
# Words below the support thresholds that the CLI names (all are in runs.summary).
WORDS_SHOWN = 10


def read_exclusions(path: str | Path) -> list[str]:
    """Words to leave out, one per line; blank lines and ``#`` comments are ignored.

    Raises:
        InputError: the file does not exist.
    """
    file = Path(path)
    if not file.is_file():
        raise InputError(f"exclusion file {file} not found")
    lines = file.read_text(encoding="utf-8-sig").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _normalise(words: Iterable[str]) -> list[str]:
    # Same form as English tokens.word (NFKC, lower case), so 'Dry' excludes 'dry'.
    return sorted({unicodedata.normalize("NFKC", w).strip().lower() for w in words} - {""})


def run_vocab(
    con: duckdb.DuckDBPyConnection,
    *,
    scope: str = DEFAULT_SCOPE,
    kind: str = "adjective",
    top_n: int = DEFAULT_TOP_N,
    min_count: int = DEFAULT_MIN_COUNT,
    exclude: Iterable[str] = (),
    exclude_file: str | Path | None = None,
    min_train_support: int = DEFAULT_MIN_TRAIN_SUPPORT,
    min_test_support: int = DEFAULT_MIN_TEST_SUPPORT,
    phrases: int = 0,
    phrase_min_llr: float = DEFAULT_MIN_LLR,
) -> dict[str, Any]:
    """Choose a scope's vocabulary and its D+ sets.

    Args:
        con: an open attrdb database after ``attrdb dedup``.
        scope: the scope (a row of ``scopes``) whose rows are replaced.
        kind: 'adjective' (title+description words tagged as adjectives), 'tag' (whole
            tags) or 'all' (every word of title, description and tags).
        top_n: how many words to keep, by number of products holding the word as the kind.
        min_count: the least number of such products a word needs.
        exclude: words to leave out (matched lower-cased).
        exclude_file: a file of more words to leave out, one per line.
        min_train_support: a word expecting fewer imaged train positives (or negatives)
            than this is counted in ``n_words_below_train_support``.
        min_test_support: likewise for the test split (``n_words_below_test_support``).
        phrases: also add this many two-word phrases (kind 'phrase', attrdb.phrases),
            each needing min_count products; 0 = words only.
        phrase_min_llr: least log-likelihood ratio of a phrase's two words.

    Returns:
        Counts: scope products, words, word-product rows, boilerplate, category-bound
        words, the location words the scope left out (``location_words_dropped``, most
        products first), and ``support``: the split shares used (the newest split run's, else the
        split stage's defaults), the thresholds, the number of words below each and the
        words below either, fewest expected test positives first.

    Raises:
        InputError: unknown kind or scope, bad numbers, missing exclusion file.
        StateError: dedup has not run.
    """
    if kind not in KINDS:
        raise InputError(f"--kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if top_n < 1 or min_count < 1:
        raise InputError("--top and --min-count must be at least 1")
    if min_train_support < 0 or min_test_support < 0:
        raise InputError("--min-train-support and --min-test-support must be at least 0")
    excluded = list(exclude) + (read_exclusions(exclude_file) if exclude_file else [])
    words = _normalise(excluded)
    stages.require(con, "tokens", "duplicate_groups")
    if not query_sql_file(con, "vocab/scope_exists", {"scope": scope})[0][0]:
        raise InputError(f"scope {scope!r} is not defined (table scopes)")
    # The scope's category filter, boilerplate and negatives options (attrdb.context).
    definition = scope_definition(con, scope)
    params = {
        "kind": kind,
        "top_n": top_n,
        "min_count": min_count,
        "exclude": words,
        "exclude_file": str(exclude_file) if exclude_file else None,
        "scope_definition": definition.as_dict(),
        "min_train_support": min_train_support,
        "min_test_support": min_test_support,
    }
    if phrases:
        # Only when asked, so runs without phrases keep their recorded parameters.
        params.update(phrases=phrases, phrase_min_llr=phrase_min_llr)
    import pyarrow as pa

    with stage_run(con, "vocab", params, scope=scope) as run:
        con.register("vocab_exclude", pa.table({"word": pa.array(words, type=pa.string())}))
        con.begin()
        try:
            run_sql_file(con, "vocab/scope_products", {"scope": scope})
            boilerplate = flag_boilerplate(con, scope, definition)
            run_sql_file(
                con,
                "vocab/vocabulary",
                {"scope": scope, "kind": kind, "top_n": top_n, "min_count": min_count,
                 "drop_location_words": definition.location_words == "drop"},
            )
            dropped = [word for word, _ in query_sql_file(con, "vocab/dropped_location_words")]
            # phrases = 0 clears the scope's phrase candidates of an earlier run.
            run.summary.update(add_phrases(con, scope, top_n=phrases, min_count=min_count,
                                           min_llr=phrase_min_llr))
            n_bound = flag_category_bound(con, scope, definition)
            con.commit()
        except BaseException:
            con.rollback()
            raise
        finally:
            con.unregister("vocab_exclude")
        n_scope, n_words, n_pairs = query_sql_file(con, "vocab/summary", {"scope": scope})[0]
        support = _support(con, scope, min_train_support, min_test_support)
        run.summary.update(n_scope_products=n_scope, n_words=n_words, n_word_products=n_pairs,
                           boilerplate=boilerplate, n_category_bound_words=n_bound,
                           location_words_dropped=dropped,
                           support=support)
        warning = support_warning(support)
        if warning:
            run.summary["warnings"] = [warning]  # printed by `attrdb run`
        return dict(run.summary)


def _support(
    con: duckdb.DuckDBPyConnection, scope: str, min_train: int, min_test: int
) -> dict[str, Any]:
    """Words whose expected train/test support is below the thresholds (``vocab/support``)."""
    # vocab normally runs before split: then the split stage's default shares apply.
    split = last_successful_run(con, "split")
    if split is not None:
        train, test = float(split["params"]["train"]), float(split["params"]["test"])
    else:
        train, test = DEFAULT_FRACTIONS[0], DEFAULT_FRACTIONS[1]
    row = query_sql_file(con, "vocab/support", {
        "scope": scope, "train_fraction": train, "test_fraction": test,
        "min_train": min_train, "min_test": min_test,
    })[0]
    below_train, below_test, below_any, words = row
    return {
        "train_fraction": train,
        "test_fraction": test,
        "fractions_from": f"split run {split['run_id']}" if split else "split defaults",
        "min_train_support": min_train,
        "min_test_support": min_test,
        "n_words_below_train_support": int(below_train),
        "n_words_below_test_support": int(below_test),
        "n_words_below_support": int(below_any),
        "words_below_support": list(words),
    }


def support_warning(support: dict[str, Any]) -> str | None:
    """One line naming the words below the support thresholds, or None when there are none."""
    n_below = support["n_words_below_support"]
    if not n_below:
        return None
    words = support["words_below_support"]
    shown = ", ".join(words[:WORDS_SHOWN]) + (", …" if len(words) > WORDS_SHOWN else "")
    return (
        f"warning: {n_below} words expect too few imaged products to score well: "
        f"{support['n_words_below_train_support']} under {support['min_train_support']} "
        f"train positives or negatives (divergence skips them), "
        f"{support['n_words_below_test_support']} under {support['min_test_support']} "
        f"test ones (visualness is noisy or missing) at train/test shares "
        f"{support['train_fraction']:g}/{support['test_fraction']:g}; fewest first: {shown}. "
        "Raise --min-count or define a larger scope."
    )
