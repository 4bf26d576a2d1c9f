"""Candidate attribute words per scope, in SQL (sql/vocab/*.sql).

Writes the scope's universe (``scope_products``: its kept products), the top words of a
kind by number of products (``vocabulary``) and each word's positive set
(``word_products`` = D+).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb

from attrdb.connection import require_tables
from attrdb.context.boilerplate import flag_boilerplate
from attrdb.context.matched import flag_category_bound
from attrdb.context.scopes import scope_definition
from attrdb.errors import InputError
from attrdb.runs import stage_run
from attrdb.sqlfiles import query_sql_file, run_sql_file

KINDS = ("adjective", "tag", "all")
DEFAULT_TOP_N = 250
DEFAULT_MIN_COUNT = 5


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
    scope: str = "default",
    kind: str = "adjective",
    top_n: int = DEFAULT_TOP_N,
    min_count: int = DEFAULT_MIN_COUNT,
    exclude: Iterable[str] = (),
    exclude_file: str | Path | None = None,
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

    Returns:
        Counts: scope products, words, word-product rows.

    Raises:
        InputError: unknown kind or scope, bad numbers, missing exclusion file.
        StateError: dedup has not run.
    """
    if kind not in KINDS:
        raise InputError(f"--kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if top_n < 1 or min_count < 1:
        raise InputError("--top and --min-count must be at least 1")
    excluded = list(exclude) + (read_exclusions(exclude_file) if exclude_file else [])
    words = _normalise(excluded)
    require_tables(
        con, "tokens", "duplicate_groups", hint="run `attrdb text` and `attrdb dedup` first"
    )
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
    }
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
                {"scope": scope, "kind": kind, "top_n": top_n, "min_count": min_count},
            )
            n_bound = flag_category_bound(con, scope, definition)
            con.commit()
        except BaseException:
            con.rollback()
            raise
        finally:
            con.unregister("vocab_exclude")
        n_scope, n_words, n_pairs = query_sql_file(con, "vocab/summary", {"scope": scope})[0]
        run.summary.update(n_scope_products=n_scope, n_words=n_words, n_word_products=n_pairs,
                           boilerplate=boilerplate, n_category_bound_words=n_bound)
        return dict(run.summary)
