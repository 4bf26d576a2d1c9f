"""Perceptual depth (eq. 4), M_l and the most salient words per layer, against numpy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pytest

from attrdb.depth import run_depth
from attrdb.errors import InputError, StateError
from tests.conftest import memory_copy

LAYERS = ["conv1", "conv2", "conv3", "fc"]
SIZES = [3, 5, 4, 6]


@pytest.fixture
def con(empty_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = memory_copy(empty_db)
    connection.execute(
        "INSERT INTO models (model_id, name, weights, weights_sha256, input_size, n_units) "
        "VALUES ('m', 'constructed', 'none', 'none', 224, ?)", [sum(SIZES)]
    )
    unit = 0
    for index, (layer, size) in enumerate(zip(LAYERS, SIZES, strict=True)):
        for channel in range(size):
            connection.execute(
                "INSERT INTO units (model_id, unit_id, layer, layer_index, channel) "
                "VALUES ('m', ?, ?, ?, ?)", [unit, layer, index, channel]
            )
            unit += 1
    yield connection
    connection.close()


def _write_kl(con: duckdb.DuckDBPyConnection, kl: dict[str, np.ndarray]) -> None:
    con.executemany(
        "INSERT INTO unit_word_divergence (model_id, scope, word, unit_id, kl, n_pos, n_neg) "
        "VALUES ('m', 'default', ?, ?, ?, 10, 20)",
        [[w, u, float(v)] for w, values in kl.items() for u, v in enumerate(values)],
    )


def test_layer_depth_is_eq4_and_summary_matches_numpy(con: duckdb.DuckDBPyConnection) -> None:
    rng = np.random.default_rng(5)
    kl = {f"w{i}": rng.gamma(1.0, 1.0, sum(SIZES)) for i in range(7)}
    kl["early"] = np.r_[np.full(3, 9.0), np.full(sum(SIZES) - 3, 0.1)]
    kl["dead"] = np.zeros(sum(SIZES))
    _write_kl(con, kl)
    summary = run_depth(con, top_words=2)

    bounds = np.cumsum([0] + SIZES)
    maxima = {w: np.array([v[a:b].max() for a, b in zip(bounds, bounds[1:], strict=False)])
              for w, v in kl.items()}
    relative = {w: (m / m.sum() if m.sum() else np.zeros_like(m)) for w, m in maxima.items()}
    rows = con.execute(
        "SELECT word, layer, layer_index, max_kl, relative FROM layer_depth ORDER BY ALL"
    ).fetchall()
    assert len(rows) == len(kl) * len(LAYERS)
    for word, layer, index, max_kl, rel in rows:
        assert layer == LAYERS[index]
        assert max_kl == maxima[word][index]
        assert rel == pytest.approx(relative[word][index], abs=1e-12)

    assert summary["n_words"] == len(kl)
    mean = np.mean([relative[w] for w in kl], axis=0)
    peaks = [int(np.argmax(relative[w])) for w in kl if relative[w].sum()]
    for index, layer in enumerate(summary["layers"]):
        assert (layer["layer"], layer["layer_index"]) == (LAYERS[index], index)
        assert layer["mean_relative"] == pytest.approx(mean[index], abs=1e-12)
        assert layer["n_peaking"] == peaks.count(index)
        expected = sorted(kl, key=lambda w: (-relative[w][index], w))[:2]
        assert layer["top_words"] == expected
    assert summary["layers"][0]["top_words"][0] == "early"


def test_rerun_replaces_and_views_read_the_table(con: duckdb.DuckDBPyConnection) -> None:
    _write_kl(con, {"a": np.arange(sum(SIZES), dtype=float), "b": np.ones(sum(SIZES))})
    run_depth(con)
    run_depth(con)
    assert con.execute("SELECT count(*) FROM layer_depth").fetchall()[0][0] == 2 * len(LAYERS)
    magnitude = con.execute(
        "SELECT layer, mean_relative, n_words FROM layer_magnitude ORDER BY layer_index"
    ).fetchall()
    assert [m[0] for m in magnitude] == LAYERS and all(m[2] == 2 for m in magnitude)
    assert sum(m[1] for m in magnitude) == pytest.approx(1.0)
    top = con.execute(
        "SELECT word FROM layer_salient_words WHERE layer = 'fc' AND layer_rank = 1"
    ).fetchall()
    assert top == [("a",)]


def test_depth_needs_divergences(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(StateError, match="attrdb divergence"):
        run_depth(con)
    _write_kl(con, {"a": np.ones(sum(SIZES))})
    with pytest.raises(StateError, match="scope 'other'"):
        run_depth(con, scope="other")
    with pytest.raises(InputError):
        run_depth(con, top_words=0)


def test_corrected_depth_subtracts_each_layers_chance_maximum(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # relative_z is eq. 4 on max(max kl_z - the layer's pseudo-word maximum, 0); the
    # summary ranks and averages by it once it exists.
    rng = np.random.default_rng(9)
    z = {f"w{i}": rng.normal(0.0, 2.0, sum(SIZES)) for i in range(5)}
    con.executemany(
        "INSERT INTO unit_word_divergence (model_id, scope, word, unit_id, kl, n_pos, n_neg, "
        "kl_z) VALUES ('m', 'default', ?, ?, ?, 10, 20, ?)",
        [[w, u, abs(float(v)), float(v)] for w, values in z.items() for u, v in enumerate(values)],
    )
    chance = {layer: float(i) for i, layer in enumerate(LAYERS)}
    con.executemany(
        "INSERT INTO layer_divergence_null VALUES ('m', 'default', ?, ?, 1.0, 10)",
        [[layer, value] for layer, value in chance.items()],
    )
    summary = run_depth(con, top_words=1)
    bounds = np.cumsum([0] + SIZES)
    excess = {w: np.array([v[a:b].max() - chance[LAYERS[i]]
                           for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False))])
              for w, v in z.items()}
    shares = {w: np.maximum(e, 0) / np.maximum(e, 0).sum() for w, e in excess.items()}
    rows = con.execute(
        "SELECT word, layer_index, excess_z, relative_z FROM layer_depth ORDER BY ALL"
    ).fetchall()
    for word, index, excess_z, relative_z in rows:
        assert excess_z == pytest.approx(excess[word][index], abs=1e-12)
        assert relative_z == pytest.approx(shares[word][index], abs=1e-12)
    for index, layer in enumerate(summary["layers"]):
        assert layer["mean_relative"] == pytest.approx(
            np.mean([shares[w][index] for w in z]), abs=1e-12)
        assert layer["top_words"] == sorted(z, key=lambda w: (-shares[w][index], w))[:1]
