"""Pooling as a property of stored features, and the cross-model comparison (issue 20).

- Pooling: a ``both`` vector is the ``max`` units then the ``mean`` units of the same maps;
  ``max``/``mean`` extractions copy its halves; the registry keeps poolings apart.
- ``attrdb compare``: precision at k against a metadata field, recomputed with numpy from
  the stored predictions; the supervised ceiling beats noisy text labels.
- The ``compare_*`` views against numpy / scipy on random result rows (oracles).
- The report section renders from them.

Features of the comparison tests are synthetic (a colour signal in a few units plus noise):
the views and the stage only read result tables, and fitting real CNN features of the
sample would take minutes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pytest
import torch
from scipy import stats

from attrdb.cli import main
from attrdb.cnn.extract import pooled_model_id, run_extract
from attrdb.cnn.models import load_model, units_from_maps
from attrdb.compare import CompareParams, ceiling_scope, run_compare
from attrdb.connection import connect
from attrdb.errors import InputError, ModelError, StateError
from attrdb.model_registry import register_model
from attrdb.report.sections import Context, compare
from attrdb.visualness import VisualnessConfig, run_visualness

COLOURS = ("Red", "Blue", "Black")


def _vals(con: duckdb.DuckDBPyConnection, model_id: str) -> np.ndarray:
    rows = con.execute(
        "SELECT vals FROM activation_vectors WHERE model_id = ? ORDER BY product_id", [model_id]
    ).fetchall()
    return np.array([r[0] for r in rows], dtype=np.float32)


# --- pooling ------------------------------------------------------------------------------


def test_pooled_model_id() -> None:
    assert pooled_model_id("efficientnet_lite0", "max") == "efficientnet_lite0"
    assert pooled_model_id("efficientnet_lite0", "mean") == "efficientnet_lite0:mean"
    assert pooled_model_id("tuned:both", "both") == "tuned:both"
    with pytest.raises(InputError, match="unknown pooling 'median'"):
        pooled_model_id("efficientnet_lite0", "median")


def test_units_from_maps_pools_conv_maps_and_keeps_fc() -> None:
    conv = torch.tensor([[[[1.0, 3.0], [2.0, 6.0]]]])  # (1, 1, 2, 2)
    fc = torch.tensor([[5.0]])
    assert units_from_maps([conv, fc], "max").tolist() == [[6.0, 5.0]]
    assert units_from_maps([conv, fc], "mean").tolist() == [[3.0, 5.0]]
    assert units_from_maps([conv, fc], "both").tolist() == [[6.0, 5.0, 3.0, 5.0]]


def test_both_is_max_then_mean_and_halves_are_copied(db_path: Path, sample: Path) -> None:
    con = connect(db_path)
    con.execute(
        "INSERT INTO products (product_id, shop, title, image_path, source, source_row) "
        "SELECT CAST(id AS VARCHAR), brand, title, ? || '/' || CAST(id AS VARCHAR) || '.jpg', "
        "'sample', row_number() OVER () FROM read_parquet(?) ORDER BY CAST(id AS VARCHAR) "
        "LIMIT 3",
        [str(sample / "images"), str(sample / "products.parquet")],
    )
    mean = run_extract(con, all_products=True, workers=0, pooling="mean", progress=False)
    both = run_extract(con, all_products=True, workers=0, pooling="both", progress=False)
    copied = run_extract(con, all_products=True, workers=0, pooling="max", progress=False)
    assert (mean["model_id"], both["model_id"]) == ("efficientnet_lite0:mean",
                                                    "efficientnet_lite0:both")
    assert (copied["n_extracted"], copied["n_copied_from_both"]) == (0, 3)
    n = 2096
    stacked = _vals(con, "efficientnet_lite0:both")
    assert stacked.shape == (3, 2 * n)
    # The mean set came from its own forward pass: the same numbers as the both set's half
    # up to float32 summation order.
    np.testing.assert_allclose(stacked[:, n:], _vals(con, "efficientnet_lite0:mean"),
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(stacked[:, :n], _vals(con, "efficientnet_lite0"))
    units = con.execute(
        "SELECT pooling, count(*), min(unit_id), max(unit_id) FROM units "
        "WHERE model_id = 'efficientnet_lite0:both' GROUP BY pooling ORDER BY pooling"
    ).fetchall()
    assert units == [("max", n, 0, n - 1), ("mean", n, n, 2 * n - 1)]
    assert con.execute(
        "SELECT model_id, pooling, n_units FROM models ORDER BY model_id"
    ).fetchall() == [("efficientnet_lite0", "max", n), ("efficientnet_lite0:both", "both", 2 * n),
                     ("efficientnet_lite0:mean", "mean", n)]
    # A model id keeps the pooling it was registered with.
    with pytest.raises(ModelError, match="holds max-pooled units, not mean"):
        register_model(con, load_model(model_id="efficientnet_lite0", pooling="mean"))
    con.close()


def test_cli_pooling_error_is_one_line(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    connect(db_path).close()
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db_path), "extract", "--pooling", "median", "--all-products"])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "unknown pooling 'median'" in err, err


def test_cli_compare_without_results_is_one_line(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    connect(db_path).close()
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db_path), "compare", "--words", "red"])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "run `attrdb vocab` first" in err, err


# --- the compare stage on synthetic features ----------------------------------------------


def _catalogue(con: duckdb.DuckDBPyConnection, n: int = 200, seed: int = 0) -> list[str]:
    """Products with a base_colour, noisy colour words in their text, splits and two
    feature sets: 'net' (three units carry the colour) and 'net_random' (noise only)."""
    rng = np.random.default_rng(seed)
    colours = rng.choice(len(COLOURS), size=n)
    ids = [f"p{i:03d}" for i in range(n)]
    con.executemany(
        "INSERT INTO products (product_id, shop, category, metadata, source, source_row) "
        "VALUES (?, 's', ?, ?, 'test', ?)",
        [(pid, f"c{i % 2}", json.dumps({"base_colour": COLOURS[c]}), i)
         for i, (pid, c) in enumerate(zip(ids, colours, strict=True))],
    )
    con.executemany("INSERT INTO scope_products VALUES ('default', ?)", [(p,) for p in ids])
    con.executemany(
        "INSERT INTO splits VALUES (?, ?)",
        [(p, ("train", "train", "test", "val")[i % 4]) for i, p in enumerate(ids)],
    )
    # Noisy text: a colour's word appears in 60 % of its products and 8 % of the others.
    words = [c.lower() for c in COLOURS]
    for k, word in enumerate(words):
        has = (colours == k) & (rng.random(n) < 0.6) | (colours != k) & (rng.random(n) < 0.08)
        con.executemany("INSERT INTO word_products VALUES ('default', ?, ?)",
                        [(word, p) for p, h in zip(ids, has, strict=True) if h])
        con.execute("INSERT INTO vocabulary VALUES ('default', ?, ?, ?, ?, 'adjective')",
                    [word, int(has.sum()), int(has.sum()), k + 1])
    for model_id, kind, signal in (("net", None, 1.5), ("net_random", "random_init", 0.0)):
        sha = f"sha-{model_id}"
        con.execute(
            "INSERT INTO models (model_id, name, weights, weights_sha256, input_size, n_units, "
            "pooling) VALUES (?, 'toy', 'w.pth', ?, 8, 12, 'max')", [model_id, sha])
        con.executemany(
            "INSERT INTO units VALUES (?, ?, ?, ?, ?, 'max')",
            [(model_id, u, ("early", "late")[u // 6], u // 6, u % 6) for u in range(12)],
        )
        if kind:
            con.execute("INSERT INTO weights_lineage (weights_sha256, kind, name, weights) "
                        "VALUES (?, ?, 'toy', 'w.pth')", [sha, kind])
        features = rng.normal(size=(n, 12))
        features[np.arange(n), colours] += signal
        con.executemany("INSERT INTO activation_vectors VALUES (?, ?, ?)",
                        [(model_id, p, f.tolist()) for p, f in zip(ids, features, strict=True)])
    return ids


@pytest.fixture(scope="module")
def compared() -> Iterator[duckdb.DuckDBPyConnection]:
    """The synthetic catalogue scored by both feature sets and compared (built once)."""
    con = connect(":memory:", create=True)
    _catalogue(con)
    for model_id in ("net", "net_random"):
        run_visualness(con, model_id=model_id, methods=["random", "crossfit"], jobs=1,
                       progress=False)
    run_compare(con, CompareParams(k=20, min_products=10))
    yield con
    con.close()


def test_compare_precision_matches_a_recount(compared: duckdb.DuckDBPyConnection) -> None:
    rows = compared.execute(
        "SELECT model_id, scope, method, labels, word, value, n_ranked, n_agree, precision, "
        "precision_low, precision_high FROM metadata_precision ORDER BY ALL"
    ).fetchall()
    colour_of = dict(compared.execute(
        "SELECT product_id, metadata->>'base_colour' FROM products").fetchall())
    assert {(r[0], r[2], r[3]) for r in rows} == {
        (m, meth, "text") for m in ("net", "net_random") for meth in ("crossfit", "random")
    } | {(m, "crossfit", "metadata") for m in ("net", "net_random")}
    for model_id, _, method, labels, word, value, n_ranked, n_agree, precision, low, high in rows:
        scope = ceiling_scope("default", "base_colour") if labels == "metadata" else "default"
        scored = compared.execute(
            "SELECT product_id, score FROM predictions WHERE model_id = ? AND scope = ? "
            "AND method = ? AND word = ?", [model_id, scope, method, word]).fetchall()
        ranked = sorted(scored, key=lambda r: (-r[1], r[0]))[:20]
        agree = sum(colour_of[pid] == value for pid, _ in ranked)
        assert (n_ranked, n_agree) == (len(ranked), agree)
        assert precision == pytest.approx(agree / len(ranked))
        assert (low, high) == pytest.approx(stats.beta.interval(
            0.95, agree + 0.5, len(ranked) - agree + 0.5))


def test_ceiling_beats_noisy_text_and_random_features(
    compared: duckdb.DuckDBPyConnection,
) -> None:
    table = {
        (r[0], r[1]): r[2:]
        for r in compared.execute(
            "SELECT model_id, method, mean_precision, ceiling_precision, share_of_ceiling, "
            "n_attribute_words FROM compare_table1 WHERE scope = 'default' AND field IS NOT NULL"
        ).fetchall()
    }
    text, ceiling, share, n_words = table[("net", "crossfit")]
    assert n_words == 3
    assert ceiling > table[("net_random", "crossfit")][1] + 0.2
    assert ceiling >= text - 0.05
    assert share == pytest.approx(text / ceiling)
    # The ceiling's D+ is the field itself.
    assert compared.execute(
        "SELECT count(*) FROM word_products AS w JOIN products AS p USING (product_id) "
        "WHERE w.scope = 'default:base_colour' AND lower(p.metadata->>'base_colour') <> w.word"
    ).fetchall() == [(0,)]


def test_compare_refuses_unknown_words_and_models(
    compared: duckdb.DuckDBPyConnection,
) -> None:
    with pytest.raises(InputError, match="'green' names no value of base_colour"):
        run_compare(compared, CompareParams(words=("green",), min_products=10))
    with pytest.raises(Exception, match="model 'other' has no predictions"):
        run_compare(compared, CompareParams(models=("other",), min_products=10))


def test_report_section_renders(compared: duckdb.DuckDBPyConnection) -> None:
    compared.executemany(
        "INSERT INTO layer_depth (model_id, scope, word, layer, layer_index, max_kl, relative) "
        "VALUES (?, 'default', ?, ?, ?, ?, ?)",
        [(m, w, layer, i, 0.1 + i, (0.3, 0.7)[i])
         for m in ("net", "net_random") for w in ("red", "blue") for i, layer in
         enumerate(("early", "late"))],
    )
    section = compare(Context(compared, "net"))
    assert section.status != "absent"
    for text in ("Table 1 per feature set", "net_random", "Above the floor",
                 "Depth across networks", "base_colour P@20", "R=5 x 5 folds, 4 neg/pos",
                 "unlike words left out"):
        assert text in section.body


# --- the compare views against numpy / scipy ----------------------------------------------


def _results(con: duckdb.DuckDBPyConnection, rng: np.random.Generator) -> dict:
    """Random visualness rows of three feature sets over 40 words (plus one word only the
    first has), as the visualness stage stores them."""
    words = [f"w{i:02d}" for i in range(40)]
    models = {"a": ("max", None), "a:mean": ("mean", None), "r": ("max", "random_init")}
    scores: dict[str, dict[str, tuple[float, float]]] = {}
    for model_id, (pooling, kind) in models.items():
        con.execute(
            "INSERT INTO models (model_id, name, weights, weights_sha256, input_size, n_units, "
            "pooling) VALUES (?, 'toy', 'w', ?, 8, 4, ?)", [model_id, f"sha-{model_id[0]}",
                                                           pooling])
        if kind:
            con.execute("INSERT INTO weights_lineage (weights_sha256, kind, name, weights) "
                        "VALUES (?, ?, 'toy', 'w')", [f"sha-{model_id[0]}", kind])
        own = words + (["only_a"] if model_id == "a" else [])
        scores[model_id] = {w: (float(rng.uniform(0.5, 0.9)), float(rng.uniform(0.5, 0.95)))
                            for w in own}
        con.executemany(
            "INSERT INTO visualness (model_id, scope, word, method, accuracy, auc, auc_low, "
            "auc_high) VALUES (?, 'default', ?, 'crossfit', ?, ?, ?, ?)",
            [(model_id, w, acc, auc, auc - 0.05, auc + 0.05)
             for w, (acc, auc) in scores[model_id].items()])
    return scores


def test_floor_view_is_a_paired_difference(con: duckdb.DuckDBPyConnection) -> None:
    scores = _results(con, np.random.default_rng(1))
    rows = con.execute(
        "SELECT model_id, floor_model_id, n_words, mean_d_accuracy, mean_d_accuracy_low, "
        "mean_d_accuracy_high, mean_d_auc, share_words_above FROM compare_floor"
    ).fetchall()
    # Only the max-pooled trained set has a random floor of its pooling.
    assert [r[:2] for r in rows] == [("a", "r")]
    words = sorted(scores["r"])
    d_acc = np.array([scores["a"][w][0] - scores["r"][w][0] for w in words])
    d_auc = np.array([scores["a"][w][1] - scores["r"][w][1] for w in words])
    # Student t with n - 1 degrees of freedom (the view's expansion is within 1e-4).
    half = stats.t.ppf(0.975, len(words) - 1) * d_acc.std(ddof=1) / np.sqrt(len(words))
    assert rows[0][2:] == pytest.approx(
        (len(words), d_acc.mean(), d_acc.mean() - half, d_acc.mean() + half, d_auc.mean(),
         (d_acc > 0).mean()), rel=1e-4)


def test_rank_correlation_view_is_spearman(con: duckdb.DuckDBPyConnection) -> None:
    scores = _results(con, np.random.default_rng(2))
    rows = {
        (r[0], r[1]): r[2:]
        for r in con.execute(
            "SELECT model_a, model_b, n_words, spearman, spearman_low, spearman_high, "
            "top30_shared FROM compare_rank_correlation WHERE method = 'crossfit'"
        ).fetchall()
    }
    assert set(rows) == {("a", "a:mean"), ("a", "r"), ("a:mean", "r")}
    for (first, second), (n, rho, low, high, shared) in rows.items():
        words = sorted(set(scores[first]) & set(scores[second]))
        # Crossfit ranks by the AUC lower bound.
        x = [scores[first][w][1] - 0.05 for w in words]
        y = [scores[second][w][1] - 0.05 for w in words]
        expected = stats.spearmanr(x, y).statistic
        z = np.arctanh(expected)
        assert (n, rho) == (len(words), pytest.approx(expected))
        assert (low, high) == pytest.approx(
            (np.tanh(z - 1.96 / np.sqrt(n - 3)), np.tanh(z + 1.96 / np.sqrt(n - 3))))
        top_x = set(sorted(words, key=lambda w: -scores[first][w][1])[:30])
        top_y = set(sorted(words, key=lambda w: -scores[second][w][1])[:30])
        assert shared == len(top_x & top_y)


def test_prime_layers_view_shares(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT INTO models (model_id, name, weights, weights_sha256, input_size, "
                "n_units, pooling) VALUES ('b', 'toy', 'w', 's', 8, 8, 'both')")
    # Layer 'early' has 1 channel, 'late' 3; each pooled twice (unit ids: max 0-3, mean 4-7).
    con.executemany(
        "INSERT INTO units VALUES ('b', ?, ?, ?, ?, ?)",
        [(p * 4 + i, ("early", "late", "late", "late")[i], min(i, 1), max(i - 1, 0) if i else 0,
          ("max", "mean")[p]) for p in range(2) for i in range(4)],
    )
    prime = [("w1", 0), ("w1", 5), ("w1", 6), ("w2", 5)]
    con.executemany("INSERT INTO prime_units VALUES ('b', 'default', ?, ?, 1, 1.0, NULL)",
                    prime)
    rows = {
        (r[0], r[1]): r[2:]
        for r in con.execute(
            "SELECT layer, unit_pooling, n_prime, n_words, prime_share, unit_share, enrichment "
            "FROM compare_prime_layers WHERE model_id = 'b'"
        ).fetchall()
    }
    assert rows[("early", "max")] == pytest.approx((1, 2, 1 / 4, 1 / 8, 2.0))
    assert rows[("late", "mean")] == pytest.approx((3, 2, 3 / 4, 3 / 8, 2.0))
    assert rows[("early", "mean")] == pytest.approx((0, 2, 0.0, 1 / 8, 0.0))


# --- like for like: settings shown, unlike pairs flagged, intervals inside [0, 1] ---------


def _params(repeats: int | None, seed: int = 0) -> str:
    """visualness.params as the stage stores it (repeats None: before R was recorded)."""
    settings = {"C": 0.01, "n_folds": 5, "negatives": "category_matched",
                "match_field": "category", "match_shop": True, "negatives_per_positive": 4,
                "seed": seed, "max_per_class": 1000, "min_train_pos": 10, "min_test_pos": 5}
    if repeats is not None:
        settings["crossfit_repeats"] = repeats
    return json.dumps(settings)


def test_table1_pairs_the_ceiling_only_like_for_like(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT INTO models (model_id, name, weights, weights_sha256, input_size, "
                "n_units, pooling) VALUES ('a', 'toy', 'w', 's', 8, 4, 'max')")
    words = [f"c{i:02d}" for i in range(11)]
    # Text-trained rows stored before R was recorded (one cross-fit), the paper's resample,
    # and a ceiling of five repetitions: the old comparison's mismatch.
    for scope, method, params in (("default", "crossfit", _params(None)),
                                  ("default", "resample", _params(5)),
                                  ("default:base_colour", "crossfit", _params(5))):
        con.executemany("INSERT INTO visualness (model_id, scope, word, method, accuracy, auc, "
                        "params) VALUES ('a', ?, ?, ?, 0.7, 0.8, ?)",
                        [(scope, w, method, params) for w in words])
    text = [1.0] * 10 + [0.1]  # mean + t sd / sqrt(n) passes 1 unless clipped
    ceiling = [1.0] * 11
    for labels, method, values in (("text", "crossfit", text), ("text", "resample", text),
                                   ("metadata", "crossfit", ceiling)):
        con.executemany(
            "INSERT INTO metadata_precision (model_id, scope, method, labels, field, word, "
            "value, k, n_ranked, n_agree, precision) VALUES ('a', 'default', ?, ?, "
            "'base_colour', ?, ?, 50, 50, ?, ?)",
            [(method, labels, w, w.upper(), round(50 * v), v)
             for w, v in zip(words, values, strict=True)])

    def table() -> dict[str, tuple]:
        return {r[0]: r[1:] for r in con.execute(
            "SELECT method, crossfit_repeats, n_settings, settings, ceiling_settings, "
            "ceiling_comparable, ceiling_note, share_of_ceiling, mean_precision_low, "
            "mean_precision_high FROM compare_table1 WHERE scope = 'default'").fetchall()}

    rows = table()
    repeats, n_settings, settings, ceiling_settings, comparable, note, share, low, high = (
        rows["crossfit"])
    assert (repeats, n_settings, comparable, share) == (1, 1, False, None)
    assert settings.startswith("R=1 x 5 folds, 4 neg/pos, category_matched (category+shop)")
    assert ceiling_settings.startswith("R=5 x 5 folds")
    assert note == "settings differ (text-trained vs ceiling): crossfit repeats 1 vs 5"
    assert rows["resample"][4:7] == (
        False, "the ceiling is cross-fitted; compare it with this feature set's crossfit row",
        None)
    # The interval of the mean is Student t over the 11 words, clipped to [0, 1].
    half = stats.t.ppf(0.975, 10) * np.std(text, ddof=1) / np.sqrt(11)
    assert np.mean(text) + half > 1
    assert (low, high) == pytest.approx((np.mean(text) - half, 1.0), rel=1e-4)
    # Recomputed with the same settings, the ceiling is compared.
    con.execute("UPDATE visualness SET params = ? WHERE scope = 'default:base_colour'",
                [_params(1)])
    assert table()["crossfit"][4:7] == (True, None, pytest.approx(np.mean(text)))
    # A row whose words mix settings says so and is not compared.
    con.execute("UPDATE visualness SET params = ? WHERE scope = 'default' AND word = 'c00' "
                "AND method = 'crossfit'", [_params(1, seed=3)])
    repeats, n_settings, settings, _, comparable, note, share, _, _ = table()["crossfit"]
    assert (repeats, n_settings, comparable, share) == (None, 2, False, None)
    assert settings == "mixed: 2 settings over 11 words"
    assert note == "the text-trained results mix settings (mixed: 2 settings over 11 words)"


def test_floor_leaves_out_words_scored_under_other_settings(
    con: duckdb.DuckDBPyConnection,
) -> None:
    _results(con, np.random.default_rng(3))
    con.execute("UPDATE visualness SET params = ?", [_params(1)])
    con.execute("UPDATE visualness SET params = ? WHERE model_id = 'r' AND word < 'w10'",
                [_params(5)])
    n_words, n_unlike, settings = con.execute(
        "SELECT n_words, n_unlike_words, settings FROM compare_floor WHERE model_id = 'a'"
    ).fetchone()
    assert (n_words, n_unlike) == (30, 10)
    assert settings.startswith("R=1 x 5 folds")


@pytest.fixture(scope="module")
def two_repeats() -> Iterator[duckdb.DuckDBPyConnection]:
    """The synthetic catalogue, 'net' scored by crossfit with R = 2 (not the default)."""
    con = connect(":memory:", create=True)
    _catalogue(con, n=120, seed=4)
    run_visualness(con, model_id="net", methods=["crossfit"], jobs=1, progress=False,
                   config=VisualnessConfig(crossfit_repeats=2))
    yield con
    con.close()


def test_ceiling_uses_the_text_rows_settings(two_repeats: duckdb.DuckDBPyConnection) -> None:
    con = two_repeats
    with pytest.raises(InputError, match="used 2 cross-fit repetition.*a ceiling with 5"):
        run_compare(con, CompareParams(k=10, min_products=5, models=("net",),
                                       crossfit_repeats=5))
    summary = run_compare(con, CompareParams(k=10, min_products=5, models=("net",)))
    assert summary["models"]["net"]["ceiling_settings"]["crossfit_repeats"] == 2
    assert con.execute(
        "SELECT DISTINCT params->>'crossfit_repeats' FROM visualness WHERE scope = ?",
        [ceiling_scope("default", "base_colour")]).fetchall() == [("2",)]
    comparable, share = con.execute(
        "SELECT ceiling_comparable, share_of_ceiling FROM compare_table1 "
        "WHERE model_id = 'net' AND scope = 'default' AND method = 'crossfit'").fetchone()
    assert comparable and share is not None
    # Text-trained results of two settings: no ceiling can match them.
    con.execute("UPDATE visualness SET params = json_merge_patch(params, "
                "'{\"crossfit_repeats\": 3}') WHERE scope = 'default' AND word = 'red'")
    with pytest.raises(StateError, match="'net'.s crossfit results in scope 'default' mix "
                                         "settings \\(crossfit_repeats differ\\)"):
        run_compare(con, CompareParams(k=10, min_products=5, models=("net",)))


def test_rank_correlation_leaves_out_words_scored_under_other_settings(
    con: duckdb.DuckDBPyConnection,
) -> None:
    scores = _results(con, np.random.default_rng(5))
    con.execute("UPDATE visualness SET params = ?", [_params(1)])
    con.execute("UPDATE visualness SET params = ? WHERE model_id = 'r' AND word < 'w10'",
                [_params(5)])
    n_words, n_unlike, rho = con.execute(
        "SELECT n_words, n_unlike_words, spearman FROM compare_rank_correlation "
        "WHERE model_a = 'a' AND model_b = 'r'").fetchone()
    assert (n_words, n_unlike) == (30, 10)
    words = [f"w{i:02d}" for i in range(10, 40)]
    expected = stats.spearmanr([scores["a"][w][1] for w in words],
                               [scores["r"][w][1] for w in words]).statistic
    assert rho == pytest.approx(expected)
    # The pair whose settings all agree keeps every common word.
    assert con.execute(
        "SELECT n_words, n_unlike_words FROM compare_rank_correlation "
        "WHERE model_a = 'a' AND model_b = 'a:mean'").fetchone() == (40, 0)
