"""Category-matched negatives: KL reweighting (numpy oracle, constructed cases), matched
samples on the real sample, category-bound words."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from attrdb.connection import connect
from attrdb.context.matched import SAMPLE_FILES, prepare_matched_samples
from attrdb.context.scopes import ScopeDefinition, define_scope, scope_definition
from attrdb.divergence import DivergenceParams, run_divergence
from attrdb.sqlfiles import query_sql_file, run_sql_file
from tests.conftest import copy_db, memory_copy

MODEL = "toy"
N_BINS = 8
SMOOTHING = 0.01


def _load_toy(
    con: duckdb.DuckDBPyConnection,
    acts: np.ndarray,
    categories: list[str],
    words: dict[str, list[int]],
    scopes: dict[str, ScopeDefinition],
    shops: list[str] | None = None,
) -> list[str]:
    """A constructed catalogue, every product in the train split, one vocabulary per scope."""
    ids = [f"p{i:04d}" for i in range(len(acts))]
    shop_of = shops or [None] * len(ids)
    con.execute(
        "INSERT INTO models (model_id, name, weights, weights_sha256, input_size, n_units) "
        "VALUES (?, 'constructed', 'none', 'none', 224, ?)", [MODEL, acts.shape[1]],
    )
    con.executemany(
        "INSERT INTO products (product_id, category, shop, source, source_row) "
        "VALUES (?, ?, ?, 'toy', ?)",
        [[p, c, s, i] for i, (p, c, s) in enumerate(zip(ids, categories, shop_of, strict=True))],
    )
    con.register("toy_vectors", pa.table({
        "product_id": ids, "vals": pa.array(acts.tolist(), pa.list_(pa.float32())),
    }))
    con.execute("INSERT INTO activation_vectors SELECT ?, product_id, vals FROM toy_vectors",
                [MODEL])
    con.unregister("toy_vectors")
    con.executemany("INSERT INTO splits VALUES (?, 'train')", [[p] for p in ids])
    for scope, definition in scopes.items():
        if scope == "default":  # its definition is fixed for users; tests state it
            con.execute("UPDATE scopes SET definition = ? WHERE scope = 'default'",
                        [definition.to_json()])
        else:
            define_scope(con, scope, definition)
        con.executemany("INSERT INTO scope_products VALUES (?, ?)", [[scope, p] for p in ids])
        for rank, (word, members) in enumerate(sorted(words.items()), start=1):
            con.execute(
                "INSERT INTO vocabulary (scope, word, n_products, n_kind, rank, kind) "
                "VALUES (?, ?, ?, ?, ?, 'adjective')", [scope, word, len(members),
                                                        len(members), rank],
            )
            con.executemany("INSERT INTO word_products VALUES (?, ?, ?)",
                            [[scope, word, ids[i]] for i in members])
    return ids


KL = dict[tuple[str, int], tuple[float, int, int]]
Toy = tuple[duckdb.DuckDBPyConnection, np.ndarray, np.ndarray, dict[str, list[int]]]


def _kl(con: duckdb.DuckDBPyConnection, scope: str) -> KL:
    rows = con.execute(
        "SELECT word, unit_id, kl, n_pos, n_neg FROM unit_word_divergence "
        "WHERE model_id = ? AND scope = ?", [MODEL, scope],
    ).fetchall()
    return {(w, u): (kl, p, n) for w, u, kl, p, n in rows}


def _oracle(values: np.ndarray, edges: np.ndarray, positive: np.ndarray,
            categories: np.ndarray, groups: np.ndarray | None = None,
            prior: float = 0.0) -> tuple[float, int, int]:
    """Matched KL of one unit by the formula: P- = sum_c pi+(c) hist_{-,c} / n_{-,c}; with a
    prior a, each stratum c's negatives shrunk towards those of its group g:
    P- = sum_c pi+(c) (hist_{-,c} + a hist_{-,g} / n_{-,g}) / (n_{-,c} + a)."""
    groups = categories if groups is None else groups
    matched = [c for c in np.unique(categories)
               if (positive & (categories == c)).any() and (~positive & (categories == c)).any()]
    pos = positive & np.isin(categories, matched)
    p = np.histogram(values[pos], bins=edges)[0] / pos.sum()
    q = np.zeros(len(edges) - 1)
    n_neg = 0
    for c in matched:
        neg_c = ~positive & (categories == c)
        neg_g = ~positive & (groups == groups[categories == c][0])
        share = (positive & (categories == c)).sum() / pos.sum()
        q += share * (
            np.histogram(values[neg_c], bins=edges)[0]
            + prior * np.histogram(values[neg_g], bins=edges)[0] / neg_g.sum()
        ) / (neg_c.sum() + prior)
        n_neg += int(neg_c.sum())
    p = (1 - SMOOTHING) * p + SMOOTHING / len(p)
    q = (1 - SMOOTHING) * q + SMOOTHING / len(q)
    return float(np.sum((p - q) * np.log(p / q))), int(pos.sum()), n_neg


@pytest.fixture
def toy(empty_db: Path) -> Iterator[Toy]:
    """Three categories; 'shirtish' favours category a, 'allshoe' is every product of c
    (unmatched there), 'noise' is random."""
    rng = np.random.default_rng(3)
    n = 150
    categories = np.array(["a"] * 60 + ["b"] * 50 + ["c"] * 40)
    acts = rng.gamma(2.0, 1.0, (n, 6)).astype(np.float32)
    acts[:, 0] = 0.0  # a constant unit
    words = {
        "shirtish": [i for i in range(n) if (categories[i] == "a" and i % 3 != 0) or i % 7 == 0],
        "allshoe": [i for i in range(n) if categories[i] == "c" or i % 11 == 0],
        "noise": [i for i in range(n) if rng.random() < 0.4],
    }
    con = memory_copy(empty_db)
    _load_toy(con, acts, list(categories), words, {
        "default": ScopeDefinition(negatives="random"),  # plain: the paper
        "matched": ScopeDefinition(negatives="category_matched"),
    })
    yield con, acts, categories, words
    con.close()


def test_matched_kl_equals_the_reweighting_formula(toy: Toy) -> None:
    con, acts, categories, words = toy
    summary = run_divergence(con, scope="matched", n_bins=N_BINS, smoothing=SMOOTHING,
                             progress=False)
    assert summary["category_matched"]["n_words"] == 3
    got = _kl(con, "matched")
    edges = {u: np.array(e) for u, e in con.execute(
        "SELECT unit_id, edges FROM unit_bins WHERE scope = 'matched'").fetchall()}
    for word, members in words.items():
        positive = np.zeros(len(acts), dtype=bool)
        positive[members] = True
        for unit in range(1, acts.shape[1]):
            expected = _oracle(acts[:, unit].astype(np.float64), edges[unit], positive,
                               categories)
            kl, n_pos, n_neg = got[(word, unit)]
            assert kl == pytest.approx(expected[0], rel=1e-9, abs=1e-12)
            assert (n_pos, n_neg) == expected[1:]
        assert got[(word, 0)][0] == 0.0  # constant unit


def test_shrunk_strata_equal_the_prior_formula(empty_db: Path) -> None:
    # Two categories in three shops of very different sizes: a stratum with two negatives
    # must not decide P- alone. Every word and unit equals the numpy formula with the prior,
    # and a prior of 0 gives the unshrunk reweighting.
    rng = np.random.default_rng(7)
    sizes = {("a", "s1"): 60, ("a", "s2"): 12, ("a", "s3"): 4,
             ("b", "s1"): 40, ("b", "s2"): 30, ("b", "s3"): 9}
    categories = np.array([c for (c, _), n in sizes.items() for _ in range(n)])
    shops = [s for (_, s), n in sizes.items() for _ in range(n)]
    strata = np.array([f"{c}|{s}" for c, s in zip(categories, shops, strict=True)])
    n = len(categories)
    acts = rng.gamma(2.0, 1.0, (n, 5)).astype(np.float32)
    acts[categories == "a", 1] += 2.0  # a category signal the matching must remove
    words = {
        "bright": [i for i in range(n) if rng.random() < (0.7 if categories[i] == "a" else 0.2)],
        "thin": [i for i in range(n) if rng.random() < 0.35],
        # every product of stratum a|s3 has it: unmatched there
        "dotted": [i for i in range(n) if strata[i] == "a|s3" or rng.random() < 0.3],
    }
    con = memory_copy(empty_db)
    try:
        _load_toy(con, acts, list(categories), words, {
            "default": ScopeDefinition(negatives="random"),  # plain: the paper
            "shops": ScopeDefinition(negatives="category_matched", match_shop=True),
        }, shops=shops)
        edges = {}
        for prior in (20.0, 0.0):
            run_divergence(con, scope="shops", n_bins=N_BINS, smoothing=SMOOTHING,
                           negative_prior=prior, progress=False)
            got = _kl(con, "shops")
            edges = edges or {u: np.array(e) for u, e in con.execute(
                "SELECT unit_id, edges FROM unit_bins WHERE scope = 'shops'").fetchall()}
            for word, members in words.items():
                positive = np.zeros(n, dtype=bool)
                positive[members] = True
                for unit in range(acts.shape[1]):
                    expected = _oracle(acts[:, unit].astype(np.float64), edges[unit], positive,
                                       strata, categories, prior)
                    kl, n_pos, n_neg = got[(word, unit)]
                    assert kl == pytest.approx(expected[0], rel=1e-9, abs=1e-12), (prior, word)
                    assert (n_pos, n_neg) == expected[1:]
            if prior:
                shrunk = got
        assert any(abs(shrunk[k][0] - got[k][0]) > 1e-3 for k in got)
    finally:
        con.close()


def test_matching_removes_a_pure_category_signal(empty_db: Path) -> None:
    # Within each category the word's images look exactly like the others (every vector
    # is there once as a positive and once, or eight times, as a negative), but the word is
    # commoner in category a, whose images differ. Random negatives see a divergence that
    # is only the category's; matched negatives see none.
    rng = np.random.default_rng(11)
    base_a = rng.gamma(2.0, 1.0, (20, 3)) + np.array([3.0, 0.0, 0.0])
    base_b = rng.gamma(2.0, 1.0, (5, 3))
    acts = np.vstack([base_a, base_a, base_b] + [base_b] * 8).astype(np.float32)
    categories = ["a"] * 40 + ["b"] * 45
    words = {"shirtish": list(range(20)) + list(range(40, 45))}
    con = memory_copy(empty_db)
    try:
        _load_toy(con, acts, categories, words, {
            "default": ScopeDefinition(negatives="random"),  # plain: the paper
            "matched": ScopeDefinition(negatives="category_matched"),
        })
        run_divergence(con, scope="default", n_bins=N_BINS, smoothing=SMOOTHING,
                       progress=False)
        run_divergence(con, scope="matched", n_bins=N_BINS, smoothing=SMOOTHING,
                       progress=False)
        plain, matched = _kl(con, "default"), _kl(con, "matched")
    finally:
        con.close()
    assert plain[("shirtish", 0)][0] > 0.5
    assert all(abs(v[0]) < 1e-12 for v in matched.values())
    assert matched[("shirtish", 0)][1:] == (25, 60)


def test_unmatched_positives_are_counted_and_left_out(toy: Toy) -> None:
    con, _, categories, words = toy
    run_divergence(con, scope="matched", n_bins=N_BINS, smoothing=SMOOTHING, progress=False)
    row = con.execute(
        "SELECT n_pos, n_pos_unmatched, n_neg, n_categories, kept FROM matched_coverage "
        "WHERE scope = 'matched' AND word = 'allshoe'").fetchall()[0]
    in_c = sum(1 for i in words["allshoe"] if categories[i] == "c")
    assert in_c == (categories == "c").sum()  # every product of c has the word
    assert row == (len(words["allshoe"]) - in_c, in_c,
                   int((categories != "c").sum()) - (len(words["allshoe"]) - in_c), 2, True)


def test_one_category_gives_the_plain_kl(empty_db: Path) -> None:
    rng = np.random.default_rng(5)
    acts = rng.gamma(2.0, 1.0, (80, 4)).astype(np.float32)
    words = {"x": [i for i in range(80) if i % 3 == 0], "y": list(range(0, 80, 2))}
    con = memory_copy(empty_db)
    try:
        _load_toy(con, acts, ["one"] * 80, words, {
            "default": ScopeDefinition(negatives="random"),  # plain: the paper
            "matched": ScopeDefinition(negatives="category_matched"),
        })
        run_divergence(con, scope="default", n_bins=N_BINS, progress=False)
        run_divergence(con, scope="matched", n_bins=N_BINS, progress=False)
        plain, matched = _kl(con, "default"), _kl(con, "matched")
        assert plain.keys() == matched.keys()
        for key, (kl, n_pos, n_neg) in plain.items():
            assert matched[key][0] == pytest.approx(kl, rel=1e-9, abs=1e-12)
            assert matched[key][1:] == (n_pos, n_neg)
    finally:
        con.close()


def test_matched_kl_on_the_sample_matches_numpy(context_db: Path) -> None:
    con = connect(context_db, read_only=True)
    try:
        rows = con.execute(
            "SELECT sp.product_id, coalesce(p.category, ''), a.vals FROM scope_products AS sp "
            "JOIN splits AS s ON s.product_id = sp.product_id "
            "AND list_contains(string_split(?, '+'), s.split) "
            "JOIN activation_vectors AS a ON a.product_id = sp.product_id "
            "JOIN products AS p ON p.product_id = sp.product_id "
            "WHERE sp.scope = 'matched' ORDER BY sp.product_id",
            [DivergenceParams().split]).fetchall()
        ids = {r[0]: i for i, r in enumerate(rows)}
        categories = np.array([r[1] for r in rows])
        acts = np.array([r[2] for r in rows], dtype=np.float64)
        units = list(range(0, acts.shape[1], 211))
        edges = {u: (np.array(e), c) for u, e, c in con.execute(
            "SELECT unit_id, edges, constant FROM unit_bins WHERE scope = 'matched' "
            "AND list_contains(?, unit_id)", [units]).fetchall()}
        got = {(w, u): (kl, p, n) for w, u, kl, p, n in con.execute(
            "SELECT word, unit_id, kl, n_pos, n_neg FROM unit_word_divergence "
            "WHERE scope = 'matched' AND list_contains(?, unit_id)", [units]).fetchall()}
        members: dict[str, list[int]] = {}
        for word, product in con.execute(
                "SELECT word, product_id FROM word_products WHERE scope = 'matched'").fetchall():
            if product in ids:
                members.setdefault(word, []).append(ids[product])
    finally:
        con.close()
    checked = 0
    for word in sorted({w for w, _ in got})[:25]:
        positive = np.zeros(len(rows), dtype=bool)
        positive[members[word]] = True
        for unit in units:
            unit_edges, constant = edges[unit]
            kl, n_pos, n_neg = got[(word, unit)]
            if constant:
                assert kl == 0.0
                continue
            expected = _oracle(acts[:, unit], unit_edges, positive, categories)
            assert kl == pytest.approx(expected[0], rel=1e-9, abs=1e-12), (word, unit)
            assert (n_pos, n_neg) == expected[1:]
            checked += 1
    assert checked > 100


def test_matched_samples_hold_each_category_equally(context_db: Path, tmp_path: Path) -> None:
    con = connect(copy_db(context_db, tmp_path, "samples.duckdb"))
    try:
        definition = scope_definition(con, "matched")
        words = [r[0] for r in con.execute(
            "SELECT word FROM vocabulary WHERE scope = 'matched' ORDER BY rank LIMIT 12"
        ).fetchall()]
        run_sql_file(con, "visualness/universe",
                     {"model_id": "efficientnet_lite0", "scope": "matched", "words": words})
        balanced, resample = prepare_matched_samples(con, definition)
        assert (balanced, resample) == SAMPLE_FILES["category_matched"]
        drawn = query_sql_file(con, balanced, {"words": words, "seed": 0, "max_per_class": 40})
        con.register("drawn", pa.table({
            "word": [r[0] for r in drawn], "split": [r[1] for r in drawn],
            "row_idx": [r[2] for r in drawn], "label": [r[3] for r in drawn],
        }))
        per_category = con.execute(
            "SELECT d.word, d.split, c.category, count(*) FILTER (WHERE d.label), "
            "count(*) FILTER (WHERE NOT d.label) FROM drawn AS d "
            "JOIN visualness_categories AS c ON c.row_idx = d.row_idx GROUP BY ALL"
        ).fetchall()
        # Labels agree with D+ (visualness_positives) and every class is balanced per category.
        wrong = con.execute(
            "SELECT count(*) FROM drawn AS d LEFT JOIN visualness_positives AS p "
            "ON p.word = d.word AND p.row_idx = d.row_idx WHERE d.label <> (p.row_idx IS NOT NULL)"
        ).fetchall()[0][0]
        sizes = con.execute(
            "SELECT max(n) FROM (SELECT word, split, count(*) AS n FROM drawn "
            "WHERE label GROUP BY ALL)").fetchall()[0][0]
    finally:
        con.close()
    assert wrong == 0 and sizes <= 40
    assert len({r[2] for r in per_category}) > 5
    assert all(r[3] == r[4] for r in per_category)


def test_random_negatives_do_not_match_categories(context_db: Path) -> None:
    # The control: the paper's random D- has another category mix than D+ on the sample.
    con = connect(context_db, read_only=True)
    try:
        top_share_pos, top_share_neg = con.execute(
            "WITH pos AS (SELECT p.category, count(*) AS n FROM word_products AS wp "
            "JOIN products AS p USING (product_id) WHERE wp.scope = 'default' AND wp.word = "
            "'formal' GROUP BY ALL), neg AS (SELECT p.category, count(*) AS n FROM "
            "scope_products AS sp JOIN products AS p USING (product_id) WHERE sp.scope = "
            "'default' AND sp.product_id NOT IN (SELECT product_id FROM word_products WHERE "
            "scope = 'default' AND word = 'formal') GROUP BY ALL) "
            "SELECT (SELECT max(n) / sum(n) FROM pos), (SELECT n / (SELECT sum(n) FROM neg) "
            "FROM neg WHERE category = (SELECT category FROM pos ORDER BY n DESC LIMIT 1))"
        ).fetchall()[0]
    finally:
        con.close()
    assert top_share_pos > 2 * top_share_neg


def test_category_bound_words_follow_their_positives(context_db: Path) -> None:
    con = connect(context_db, read_only=True)
    try:
        stored = {r[0]: r[1:] for r in con.execute(
            "SELECT word, n_products, n_categories, top_category, top_share, bound "
            "FROM category_bound_words WHERE scope = 'default'").fetchall()}
        pairs = con.execute(
            "SELECT wp.word, p.category FROM word_products AS wp JOIN products AS p "
            "USING (product_id) WHERE wp.scope = 'default'").fetchall()
        flagged = con.execute(
            "SELECT count(*) FROM visualness_context WHERE category_bound").fetchall()[0][0]
    finally:
        con.close()
    by_word: dict[str, dict[str | None, int]] = {}
    for word, category in pairs:
        counts = by_word.setdefault(word, {})
        counts[category] = counts.get(category, 0) + 1
    assert stored.keys() == by_word.keys()
    for word, counts in by_word.items():
        n = sum(counts.values())
        top = max(counts.values())
        n_products, n_categories, top_category, top_share, bound = stored[word]
        assert (n_products, n_categories) == (n, len(counts))
        assert counts[top_category] == top and top_share == pytest.approx(top / n)
        assert bound == (top / n >= 0.9)
    assert any(b[-1] for b in stored.values()) and not all(b[-1] for b in stored.values())
    assert flagged == 0  # no visualness ran on the fixture's scopes

