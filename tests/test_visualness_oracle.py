"""Visualness SQL and classifier math against numpy / scikit-learn on small constructed tables.

The tables are built here (products, splits, activations, D+ memberships, prime units,
tokens) so each quantity has an independent reference; the same stage also runs on the
bundled sample in test_visualness_sample.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from attrdb.classifiers import (
    Hyperparameters,
    balanced_accuracy,
    fit_classifier,
    load_features,
    query_arrow,
)
from attrdb.cli import app, main
from attrdb.connection import connect
from attrdb.errors import InputError, StateError
from attrdb.sqlfiles import run_sql_file
from attrdb.visualness import VisualnessConfig, run_visualness
from tests.conftest import copy_db, use_paper_default_scope

N_PRODUCTS = 320
N_UNITS = 24
# word -> the units its images excite (None: a word with no visual signal)
WORDS = {"red": (0, 5), "striped": (1, 6), "free": None, "new": None, "rare": (2, 7)}
CONFIG = VisualnessConfig(n_prime=6, min_train_pos=8, min_test_pos=4)
ACCURACIES = "SELECT word, method, accuracy, n_train, n_test FROM visualness ORDER BY ALL"
PREDICTIONS = "SELECT word, method, product_id, score FROM predictions ORDER BY ALL"


def build_catalogue(con: duckdb.DuckDBPyConnection, seed: int = 7) -> dict[str, object]:
    """Fill the stage's input tables with a small synthetic catalogue; return its truth."""
    rng = np.random.default_rng(seed)
    ids = [f"p{i:04d}" for i in range(N_PRODUCTS)]
    features = rng.normal(size=(N_PRODUCTS, N_UNITS)).astype(np.float32)
    members: dict[str, np.ndarray] = {}
    for word, units in WORDS.items():
        share = 0.04 if word == "rare" else 0.25
        member = rng.random(N_PRODUCTS) < share
        if units is not None:
            features[np.ix_(member, units)] += 2.0
        members[word] = member
    split = rng.choice(["train", "test", "val"], size=N_PRODUCTS, p=[0.6, 0.3, 0.1])
    con.execute(
        "INSERT INTO models (model_id, name, weights, weights_sha256, input_size, n_units) "
        "VALUES ('toy', 'toy', 'none', 'none', 8, ?)",
        [N_UNITS],
    )
    con.execute(
        "INSERT INTO units (model_id, unit_id, layer, layer_index, channel) "
        "SELECT 'toy', i, 'layer' || (i // 12), i // 12, i % 12 FROM range(?) t(i)",
        [N_UNITS],
    )
    con.register(
        "toy_products",
        pa.table(
            {
                "product_id": ids,
                "split": split,
                "vals": pa.array(list(features), pa.list_(pa.float32())),
            }
        ),
    )
    # Two product types; "red" is more common among shirts, so random negatives differ from
    # its positives in type as well (what category-matched negatives correct).
    con.execute(
        "INSERT INTO products (product_id, category, source, source_row) "
        "SELECT product_id, CASE WHEN row_number() OVER (ORDER BY product_id) % 3 = 0 "
        "THEN 'shoe' ELSE 'shirt' END, 'toy', row_number() OVER (ORDER BY product_id) "
        "FROM toy_products"
    )
    con.execute(
        "INSERT INTO activation_vectors (model_id, product_id, vals) "
        "SELECT 'toy', product_id, vals FROM toy_products"
    )
    con.execute("INSERT INTO splits (product_id, split) SELECT product_id, split FROM toy_products")
    # One product of the scope has no activations: it must stay out of every sample.
    con.execute(
        "INSERT INTO scope_products (scope, product_id) "
        "SELECT 'default', product_id FROM toy_products"
    )
    con.execute("INSERT INTO scope_products (scope, product_id) VALUES ('default', 'no_image')")
    con.execute("INSERT INTO splits (product_id, split) VALUES ('no_image', 'train')")
    rows = [(w, ids[i]) for w, m in members.items() for i in np.flatnonzero(m)]
    rows.append(("red", "no_image"))
    con.register("toy_wp", pa.table({"word": [r[0] for r in rows], "pid": [r[1] for r in rows]}))
    con.execute(
        "INSERT INTO word_products (scope, word, product_id) "
        "SELECT 'default', word, pid FROM toy_wp"
    )
    con.execute(
        "INSERT INTO vocabulary (scope, word, n_products, n_kind, rank, kind) "
        "SELECT 'default', word, count(*), count(*), "
        "row_number() OVER (ORDER BY count(*) DESC, word), 'adjective' FROM toy_wp GROUP BY word"
    )
    # Prime units: the word's own units first, then the others in a fixed order.
    prime = []
    for word, units in WORDS.items():
        order = list(units or ()) + [u for u in range(N_UNITS) if u not in (units or ())]
        prime += [(word, u, rank + 1) for rank, u in enumerate(order)]
    con.register(
        "toy_prime",
        pa.table(
            {"word": [p[0] for p in prime], "u": [p[1] for p in prime], "r": [p[2] for p in prime]}
        ),
    )
    con.execute(
        "INSERT INTO prime_units (model_id, scope, word, unit_id, rank, kl) "
        "SELECT 'toy', 'default', word, u, r, 1.0 / r FROM toy_prime"
    )
    for name in ("toy_products", "toy_wp", "toy_prime"):
        con.unregister(name)
    return {"ids": ids, "features": features, "members": members, "split": split}


