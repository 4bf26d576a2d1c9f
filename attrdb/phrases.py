"""Phrase attributes: two-word phrases ('round neck', 'floral print') as vocabulary entries.

Candidates are adjective-noun and noun-noun bigrams of adjacent tokens within one sentence
of a scope's titles and descriptions (``tokens`` keep ``line_no`` and ``position``), ranked
by how many products use them with those tags and kept when their words are associated
(PMI > 0 and Dunning's log-likelihood ratio above a threshold), all in SQL
(``sql/phrases/``). The top ones join the scope's vocabulary with kind ``'phrase'`` and
their positives join ``word_products``, so divergence, visualness, depth, saliency and the
report treat a phrase exactly like a word. Called by ``attrdb vocab --phrases N``
(:func:`attrdb.vocab.run_vocab`). See docs/phrases.md.
"""

from __future__ import annotations

from typing import Any

import duckdb

from attrdb.errors import InputError
from attrdb.sqlfiles import query_sql_file, run_sql_file

# G^2 of a 2x2 table is chi-square with 1 degree of freedom: 10.83 is p = 0.001.
DEFAULT_MIN_LLR = 10.83


def add_phrases(
    con: duckdb.DuckDBPyConnection,
    scope: str,
    *,
    top_n: int,
    min_count: int,
    min_llr: float = DEFAULT_MIN_LLR,
) -> dict[str, Any]:
    """Find a scope's phrase candidates and add the top ``top_n`` to its vocabulary.

    Runs inside the vocab stage's transaction, after the words are chosen, with its
    ``vocab_exclude`` table registered (excluded phrases are skipped).

    Args:
        con: an open attrdb database.
        scope: the scope whose vocabulary grows.
        top_n: phrases added (the candidates table keeps all that pass); 0 only deletes
            the scope's candidates of an earlier run.
        min_count: products a phrase needs with the adjective/noun + noun tags.
        min_llr: least log-likelihood ratio (G^2) of the phrase's two words.

    Returns:
        Counts: candidates found, phrases added, and the first phrases added (nothing when
        top_n is 0).

    Raises:
        InputError: a negative top_n or min_llr, or min_count below 1.
    """
    if top_n < 0 or min_count < 1:
        raise InputError("--phrases must be at least 0 and --min-count at least 1")
    if min_llr < 0:
        raise InputError(f"--phrase-min-llr must be at least 0, got {min_llr}")
    if top_n == 0:
        run_sql_file(con, "phrases/clear", {"scope": scope})
        return {}
    run_sql_file(con, "phrases/candidates",
                 {"scope": scope, "min_count": min_count, "min_llr": min_llr})
    run_sql_file(con, "phrases/vocabulary", {"scope": scope, "top_n": top_n})
    n_candidates, added = query_sql_file(con, "phrases/summary", {"scope": scope})[0]
    return {"n_phrase_candidates": int(n_candidates), "n_phrases": len(added),
            "phrases": list(added)[:20]}
