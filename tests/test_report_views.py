"""The reporting views (migration 0007) against NumPy / SciPy on small constructed tables."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest
from scipy import stats

LAYERS = ["conv1", "block2", "block4", "head"]


@pytest.fixture
def depth(con: duckdb.DuckDBPyConnection) -> dict[str, np.ndarray]:
    """Random max-KL per (word, layer), relative magnitude per eq. 4, and human scores."""
    rng = np.random.default_rng(3)
    words = [f"w{i:02d}" for i in range(12)]
    max_kl = rng.gamma(2.0, 1.0, size=(len(words), len(LAYERS)))
    max_kl[1, 2] = max_kl[0, 2]  # two words tie within one layer (Spearman uses mean ranks)
    relative = max_kl / max_kl.sum(axis=1, keepdims=True)
    h = rng.uniform(size=len(words)).round(1)  # rounded: ties in the human scores too
    con.execute(
        "INSERT INTO models (model_id, name, weights, weights_sha256, input_size, n_units) "
        "VALUES ('m', 'toy', 'none', 'none', 32, 8)"
    )
    con.executemany(
        "INSERT INTO units (model_id, unit_id, layer, layer_index, channel) "
        "VALUES ('m', ?, ?, ?, ?)",
        [(2 * i + c, name, i, c) for i, name in enumerate(LAYERS) for c in range(2)],
    )
    con.executemany(
        "INSERT INTO layer_depth (model_id, scope, word, layer, layer_index, max_kl, relative) "
        "VALUES ('m', 'default', ?, ?, ?, ?, ?)",
        [(w, name, j, float(max_kl[i, j]), float(relative[i, j]))
         for i, w in enumerate(words) for j, name in enumerate(LAYERS)],
    )
    con.executemany(
        "INSERT INTO human_visualness (word, h) VALUES (?, ?)",
        [(w, float(v)) for w, v in zip(words[:10], h[:10], strict=True)],  # two words unjudged
    )
    return {"words": np.array(words), "max_kl": max_kl, "relative": relative, "h": h}


def test_layer_human_correlation_matches_scipy(
    con: duckdb.DuckDBPyConnection, depth: dict[str, np.ndarray]
) -> None:
    rows = con.execute(
        "SELECT layer_index, pearson_max_kl, spearman_max_kl, pearson_relative, n_words "
        "FROM layer_human_correlation ORDER BY layer_index"
    ).fetchall()
    assert [r[0] for r in rows] == list(range(len(LAYERS)))
    h = depth["h"][:10]
    for j, pearson, spearman, pearson_rel, n in rows:
        kl = depth["max_kl"][:10, j]
        assert n == 10
        assert pearson == pytest.approx(stats.pearsonr(kl, h).statistic, abs=1e-9)
        assert spearman == pytest.approx(stats.spearmanr(kl, h).statistic, abs=1e-9)
        assert pearson_rel == pytest.approx(
            stats.pearsonr(depth["relative"][:10, j], h).statistic, abs=1e-9)


def test_word_depth_peak_matches_numpy(
    con: duckdb.DuckDBPyConnection, depth: dict[str, np.ndarray]
) -> None:
    rows = con.execute(
        "SELECT word, peak_layer_index, peak_relative, mean_depth, peaks_in_last_layer, n_layers "
        "FROM word_depth_peak ORDER BY word"
    ).fetchall()
    relative = depth["relative"]
    assert [r[0] for r in rows] == list(depth["words"])
    for i, (_, peak, peak_rel, mean_depth, last, n_layers) in enumerate(rows):
        assert peak == int(np.argmax(relative[i]))
        assert peak_rel == pytest.approx(relative[i].max())
        assert mean_depth == pytest.approx(float(relative[i] @ np.arange(len(LAYERS))))
        assert last == (peak == len(LAYERS) - 1)
        assert n_layers == len(LAYERS)


def test_layer_salient_words_and_magnitude(
    con: duckdb.DuckDBPyConnection, depth: dict[str, np.ndarray]
) -> None:
    for j, name in enumerate(LAYERS):
        top = con.execute(
            "SELECT word FROM layer_salient_words WHERE layer = ? AND layer_rank <= 3 "
            "ORDER BY layer_rank", [name]
        ).fetchall()
        expected = depth["words"][np.argsort(-depth["relative"][:, j], kind="stable")[:3]]
        assert [r[0] for r in top] == list(expected)
    means = con.execute(
        "SELECT mean_relative, mean_max_kl, n_words FROM layer_magnitude ORDER BY layer_index"
    ).fetchall()
    assert [m[0] for m in means] == pytest.approx(list(depth["relative"].mean(axis=0)))
    assert [m[1] for m in means] == pytest.approx(list(depth["max_kl"].mean(axis=0)))
    assert {m[2] for m in means} == {12}


def test_visualness_ranking_both_ends(con: duckdb.DuckDBPyConnection) -> None:
    scores = {"red": 0.91, "blue": 0.84, "soft": 0.55, "dry": 0.49, "rare": None}
    con.executemany(
        "INSERT INTO visualness (model_id, scope, word, method, accuracy) "
        "VALUES ('m', 'default', ?, 'resample', ?)",
        list(scores.items()),
    )
    con.execute("INSERT INTO human_visualness (word, h) VALUES ('red', 0.9)")
    rows = con.execute(
        "SELECT word, visual_rank, nonvisual_rank, n_words, h FROM visualness_ranking "
        "ORDER BY visual_rank"
    ).fetchall()
    assert rows == [
        ("red", 1, 4, 4, 0.9), ("blue", 2, 3, 4, None), ("soft", 3, 2, 4, None),
        ("dry", 4, 1, 4, None),
    ]
    wide = con.execute(
        "SELECT word, resample, random FROM visualness_wide ORDER BY word"
    ).fetchall()
    assert ("red", 0.91, None) in wide and ("rare", None, None) in wide


def test_prime_unit_layers_finds_units_shared_by_two_words(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "INSERT INTO units (model_id, unit_id, layer, layer_index, channel) "
        "VALUES ('m', 0, 'conv1', 0, 0), ('m', 1, 'conv1', 0, 1), "
        "('m', 2, 'head', 1, 0)"
    )
    con.execute(
        "INSERT INTO prime_units (model_id, scope, word, unit_id, rank, kl) VALUES "
        "('m', 'default', 'red', 0, 1, 2.0), ('m', 'default', 'red', 2, 2, 1.0), "
        "('m', 'default', 'pink', 2, 1, 1.5), ('m', 'default', 'pink', 1, 2, 0.5)"
    )
    # The docs' example: units that are prime for both red and pink.
    shared = con.execute(
        "SELECT unit_id, layer, channel FROM prime_unit_layers WHERE word IN ('red', 'pink') "
        "GROUP BY ALL HAVING count(DISTINCT word) = 2"
    ).fetchall()
    assert shared == [(2, "head", 0)]


def test_dataset_and_dedup_summaries(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "INSERT INTO products (product_id, shop, title, category, image_path, source, source_row) "
        "VALUES ('a', 's1', 't', 'c1', '/x.jpg', 'f', 1), ('b', 's1', 't', 'c1', NULL, 'f', 2), "
        "('c', 's1', 't', 'c2', '/y.jpg', 'f', 3), ('d', 's2', 't', 'c2', '/z.jpg', 'f', 4)"
    )
    con.execute(
        "INSERT INTO duplicate_groups VALUES ('a', 's1', 'a', true), ('b', 's1', 'a', false), "
        "('c', 's1', 'a', false), ('d', 's2', 'd', true)"
    )
    con.execute(
        "INSERT INTO product_rejects (source, source_row, reason) VALUES ('f', 5, 'no title')"
    )
    summary = con.execute(
        "SELECT n_products, n_rejected, n_shops, n_categories, n_with_image, n_kept, "
        "n_duplicates_removed, n_duplicate_groups FROM dataset_summary"
    ).fetchall()
    assert summary == [(4, 1, 2, 2, 3, 2, 2, 2)]
    shops = con.execute(
        "SELECT shop, n_products, n_groups, n_kept, n_removed, removed_share "
        "FROM shop_dedup_summary ORDER BY shop"
    ).fetchall()
    assert shops == [("s1", 3, 1, 1, 2, pytest.approx(2 / 3)), ("s2", 1, 1, 1, 0, 0.0)]
    assert con.execute("SELECT * FROM reject_reasons").fetchall() == [("f", "no title", 1)]


def test_saliency_curves_and_latest_runs(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "INSERT INTO saliency_eval (model_id, scope, word, method, k, threshold, ap, iou, n_images)"
        " VALUES ('m', 'default', 'bag', 'kl_occlusion', 4, NULL, 0.5, NULL, 3), "
        "('m', 'default', 'belt', 'kl_occlusion', 4, NULL, 0.3, NULL, 2), "
        "('m', 'default', 'bag', 'gradient', NULL, NULL, 0.2, NULL, 3)"
    )
    curves = con.execute(
        "SELECT method, k, mean_ap, n_words, n_images FROM saliency_curves ORDER BY method"
    ).fetchall()
    assert curves == [("gradient", None, 0.2, 1, 3),
                      ("kl_occlusion", 4, pytest.approx(0.4), 2, 5)]
    con.execute(
        "INSERT INTO runs (stage, attrdb_version, status, started_at, finished_at) VALUES "
        "('text', 'x', 'failed', TIMESTAMP '2024-01-01 00:00:00', TIMESTAMP '2024-01-01 00:00:05'),"
        "('text', 'x', 'ok', TIMESTAMP '2024-01-01 00:01:00', TIMESTAMP '2024-01-01 00:01:02.5')"
    )
    assert con.execute("SELECT stage, status, seconds FROM latest_runs").fetchall() == [
        ("text", "ok", 2.5)]
