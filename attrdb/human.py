"""Human judgments of visualness (paper Sec. 4.3, eq. 3) and their agreement (Table 1).

Two inputs are accepted, told apart by the CSV header:

- crowd votes ``word,pair_id,positive_votes,n_annotators``: one row per image pair of a
  word shown to ``n_annotators`` people, ``positive_votes`` of whom judged the word visible;
  H(u) = share of the word's pairs with more than ``theta`` positive votes;
- per-word scores ``word,score``: H(u) given directly.

``agreement`` then holds, per method, the Pearson and Spearman correlation between the
method's per-word scores (``visualness.accuracy``) and H(u) over the shared words.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import duckdb

from attrdb import stages
from attrdb.context.scopes import DEFAULT_SCOPE
from attrdb.errors import InputError
from attrdb.runs import stage_run
from attrdb.sqlfiles import query_sql_file

VOTE_COLUMNS = ("word", "pair_id", "positive_votes", "n_annotators")
SCORE_COLUMNS = ("word", "score")
DEFAULT_THETA = 3


def import_human(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    *,
    theta: int = DEFAULT_THETA,
    source: str | None = None,
) -> dict[str, Any]:
    """Import human votes or per-word scores and (re)compute ``human_visualness``.

    Args:
        con: an open attrdb database.
        path: a CSV with header ``word,pair_id,positive_votes,n_annotators`` (votes) or
            ``word,score`` (per-word H(u)).
        theta: with votes, a pair counts as visual when positive_votes > theta (default 3:
            more than 3 of 5 annotators). Applied to every word with votes.
        source: name recorded with the rows (default: the file name).

    Returns:
        Counts of rows read, accepted and rejected (rejects are in ``human_rejects``).

    Raises:
        InputError: the file is missing, or its header is neither format.
    """
    file = Path(path)
    if not file.is_file():
        raise InputError(f"no such file: {file}")
    if theta < 0:
        raise InputError(f"theta must be a non-negative vote count, got {theta}")
    kind = _kind(file)
    source = source or file.name
    with stage_run(con, "human_import", {"path": str(file), "theta": theta, "kind": kind}) as run:
        con.execute("BEGIN TRANSACTION")
        try:
            if kind == "votes":
                n_rows, n_accepted, n_rejected = query_sql_file(
                    con, "human/import_votes", {"path": str(file), "source": source}
                )[0]
                n_words = query_sql_file(con, "human/visualness_from_votes", {"theta": theta})[0][0]
            else:
                n_rows, n_accepted, n_rejected = query_sql_file(
                    con, "human/import_scores", {"path": str(file), "source": source}
                )[0]
                n_words = n_accepted
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        run.summary.update(
            kind=kind,
            n_rows=n_rows,
            n_accepted=n_accepted,
            n_rejected=n_rejected,
            n_words=n_words,
        )
        return dict(run.summary)


def _kind(file: Path) -> str:
    with file.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle), [])
    columns = tuple(c.strip().lower() for c in header)
    if set(VOTE_COLUMNS) <= set(columns):
        return "votes"
    if set(SCORE_COLUMNS) <= set(columns):
        return "scores"
    raise InputError(
        f"{file}: header {','.join(header) or '(empty)'} is neither "
        f"{','.join(VOTE_COLUMNS)} nor {','.join(SCORE_COLUMNS)}"
    )


def run_agreement(
    con: duckdb.DuckDBPyConnection, *, model_id: str, scope: str = DEFAULT_SCOPE
) -> dict[str, dict[str, Any]]:
    """Recompute Table 1 (``agreement``) for one model and scope.

    Returns:
        ``{method: {"pearson", "spearman", "n_words"}}``.
    """
    stages.require(con, "human_visualness", "visualness")
    rows = query_sql_file(con, "human/agreement", {"model_id": model_id, "scope": scope})
    return {
        method: {"pearson": pearson, "spearman": spearman, "n_words": n_words}
        for method, pearson, spearman, n_words in rows
    }
