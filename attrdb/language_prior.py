"""The language-prior baseline of Table 1, computed in SQL from the catalogue's own text.

The paper scored each word by Google Books n-gram statistics. Offline, the same idea comes
from the catalogue: a word that is often written directly before a product noun ("red
dress", "striped shirt") is used as a modifier of what is pictured. The score is the share
of the word's occurrences that stand immediately before one of the scope's most frequent
common nouns (``sql/visualness/language_prior.sql``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

from attrdb import stages
from attrdb.sqlfiles import run_sql_file


def run_language_prior(
    con: duckdb.DuckDBPyConnection,
    *,
    model_id: str,
    scope: str,
    words: Sequence[str],
    n_nouns: int = 50,
    run_id: int | None = None,
) -> dict[str, Any]:
    """Score ``words`` by the language prior into ``language_prior`` and ``visualness``.

    The score does not depend on the CNN; its visualness rows carry ``model_id`` only so
    that Table 1 (``agreement``) lists it beside the classifiers of that model.

    Args:
        con: an open attrdb database.
        model_id: the model whose visualness rows receive the baseline.
        scope: the product subset whose tokens are counted.
        words: the vocabulary words to score.
        n_nouns: how many of the most frequent common nouns count as product nouns.
        run_id: the visualness run that computes it.

    Returns:
        Counts: nouns used, words scored, words never seen in the tokens.
    """
    stages.require(con, "tokens")
    params = f'{{"n_nouns":{int(n_nouns)}}}'
    run_sql_file(
        con,
        "visualness/language_prior",
        {
            "model_id": model_id,
            "scope": scope,
            "words": list(words),
            "n_nouns": int(n_nouns),
            "params": params,
            "run_id": run_id,
        },
    )
    n_nouns_used, n_scored, n_unseen = con.execute(
        "SELECT (SELECT count(*) FROM language_prior_nouns WHERE scope = $scope), "
        "count(accuracy), count(*) - count(accuracy) FROM visualness "
        "WHERE model_id = $model_id AND scope = $scope AND method = 'language_prior' "
        "AND list_contains($words, word)",
        {"scope": scope, "model_id": model_id, "words": list(words)},
    ).fetchall()[0]
    return {"n_nouns": n_nouns_used, "n_scored": n_scored, "n_unseen": n_unseen}
