"""The visualness stage on the bundled real sample (fixture chain up to ``visualness_db``)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from attrdb.classifiers import query_arrow
from attrdb.connection import connect
from attrdb.sqlfiles import run_sql_file
from attrdb.visualness import run_visualness
from tests.conftest import copy_db

METHODS = ("random", "initial", "resample", "language_prior")


@pytest.fixture(scope="module")
def vis(visualness_db: Path) -> duckdb.DuckDBPyConnection:
    con = connect(visualness_db, read_only=True)
    yield con
    con.close()


def _words(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0] for r in con.execute("SELECT DISTINCT word FROM visualness ORDER BY word").fetchall()
    ]


def test_every_word_has_every_method_with_consistent_counts(vis: duckdb.DuckDBPyConnection) -> None:
    rows = vis.execute(
        "SELECT word, method, accuracy, n_train, n_test, seed, n_units FROM visualness"
    ).fetchall()
    words = _words(vis)
    assert len(words) >= 8
    assert {(r[0], r[1]) for r in rows} == {(w, m) for w in words for m in METHODS}
    classifier_rows = [r for r in rows if r[1] != "language_prior"]
    assert all(r[3] % 2 == 0 and r[4] % 2 == 0 for r in classifier_rows)  # n pos + n neg
    fitted = [r for r in classifier_rows if r[2] is not None]
    assert len(fitted) >= 12
    assert all(0.0 <= r[2] <= 1.0 and r[5] == 0 for r in fitted)
    n_units = vis.execute("SELECT n_units FROM models").fetchall()[0][0]
    assert {r[6] for r in fitted if r[1] != "initial"} == {n_units}
    assert {r[6] for r in fitted if r[1] == "initial"} == {100}
    # A word's random and initial classifiers train on one balanced sample, resample on the
    # most confident half of each side of it (the paper's purification), and all three
    # share one test sample.
    sizes: dict[str, dict[str, tuple[int, int]]] = {}
    for r in fitted:
        sizes.setdefault(r[0], {})[r[1]] = (r[3], r[4])
    for by_method in sizes.values():
        assert len({n_test for _, n_test in by_method.values()}) == 1
        if "random" in by_method and "initial" in by_method:
            assert by_method["random"] == by_method["initial"]
        if "random" in by_method and "resample" in by_method:
            half = max(1, int(by_method["random"][0] // 2 * 0.5 + 0.5))
            assert by_method["resample"][0] == 2 * half


def test_balanced_samples_are_balanced_on_the_sample(visualness_db: Path, tmp_path: Path) -> None:
    con = connect(copy_db(visualness_db, tmp_path, "balanced.duckdb"))
    words = _words(con)
    model = con.execute("SELECT model_id FROM models").fetchall()[0][0]
    run_sql_file(
        con, "visualness/universe", {"model_id": model, "scope": "default", "words": words}
    )
    drawn = query_arrow(
        con, "visualness/balanced_samples", {"words": words, "seed": 0, "max_per_class": 1000}
    )
    con.register("drawn", drawn)
    per_class = con.execute(
        "SELECT d.word, d.split, count(*) FILTER (WHERE d.label) AS n_pos, "
        "count(*) FILTER (WHERE NOT d.label) AS n_neg, "
        "count(*) FILTER (WHERE d.label <> (wp.product_id IS NOT NULL)) AS mislabelled, "
        "count(*) FILTER (WHERE u.split <> d.split) AS wrong_split, "
        "count(DISTINCT d.row_idx) = count(*) AS distinct_rows "
        "FROM drawn AS d JOIN visualness_universe AS u ON u.row_idx = d.row_idx "
        "LEFT JOIN word_products AS wp ON wp.scope = 'default' AND wp.word = d.word "
        "AND wp.product_id = u.product_id GROUP BY ALL"
    ).fetchall()
    assert per_class and all(r[2] == r[3] and r[4] == 0 and r[5] == 0 and r[6] for r in per_class)
    stored = dict(
        con.execute(
            "SELECT word, n_train FROM visualness WHERE method = 'random' AND accuracy IS NOT NULL"
        ).fetchall()
    )
    drawn_train = {r[0]: r[2] + r[3] for r in per_class if r[1] == "train"}
    assert all(drawn_train[w] == n for w, n in stored.items())
    resampled = query_arrow(
        con,
        "visualness/resample_train",
        {"model_id": model, "scope": "default", "words": list(stored), "max_per_class": 1000,
         "resample_keep": 0.5},
    ).to_pylist()
    for word, n_train in stored.items():
        labels = [r["label"] for r in resampled if r["word"] == word]
        kept = max(1, int(n_train // 2 * 0.5 + 0.5))  # the same share of each side
        assert len(labels) == 2 * kept and sum(labels) == kept
    con.close()


def test_a_fixed_seed_reproduces_everything(visualness_db: Path, tmp_path: Path) -> None:
    con = connect(copy_db(visualness_db, tmp_path, "again.duckdb"))
    words = [
        r[0]
        for r in con.execute(
            "SELECT word FROM visualness WHERE method = 'resample' AND accuracy IS NOT NULL "
            "ORDER BY word LIMIT 3"
        ).fetchall()
    ]
    query = (
        "SELECT word, method, product_id, score FROM predictions WHERE list_contains(?, word) "
        "ORDER BY ALL"
    )
    accuracies = (
        "SELECT word, method, accuracy FROM visualness WHERE list_contains(?, word) ORDER BY ALL"
    )
    before = con.execute(query, [words]).fetchall(), con.execute(accuracies, [words]).fetchall()
    summary = run_visualness(con, words=words, jobs=1, force=True, progress=False,
                             methods=list(METHODS))
    after = con.execute(query, [words]).fetchall(), con.execute(accuracies, [words]).fetchall()
    con.close()
    assert summary["n_fitted"] == 3 * len(words)
    assert after == before


def test_predictions_cover_the_universe_and_match_the_stored_classifiers(
    vis: duckdb.DuckDBPyConnection,
) -> None:
    n_universe = vis.execute(
        "SELECT count(*) FROM scope_products AS sp JOIN splits USING (product_id) "
        "JOIN activation_vectors AS v USING (product_id) WHERE sp.scope = 'default'"
    ).fetchall()[0][0]
    per_classifier = vis.execute(
        "SELECT c.word, c.method, count(p.product_id), max(abs(p.score - classifier_score("
        "v.vals, c.unit_ids, c.coef, c.intercept, c.mean, c.scale))) "
        "FROM classifiers AS c JOIN predictions AS p USING (model_id, scope, word, method) "
        "JOIN activation_vectors AS v USING (model_id, product_id) "
        "WHERE c.method IN ('initial', 'resample') GROUP BY ALL"
    ).fetchall()
    assert per_classifier
    assert all(r[2] == n_universe and r[3] < 1e-9 for r in per_classifier)


def test_purifier_examples_rank_by_confidence(vis: duckdb.DuckDBPyConnection) -> None:
    # The most visual word with at least 20 images in D+ and in D-, so the four kinds of
    # ten images each cannot overlap.
    word = vis.execute(
        "SELECT v.word FROM visualness AS v "
        "JOIN purifier_ranked AS r USING (model_id, scope, word, method) "
        "WHERE v.method = 'resample' AND v.accuracy IS NOT NULL GROUP BY v.word, v.accuracy "
        "HAVING count(*) FILTER (WHERE r.subset = 'D+') >= 20 "
        "AND count(*) FILTER (WHERE r.subset = 'D-') >= 20 "
        "ORDER BY v.accuracy DESC, v.word LIMIT 1"
    ).fetchall()[0][0]
    rows = vis.execute(
        "SELECT kind, kind_rank, subset, score, product_id IN (SELECT product_id FROM "
        "word_products WHERE word = ?) AS in_dplus FROM purifier_examples "
        "WHERE word = ? AND method = 'resample' ORDER BY kind, kind_rank",
        [word, word],
    ).fetchall()
    kinds: dict[str, list[tuple]] = {}
    for r in rows:
        kinds.setdefault(r[0], []).append(r)
    assert set(kinds) == {
        "confident positive",
        "likely false positive",
        "confident negative",
        "likely false negative",
    }
    assert all(len(v) == 10 for v in kinds.values())
    assert all(r[4] == (r[2] == "D+") for r in rows)
    scores = {k: [r[3] for r in v] for k, v in kinds.items()}
    assert scores["confident positive"] == sorted(scores["confident positive"], reverse=True)
    assert scores["confident negative"] == sorted(scores["confident negative"])
    assert min(scores["confident positive"]) >= max(scores["likely false positive"])
    assert max(scores["confident negative"]) <= min(scores["likely false negative"])


def test_language_prior_scores_every_word_from_the_text(vis: duckdb.DuckDBPyConnection) -> None:
    rows = vis.execute(
        "SELECT v.word, v.accuracy, v.n_train, v.n_test, lp.n_occurrences, lp.n_modifying "
        "FROM visualness AS v LEFT JOIN language_prior AS lp USING (scope, word) "
        "WHERE v.method = 'language_prior'"
    ).fetchall()
    assert rows and all(r[1] is not None and 0.0 <= r[1] <= 1.0 for r in rows)
    assert all(r[2] == r[4] and r[3] == r[5] and r[1] == pytest.approx(r[5] / r[4]) for r in rows)
    nouns = vis.execute("SELECT count(*) FROM language_prior_nouns").fetchall()[0][0]
    assert nouns == 50
