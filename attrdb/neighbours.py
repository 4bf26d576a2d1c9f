"""Attribute neighbourhoods: which words does the network perceive alike?

Two words are alike when the same units separate their positives from their negatives.
The stage compares every pair of a scope's words through their divergence profiles over the
units (``unit_word_divergence``), in SQL (``sql/neighbours/``), and stores

- ``word_similarity``: per pair (both orders) the similarity and its z-score among all
  pairs of the run, for one of three methods: ``cosine`` (of the profiles with the
  vocabulary's common profile projected out, so the shape every word shares, scaled by
  its support, does not count), ``spearman`` (rank correlation of the
  raw profiles) or ``prime_jaccard`` (overlap of the top-k prime units);
- ``word_groups``: a hierarchical clustering (complete linkage on 1 - similarity) cut into
  ``n_groups`` groups, with the dendrogram's leaf order for heat maps;
- the view ``word_neighbours`` ranks each word's neighbours, with both words' support.

Only the clustering runs in Python (scipy), on the similarity matrix read back from SQL.
See docs/neighbours.md.
"""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np

from attrdb import stages
from attrdb.context.scopes import DEFAULT_SCOPE
from attrdb.divergence import DEFAULT_TOP_K, resolve_model
from attrdb.errors import InputError, StateError
from attrdb.runs import stage_run
from attrdb.sqlfiles import query_sql_file, run_sql_file

METHODS = ("cosine", "spearman", "prime_jaccard")
VALUES = ("auto", "kl", "kl_z")
LINKAGES = ("complete", "average", "single")
DEFAULT_LINKAGE = "complete"
DEFAULT_METHOD = "cosine"
DEFAULT_N_GROUPS = 20
DEFAULT_NEIGHBOURS = 5  # neighbours per word listed in the summary


def cluster(words: list[str], similarity: np.ndarray, n_groups: int,
            method: str = DEFAULT_LINKAGE) -> list[dict[str, Any]]:
    """Hierarchical clustering of words on the distance 1 - similarity.

    Args:
        words: the words, in the order of the matrix rows.
        similarity: symmetric (n, n) matrix; the diagonal is ignored.
        n_groups: groups to cut the tree into (at most n).
        method: linkage: 'complete' (the default: average linkage chains most words into
            one group on these profiles), 'average' or 'single'.

    Returns:
        Per word: group_id (1 = largest group; ties by first position in the dendrogram),
        group_size and leaf_order (its position in the dendrogram).
    """
    from scipy.cluster.hierarchy import cut_tree, leaves_list, linkage
    from scipy.spatial.distance import squareform

    n = len(words)
    if n == 1:
        return [{"word": words[0], "group_id": 1, "group_size": 1, "leaf_order": 0}]
    distance = 1.0 - np.asarray(similarity, dtype=float)
    distance = (distance + distance.T) / 2.0  # exact symmetry for squareform
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(np.clip(distance, 0.0, None), checks=False), method=method)
    labels = cut_tree(tree, n_clusters=min(n_groups, n)).ravel()
    order = leaves_list(tree)
    position = np.empty(n, dtype=int)
    position[order] = np.arange(n)
    sizes = np.bincount(labels)
    first = {int(lab): int(position[labels == lab].min()) for lab in np.unique(labels)}
    ranked = sorted(first, key=lambda lab: (-sizes[lab], first[lab]))
    group_id = {lab: i + 1 for i, lab in enumerate(ranked)}
    return [
        {"word": w, "group_id": group_id[int(labels[i])], "group_size": int(sizes[labels[i]]),
         "leaf_order": int(position[i])}
        for i, w in enumerate(words)
    ]


def similarity_matrix(
    con: duckdb.DuckDBPyConnection, model_id: str, scope: str, method: str
) -> tuple[list[str], np.ndarray]:
    """The stored similarities of one (model, scope, method) as a square matrix (diagonal 1)."""
    found = query_sql_file(con, "neighbours/matrix",
                           {"model_id": model_id, "scope": scope, "method": method})
    words = sorted({str(r[0]) for r in found})
    index = {w: i for i, w in enumerate(words)}
    matrix = np.eye(len(words))
    for word, neighbour, value in found:
        matrix[index[str(word)], index[str(neighbour)]] = float(value)
    return words, matrix