@pytest.fixture
def toy(con: duckdb.DuckDBPyConnection) -> Iterator[tuple[duckdb.DuckDBPyConnection, dict]]:
    truth = build_catalogue(con)
    yield con, truth


@pytest.fixture(scope="module")
def toy_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file database with the toy catalogue and one visualness run (defaults)."""
    path = tmp_path_factory.mktemp("toy") / "toy.duckdb"
    con = connect(path, create=True)
    build_catalogue(con)
    run_visualness(con, config=CONFIG, jobs=1, progress=False, methods=["random", "resample"])
    con.close()
    return path


def _universe(con: duckdb.DuckDBPyConnection, words: list[str]) -> None:
    params = {"model_id": "toy", "scope": "default", "words": words}
    run_sql_file(con, "visualness/universe", params)


def test_balanced_samples_are_balanced_disjoint_and_seeded(toy) -> None:
    con, truth = toy
    words = list(WORDS)
    _universe(con, words)
    ids = truth["ids"]

    def sample(seed: int, cap: int | None) -> dict:
        table = query_arrow(
            con, "visualness/balanced_samples", {"words": words, "seed": seed, "max_per_class": cap}
        ).to_pylist()
        uni = dict(con.execute("SELECT row_idx, product_id FROM visualness_universe").fetchall())
        out: dict = {}
        for row in table:
            key = (row["word"], row["split"])
            out.setdefault(key, []).append((uni[row["row_idx"]], row["label"]))
        return out

    drawn = sample(0, None)
    for word in words:
        member = truth["members"][word]
        for split in ("train", "test"):
            in_split = truth["split"] == split
            n_pos, n_neg = int((member & in_split).sum()), int((~member & in_split).sum())
            rows = drawn[(word, split)]
            pos = [p for p, label in rows if label]
            neg = [p for p, label in rows if not label]
            assert len(pos) == len(neg) == min(n_pos, n_neg)
            assert all(member[ids.index(p)] and truth["split"][ids.index(p)] == split for p in pos)
            assert not any(member[ids.index(p)] for p in neg)
            assert len(set(pos) | set(neg)) == len(rows)  # no product twice
            assert "no_image" not in pos
    assert sample(0, None) == drawn  # same seed, same sample
    other = sample(1, None)
    assert other[("red", "train")] != drawn[("red", "train")]
    capped = sample(0, 5)
    for rows in capped.values():
        n_pos = sum(label for _, label in rows)
        assert n_pos <= 5 and len(rows) == 2 * n_pos
    assert sum(label for _, label in capped[("red", "train")]) == 5


def test_resample_keeps_the_most_confident_of_each_set(toy) -> None:
    con, truth = toy
    _universe(con, ["red"])
    rng = np.random.default_rng(3)
    ids, member, split = truth["ids"], truth["members"]["red"], truth["split"]
    scores = rng.random(N_PRODUCTS)
    con.register("fake", pa.table({"product_id": ids, "score": scores}))
    con.execute(
        "INSERT INTO predictions "
        "SELECT 'toy', 'default', 'red', 'initial', product_id, score FROM fake"
    )
    got = query_arrow(
        con,
        "visualness/resample_train",
        {"model_id": "toy", "scope": "default", "words": ["red"], "max_per_class": None,
         "resample_keep": 0.5},
    ).to_pylist()
    uni = dict(con.execute("SELECT row_idx, product_id FROM visualness_universe").fetchall())
    train = split == "train"
    # The paper: the same share of each side, so doubtful positives are dropped too.
    balanced = min(int((member & train).sum()), int((~member & train).sum()))
    n = max(1, int(np.floor(0.5 * balanced + 0.5)))
    assert n < int((member & train).sum())
    pos_idx = np.flatnonzero(member & train)
    neg_idx = np.flatnonzero(~member & train)
    want_pos = {ids[i] for i in pos_idx[np.argsort(-scores[pos_idx])][:n]}
    want_neg = {ids[i] for i in neg_idx[np.argsort(scores[neg_idx])][:n]}
    assert {uni[r["row_idx"]] for r in got if r["label"]} == want_pos
    assert {uni[r["row_idx"]] for r in got if not r["label"]} == want_neg


def test_load_features_flattens_the_activation_vectors(toy) -> None:
    con, truth = toy
    _universe(con, ["red"])
    matrix = load_features(con, "toy")
    assert matrix.dtype == np.float32 and matrix.shape == (N_PRODUCTS, N_UNITS)
    np.testing.assert_array_equal(matrix, truth["features"])  # ids sort like row_idx


def test_classifier_matches_a_scikit_learn_pipeline() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 12)).astype(np.float32)
    y = (x[:, 3] + 0.5 * rng.normal(size=200) > 0).astype(np.int8)
    rows, units = np.arange(0, 200, 2), np.array([3, 0, 7])
    clf = fit_classifier(x, rows, y[rows], units, Hyperparameters(C=0.5))
    reference = make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=1000))
    x64 = x.astype(np.float64)
    reference.fit(x64[np.ix_(rows, units)], y[rows])
    np.testing.assert_allclose(
        clf.score(x), reference.predict_proba(x64[:, units])[:, 1], atol=1e-9
    )
    test = np.arange(1, 200, 2)
    assert balanced_accuracy(clf.score(x)[test], y[test]) == pytest.approx(
        balanced_accuracy_score(y[test], reference.predict(x64[np.ix_(test, units)]))
    )


def test_stored_classifiers_reproduce_predictions_in_sql(toy_db: Path) -> None:
    con = connect(toy_db, read_only=True)
    worst = con.execute(
        "SELECT max(abs(p.score - classifier_score(v.vals, c.unit_ids, c.coef, c.intercept, "
        "c.mean, c.scale))), count(*) FROM predictions AS p "
        "JOIN classifiers AS c USING (model_id, scope, word, method) "
        "JOIN activation_vectors AS v USING (model_id, product_id)"
    ).fetchall()[0]
    methods = {r[0] for r in con.execute("SELECT DISTINCT method FROM classifiers").fetchall()}
    prime = con.execute(
        "SELECT unit_ids FROM classifiers WHERE word = 'red' AND method = 'initial'"
    ).fetchall()[0][0]
    con.close()
    assert worst[0] < 1e-9 and worst[1] == 3 * 4 * N_PRODUCTS  # 4 fitted words, 3 methods
    assert methods == {"random", "initial", "resample"}  # resample brings initial along
    assert prime[:2] == [0, 5] and len(prime) == CONFIG.n_prime


def test_every_word_gets_a_row_and_rare_words_stay_null(toy_db: Path) -> None:
    con = connect(toy_db, read_only=True)
    rows = con.execute(
        "SELECT word, method, accuracy, n_train, n_test, seed, params FROM visualness "
        "ORDER BY word, method"
    ).fetchall()
    con.close()
    methods = ("random", "initial", "resample")
    assert {(r[0], r[1]) for r in rows} == {(w, m) for w in WORDS for m in methods}
    rare = [r for r in rows if r[0] == "rare"]
    assert all(r[2] is None for r in rare)
    fitted = {(r[0], r[1]): r[2] for r in rows if r[0] != "rare"}
    assert all(0.0 <= a <= 1.0 for a in fitted.values())
    # The words with a planted signal are far more visual than those without.
    for visual in ("red", "striped"):
        for plain in ("free", "new"):
            assert fitted[(visual, "resample")] > fitted[(plain, "resample")] + 0.2
    assert all(json.loads(r[6])["seed"] == 0 and r[5] == 0 for r in rows)


def test_runs_are_deterministic_and_resume_without_duplicates(toy, tmp_path: Path) -> None:
    con, _ = toy
    first = run_visualness(con, config=CONFIG, jobs=1, progress=False, methods=["resample"])
    snapshot = con.execute(ACCURACIES).fetchall()
    scores = con.execute(PREDICTIONS).fetchall()
    assert first["n_fitted"] == 8 and first["n_too_few"] == 2  # 'rare': initial, resample

    again = run_visualness(con, config=CONFIG, jobs=1, progress=False, methods=["resample"])
    assert again["n_skipped_done"] == len(WORDS) and again["n_fitted"] == 0

    forced = run_visualness(
        con, config=CONFIG, jobs=2, progress=False, force=True, methods=["resample"]
    )
    assert forced["n_fitted"] == 8
    redo = con.execute(ACCURACIES).fetchall()
    assert redo == snapshot  # two worker processes, same results
    rescored = con.execute(PREDICTIONS).fetchall()
    assert len(rescored) == len(scores)
    assert max(abs(a[3] - b[3]) for a, b in zip(scores, rescored, strict=True)) < 1e-9

    other_seed = VisualnessConfig(**{**CONFIG.__dict__, "seed": 5})
    changed = run_visualness(con, config=other_seed, jobs=1, progress=False, methods=["resample"])
    assert changed["n_skipped_done"] == 0
    counts = con.execute(
        "SELECT count(*), count(DISTINCT (word, method)), min(seed), max(seed) FROM visualness"
    ).fetchall()[0]
    assert counts == (2 * len(WORDS), 2 * len(WORDS), 5, 5)


def test_bad_requests_raise_one_line_errors(toy) -> None:
    con, _ = toy
    with pytest.raises(InputError, match="not in the vocabulary"):
        run_visualness(con, words=["red", "sparkly"], progress=False)
    with pytest.raises(InputError, match="unknown method"):
        run_visualness(con, methods=["random", "svm"], progress=False)
    with pytest.raises(InputError, match="not registered"):
        run_visualness(con, model_id="alexnet", progress=False)
    with pytest.raises(InputError, match="C must be positive"):
        run_visualness(con, config=VisualnessConfig(C=0), progress=False)
    with pytest.raises(InputError, match="crossfit_repeats must be at least 1"):
        run_visualness(con, config=VisualnessConfig(crossfit_repeats=0), progress=False)
    con.execute("DELETE FROM splits WHERE split = 'test'")
    with pytest.raises(StateError, match="no test products"):
        run_visualness(con, methods=["random"], progress=False)
    failed = con.execute("SELECT status FROM runs WHERE stage = 'visualness'").fetchall()
    assert failed == [("failed",)]


def test_language_prior_counts_words_before_frequent_nouns(con: duckdb.DuckDBPyConnection) -> None:
    build_catalogue(con)
    # Hand-written text: (product, line, tokens with Penn tags).
    text = [
        ("p0000", 0, [("red", "JJ"), ("dress", "NN")]),
        ("p0001", 0, [("red", "JJ"), ("and", "CC"), ("blue", "JJ"), ("dress", "NN")]),
        ("p0002", 0, [("free", "JJ"), ("shipping", "NN")]),
        ("p0002", 1, [("new", "JJ"), ("dress", "NN"), ("red", "JJ")]),
        ("p0003", 0, [("striped", "JJ"), ("shirt", "NNS"), ("dress", "NN")]),
        ("p0004", 0, [("free", "JJ"), ("size", "NN")]),
        ("p0005", 0, [("red", "JJ")]),
        ("p0005", 1, [("dress", "NN")]),  # next line: not adjacent
    ]
    rows = [
        (pid, word, pos, "description", line, i, word)
        for pid, line, tokens in text
        for i, (word, pos) in enumerate(tokens)
    ]
    con.executemany(
        "INSERT INTO tokens (product_id, word, pos, field, line_no, position, norm) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    summary = run_visualness(con, methods=["language_prior"], config=VisualnessConfig(n_nouns=2))
    nouns = con.execute(
        "SELECT noun, n_products, rank FROM language_prior_nouns ORDER BY rank"
    ).fetchall()
    # dress is in 5 products; shipping, shirt and size in 1 each: the tie breaks by name.
    assert nouns == [("dress", 5, 1), ("shipping", 1, 2)]
    got = dict(
        con.execute("SELECT word, (n_occurrences, n_modifying) FROM language_prior").fetchall()
    )
    assert got == {"red": (4, 1), "free": (2, 1), "new": (1, 1), "striped": (1, 0)}
    scores = dict(
        con.execute(
            "SELECT word, accuracy FROM visualness WHERE method = 'language_prior'"
        ).fetchall()
    )
    assert scores == {"red": 0.25, "free": 0.5, "new": 1.0, "striped": 0.0, "rare": None}
    assert summary["language_prior"] == {"n_nouns": 2, "n_scored": 4, "n_unseen": 1}


def test_cli_runs_and_reports_errors(
    toy_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = copy_db(toy_db, tmp_path, "cli.duckdb")
    runner = CliRunner()
    ok = runner.invoke(
        app,
        [
            "--db",
            str(path),
            "visualness",
            "--words",
            "red,free",
            "--methods",
            "random",
            "--n-prime",
            "6",
            "--min-train-pos",
            "8",
            "--min-test-pos",
            "4",
            "--jobs",
            "1",
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert "mean balanced accuracy" in ok.output
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main(["--db", str(path), "visualness", "--words", "sparkly", "--jobs", "1"])
    assert info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: not in the vocabulary") and "\n" not in err


def test_category_matched_scope_balances_every_category(toy) -> None:
    from attrdb.context.scopes import ScopeDefinition, define_scope

    con, _ = toy
    # Matched on the category only (the toy products have no shop).
    define_scope(con, "matched", ScopeDefinition(negatives="category_matched", match_shop=False))
    for table in ("scope_products", "word_products", "vocabulary"):
        columns = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                "AND column_name <> 'scope' ORDER BY column_index",
                [table],
            ).fetchall()
        ]
        listed = ", ".join(columns)
        con.execute(
            f"INSERT INTO {table} (scope, {listed}) SELECT 'matched', {listed} FROM {table} "
            "WHERE scope = 'default'"
        )
    con.execute(
        "INSERT INTO prime_units (model_id, scope, word, unit_id, rank, kl) "
        "SELECT model_id, 'matched', word, unit_id, rank, kl FROM prime_units"
    )
    summary = run_visualness(
        con, scope="matched", config=CONFIG, jobs=1, progress=False, methods=["resample"]
    )
    assert summary["negatives"] == "category_matched" and summary["n_fitted"] > 0
    params = con.execute(
        "SELECT DISTINCT params ->> 'negatives' FROM visualness WHERE scope = 'matched'"
    ).fetchall()
    assert params == [("category_matched",)]
    # Redraw the run's samples (its temp tables are still there) and count each class per
    # category: equal in every category and split, for both sample kinds.
    drawn = query_arrow(
        con,
        "context/balanced_samples_matched",
        {"words": ["red", "striped"], "seed": 0, "max_per_class": None},
    )
    con.register("drawn", drawn)
    counts = con.execute(
        "SELECT d.word, d.split, c.category, count(*) FILTER (WHERE d.label), "
        "count(*) FILTER (WHERE NOT d.label) FROM drawn AS d "
        "JOIN visualness_categories AS c ON c.row_idx = d.row_idx GROUP BY ALL"
    ).fetchall()
    assert {r[2] for r in counts} == {"shirt", "shoe"}
    assert all(r[3] == r[4] for r in counts)
    stored = dict(
        con.execute(
            "SELECT word, n_train FROM visualness WHERE scope = 'matched' AND method = 'random' "
            "AND word IN ('red', 'striped')"
        ).fetchall()
    )
    assert stored == {
        w: sum(r[3] + r[4] for r in counts if r[0] == w and r[1] == "train") for w in stored
    }


def test_crossfit_tests_every_product_once_with_classifiers_that_never_saw_it(toy) -> None:
    # Each repetition's folds partition the universe (repetition 0 with the run's own seed);
    # each fold's training sample holds none of its products, every training positive up to
    # the cap and as many negatives; a product's stored score is the mean of its
    # out-of-fold scores over the repetitions (recomputed here with scikit-learn from the
    # samples), and the stored accuracy, AUC and support equal scikit-learn's on them.
    from sklearn.metrics import balanced_accuracy_score, roc_auc_score

    con, truth = toy
    use_paper_default_scope(con)  # random negatives: every negative weighs 1
    config = VisualnessConfig(**{**CONFIG.__dict__, "n_folds": 4, "max_per_class": 30,
                                 "negatives_per_positive": 1, "crossfit_repeats": 2})
    summary = run_visualness(con, config=config, jobs=1, progress=False, methods=["crossfit"])
    # Every word is scored: cross-fitting tests all of 'rare's positives, where the single
    # split left too few test positives; its interval says how little that is.
    assert summary["n_fitted"] == len(WORDS)
    widths = dict(con.execute("SELECT word, accuracy_high - accuracy_low FROM visualness "
                              "WHERE method = 'crossfit'").fetchall())
    assert widths["rare"] > 2 * widths["red"]
    single = query_arrow(con, "visualness/crossfit_folds", {
        "seed": 0, "n_folds": 4, "repeats": 1, "match_field": None,
        "match_shop": True}).to_pylist()
    folds = query_arrow(con, "visualness/crossfit_folds", {
        "seed": 0, "n_folds": 4, "repeats": 2, "match_field": None,
        "match_shop": True}).to_pylist()
    # (second, so the temp table the samples are drawn from holds both repetitions)
    fold_of = {(r["rep"], r["row_idx"]): r["fold"] for r in folds}
    for rep in range(2):
        sizes = np.bincount([f for (r, _), f in fold_of.items() if r == rep])
        assert sizes.sum() == N_PRODUCTS and sizes.max() - sizes.min() <= 1
    assert any(fold_of[(0, i)] != fold_of[(1, i)] for i in range(N_PRODUCTS))
    # Repetition 0 is the single cross-fit: one repetition gives the same folds.
    assert {r["row_idx"]: r["fold"] for r in single} == {
        i: f for (r, i), f in fold_of.items() if r == 0}
    samples = query_arrow(con, "visualness/crossfit_samples", {
        "words": ["red"], "n_folds": 4, "max_per_class": 30,
        "negatives_per_positive": 1}).to_pylist()
    uni = dict(con.execute("SELECT row_idx, product_id FROM visualness_universe").fetchall())
    red = {truth["ids"][i] for i in np.flatnonzero(truth["members"]["red"])}
    features = load_features(con, "toy")
    total, times = np.zeros(N_PRODUCTS), np.zeros(N_PRODUCTS)
    assert not [r for r in samples if r["rep"] == 1 and r["fold"] == 4]
    for rep, fold in [(r, f) for r in range(2) for f in range(4)] + [(0, 4)]:
        # fold 4 of repetition 0: the final classifier's sample, from every fold
        rows = [r for r in samples if r["rep"] == rep and r["fold"] == fold]
        assert all(fold_of[(rep, r["row_idx"])] != fold for r in rows)
        positives = [r for r in rows if r["label"]]
        available = sum(1 for (r, i), f in fold_of.items()
                        if r == rep and f != fold and uni[i] in red)
        assert len(positives) == min(30, available)
        assert all(uni[r["row_idx"]] in red for r in positives)
        assert len(rows) == 2 * len(positives)
        if fold < 4:
            classifier = fit_classifier(
                features, np.array([r["row_idx"] for r in rows]),
                np.array([r["label"] for r in rows], dtype=np.int8), None,
                config.hyperparameters(), np.ones(len(rows)))
            held_out = np.array([fold_of[(rep, i)] == fold for i in range(N_PRODUCTS)])
            total[held_out] += classifier.score(features[held_out])
            times[held_out] += 1
    scored = con.execute(
        "SELECT u.row_idx, p.product_id, p.score FROM predictions AS p "
        "JOIN visualness_universe AS u ON u.product_id = p.product_id "
        "WHERE p.method = 'crossfit' AND p.word = 'red' ORDER BY u.row_idx").fetchall()
    assert len(scored) == N_PRODUCTS and (times == 2).all()
    scores = np.array([s for _, _, s in scored])
    np.testing.assert_allclose(scores, total / times, atol=1e-6)
    labels = np.array([pid in red for _, pid, _ in scored])
    stored = con.execute(
        "SELECT accuracy, auc, accuracy_low, accuracy_high, auc_low, auc_high, n_test_pos, "
        "n_test_neg, n_test FROM visualness WHERE word = 'red' AND method = 'crossfit'"
    ).fetchall()[0]
    accuracy, auc, low, high, auc_low, auc_high, n_pos, n_neg, n_test = stored
    assert accuracy == pytest.approx(balanced_accuracy_score(labels, scores >= 0.5), abs=1e-12)
    assert auc == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)
    assert (n_pos, n_neg, n_test) == (labels.sum(), (~labels).sum(), N_PRODUCTS)
    assert low < accuracy < high and auc_low < auc < auc_high
    # The planted signal shows: red (units 0 and 5) is visual, free (no signal) is not.
    free = con.execute("SELECT accuracy_high FROM visualness WHERE word = 'free' "
                       "AND method = 'crossfit'").fetchall()[0][0]
    assert low > 0.75 and free < low


def test_resample_cut_is_the_median_of_the_balanced_train_sample(toy) -> None:
    # The resample classifier learns from the most confident images only; its stored cut
    # is moved so that half of the balanced train sample scores above 0.5.
    con, _ = toy
    run_visualness(con, config=CONFIG, jobs=1, progress=False, methods=["resample"],
                   words=["red", "striped"])
    drawn = query_arrow(con, "visualness/balanced_samples",
                        {"words": ["red", "striped"], "seed": 0, "max_per_class": 1000})
    con.register("drawn", drawn)
    shares = con.execute(
        "SELECT d.word, avg(CASE WHEN p.score >= 0.5 THEN 1.0 ELSE 0.0 END) FROM drawn AS d "
        "JOIN visualness_universe AS u ON u.row_idx = d.row_idx "
        "JOIN predictions AS p ON p.product_id = u.product_id AND p.word = d.word "
        "AND p.method = 'resample' WHERE d.split = 'train' GROUP BY d.word").fetchall()
    assert len(shares) == 2
    for word, share in shares:
        n = len([r for r in drawn.to_pylist() if r["word"] == word and r["split"] == "train"])
        assert abs(share - 0.5) <= 1.0 / n + 1e-12, word