def run_neighbours(
    con: duckdb.DuckDBPyConnection,
    *,
    scope: str = DEFAULT_SCOPE,
    model_id: str | None = None,
    method: str = DEFAULT_METHOD,
    n_groups: int = DEFAULT_N_GROUPS,
    top_k: int = DEFAULT_TOP_K,
    n_neighbours: int = DEFAULT_NEIGHBOURS,
    value: str = "auto",
    linkage: str = DEFAULT_LINKAGE,
) -> dict[str, Any]:
    """Similarity of every pair of a scope's words, their groups and nearest neighbours.

    Replaces the (model, scope, method) rows of ``word_similarity`` and ``word_groups`` in
    one transaction.

    Args:
        con: an open attrdb database after ``attrdb divergence``.
        scope: the scope of the divergences.
        model_id: the CNN; default the only registered model.
        method: 'cosine', 'spearman' or 'prime_jaccard' (see the module docstring).
        n_groups: groups the vocabulary is clustered into.
        top_k: prime units compared per word ('prime_jaccard' only).
        n_neighbours: nearest neighbours per word listed in the returned summary.
        value: the divergence compared: 'kl_z' (null-corrected: null standard deviations
            above chance, migration 0011), 'kl' (the paper's raw KL) or 'auto' (kl_z when
            the divergence run stored it for every row, else kl).
        linkage: the clustering's linkage (see :func:`cluster`).

    Returns:
        Summary: model_id, method, the value compared, n_words, n_pairs, the groups (sizes
        and words) and each word's nearest neighbours.

    Raises:
        InputError: an unknown method or model, or a count below 1.
        StateError: divergence has not run for this model and scope, or fewer than two
            words have a profile.
    """
    if method not in METHODS:
        raise InputError(f"--method must be one of {', '.join(METHODS)}, not {method!r}")
    if value not in VALUES:
        raise InputError(f"--value must be one of {', '.join(VALUES)}, not {value!r}")
    if linkage not in LINKAGES:
        raise InputError(f"--linkage must be one of {', '.join(LINKAGES)}, not {linkage!r}")
    if n_groups < 1 or top_k < 1 or n_neighbours < 1:
        raise InputError("--groups, --top-k and --neighbours must be at least 1")
    stages.require(con, "unit_word_divergence", "prime_units")
    model_id = resolve_model(con, model_id)
    base = {"model_id": model_id, "scope": scope}
    n_divergence, n_prime, has_z = query_sql_file(con, "neighbours/exists", base)[0]
    if value == "kl_z" and not has_z:
        raise StateError(f"the divergences of model {model_id!r} in scope {scope!r} have no "
                         "kl_z (null correction); rerun `attrdb divergence` or pass --value kl")
    use_z = value == "kl_z" or (value == "auto" and bool(has_z))
    available = n_prime if method == "prime_jaccard" else n_divergence
    if available < 2:
        raise StateError(
            f"{available} words have divergences for model {model_id!r} in scope {scope!r}; "
            f"neighbours need at least two: {stages.hint('unit_word_divergence')}"
        )
    params = {"model_id": model_id, "method": method, "n_groups": n_groups, "top_k": top_k,
              "value": "kl_z" if use_z else "kl", "linkage": linkage}
    import pyarrow as pa

    with stage_run(con, "neighbours", params, scope=scope) as run:
        bound = {**base, "method": method, "run_id": run.run_id}
        con.begin()
        try:
            if method == "prime_jaccard":
                run_sql_file(con, "neighbours/similarity_prime_jaccard", {**bound, "top_k": top_k})
            else:
                run_sql_file(con, f"neighbours/profiles_{method}", {**base, "use_z": use_z})
                run_sql_file(con, "neighbours/similarity_profiles", bound)
            words, matrix = similarity_matrix(con, model_id, scope, method)
            groups = cluster(words, matrix, n_groups, linkage)
            con.register("neighbour_groups", pa.Table.from_pylist(groups))
            try:
                run_sql_file(con, "neighbours/groups_write", bound)
            finally:
                con.unregister("neighbour_groups")
            con.commit()
        except BaseException:
            con.rollback()
            raise
        members: dict[int, list[str]] = {}
        for g in sorted(groups, key=lambda g: g["leaf_order"]):
            members.setdefault(int(g["group_id"]), []).append(str(g["word"]))
        neighbours = {
            str(word): [str(n) for n in near]
            for word, near, _ in query_sql_file(
                con, "neighbours/summary", {**base, "method": method, "k": n_neighbours})
        }
        run.summary.update(
            model_id=model_id,
            method=method,
            value=params["value"],
            n_words=len(words),
            n_pairs=len(words) * (len(words) - 1),
            groups=[{"group_id": g, "size": len(ws), "words": ws}
                    for g, ws in sorted(members.items())],
            neighbours=neighbours,
        )
        return dict(run.summary)
