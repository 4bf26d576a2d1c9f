"""Divergence stage: SQL binning, histograms and symmetric KL against numpy/scipy oracles."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from scipy.special import rel_entr

from attrdb import divergence
from attrdb.divergence import DEFAULT_SPLIT, packing, run_divergence
from attrdb.errors import InputError, StateError
from attrdb.sqlfiles import query_sql_file, run_sql_file
from tests.conftest import memory_copy, use_paper_default_scope

MODEL = "tiny"
# Binds the unit range of binned_*.sql to every unit (the stage bins one block at a time).
ALL_UNITS = {"unit_lo": 0, "unit_hi": 1 << 30}


@dataclass
class Catalogue:
    """Constructed inputs: activations per product, splits, scope and D+ sets."""

    acts: np.ndarray  # (n_products, n_units) float32
    split: list[str]
    in_scope: list[bool]
    has_vector: list[bool]
    words: dict[str, list[int]]  # word -> product indices holding it

    @property
    def ids(self) -> list[str]:
        return [f"p{i:04d}" for i in range(len(self.acts))]


def load(con: duckdb.DuckDBPyConnection, cat: Catalogue, layers: int = 3) -> None:
    """Write a constructed catalogue into the contract tables (default scope: the paper's
    random negatives, whose KL the oracle recomputes)."""
    use_paper_default_scope(con)
    n_units = cat.acts.shape[1]
    con.execute(
        "INSERT INTO models (model_id, name, weights, weights_sha256, input_size, n_units) "
        "VALUES (?, 'constructed', 'none', 'none', 224, ?)",
        [MODEL, n_units],
    )
    con.execute(
        "INSERT INTO units (model_id, unit_id, layer, layer_index, channel) "
        "SELECT ?, i, 'layer' || (i % ?), i % ?, i // ? FROM range(?) t(i)",
        [MODEL, layers, layers, layers, n_units],
    )
    ids = cat.ids
    keep = [i for i in range(len(ids)) if cat.has_vector[i]]
    vectors = pa.table({
        "product_id": [ids[i] for i in keep],
        "vals": pa.array([cat.acts[i].tolist() for i in keep], pa.list_(pa.float32())),
    })
    con.register("vectors_in", vectors)
    con.execute(
        "INSERT INTO activation_vectors SELECT ?, product_id, vals FROM vectors_in", [MODEL]
    )
    con.unregister("vectors_in")
    con.executemany("INSERT INTO splits VALUES (?, ?)", list(zip(ids, cat.split, strict=True)))
    con.executemany(
        "INSERT INTO scope_products VALUES ('default', ?)",
        [[p] for p, s in zip(ids, cat.in_scope, strict=True) if s],
    )
    for rank, (word, members) in enumerate(sorted(cat.words.items()), start=1):
        con.execute(
            "INSERT INTO vocabulary (scope, word, n_products, n_kind, rank, kind) "
            "VALUES ('default', ?, ?, ?, ?, 'adjective')",
            [word, len(members), len(members), rank],
        )
        con.executemany(
            "INSERT INTO word_products VALUES ('default', ?, ?)", [[word, ids[i]] for i in members]
        )


def universe(cat: Catalogue, split: str = DEFAULT_SPLIT) -> np.ndarray:
    """Indices of the products the stage must use, in product_id order (``split``: one
    split or several joined by '+')."""
    return np.array([
        i for i in range(len(cat.acts))
        if cat.split[i] in split.split("+") and cat.in_scope[i] and cat.has_vector[i]
    ])


def oracle_kl(
    values: np.ndarray, positive: np.ndarray, edges: np.ndarray, smoothing: float
) -> float:
    """Symmetric KL of one unit from np.histogram and scipy's rel_entr."""
    n_bins = len(edges) - 1
    pos = np.histogram(values[positive], bins=edges)[0]
    neg = np.histogram(values[~positive], bins=edges)[0]
    assert pos.sum() == positive.sum() and neg.sum() == (~positive).sum()
    p = (1 - smoothing) * pos / pos.sum() + smoothing / n_bins
    q = (1 - smoothing) * neg / neg.sum() + smoothing / n_bins
    return float(rel_entr(p, q).sum() + rel_entr(q, p).sum())


def random_catalogue(seed: int, n: int = 120, n_units: int = 9) -> Catalogue:
    """Skewed ReLU-like activations with a constant unit, ties and values on bin edges."""
    rng = np.random.default_rng(seed)
    acts = np.maximum(0.0, rng.normal(0.3, 1.0, (n, n_units))).astype(np.float32)
    acts[:, 0] = 0.0                                      # dead unit: constant
    acts[:, 1] = rng.integers(0, 5, n) / 4.0              # values exactly on 4-bin edges
    acts[:, 2] = np.where(rng.random(n) < 0.7, 0.0, acts[:, 2])  # heavy ties at 0
    acts[:, 3] = acts[:, 3] * 1e4                          # large scale
    split = list(rng.choice(["train", "test", "val"], n, p=[0.6, 0.2, 0.2]))
    in_scope = list(rng.random(n) < 0.9)
    has_vector = list(rng.random(n) < 0.95)
    words = {
        "common": list(np.flatnonzero(rng.random(n) < 0.75)),   # complement side
        "half": list(np.flatnonzero(rng.random(n) < 0.5)),
        "rare": list(np.flatnonzero(rng.random(n) < 0.15)),
        "tiny": [0, 1],                                         # skipped: too few positives
        "everywhere": list(range(n)),                           # skipped: no negatives
    }
    # Make some activations depend on a word, so KL is not only noise.
    half = np.array(words["half"])
    acts[half, 4] += 2.0
    return Catalogue(acts, split, in_scope, has_vector, words)


Loaded = tuple[duckdb.DuckDBPyConnection, Catalogue]


@pytest.fixture
def loaded(empty_db: Path) -> Iterator[Loaded]:
    con = memory_copy(empty_db)
    cat = random_catalogue(7)
    load(con, cat)
    yield con, cat
    con.close()


def _edges(con: duckdb.DuckDBPyConnection) -> dict[int, tuple[np.ndarray, bool]]:
    rows = con.execute(
        "SELECT unit_id, edges, constant FROM unit_bins WHERE model_id = ? ORDER BY unit_id",
        [MODEL],
    ).fetchall()
    return {u: (np.array(e, dtype=np.float64), bool(c)) for u, e, c in rows}


def _divergences(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, int], tuple[float, int, int]]:
    rows = con.execute(
        "SELECT word, unit_id, kl, n_pos, n_neg FROM unit_word_divergence WHERE model_id = ?",
        [MODEL],
    ).fetchall()
    return {(w, u): (kl, p, n) for w, u, kl, p, n in rows}


def check_against_oracle(
    con: duckdb.DuckDBPyConnection, cat: Catalogue, smoothing: float, min_count: int = 5
) -> int:
    """Every stored KL equals the numpy/scipy oracle to 1e-9; returns the rows checked."""
    rows = universe(cat)
    values = cat.acts[rows].astype(np.float64)
    edges = _edges(con)
    got = _divergences(con)
    checked = 0
    for word, members in cat.words.items():
        positive = np.isin(rows, members)
        n_pos, n_neg = int(positive.sum()), int((~positive).sum())
        if n_pos < min_count or n_neg < min_count:
            assert not any(w == word for w, _ in got), f"{word} should have been skipped"
            continue
        for unit in range(values.shape[1]):
            unit_edges, constant = edges[unit]
            expected = (
                0.0 if constant else oracle_kl(values[:, unit], positive, unit_edges, smoothing)
            )
            kl, p, n = got[(word, unit)]
            assert (p, n) == (n_pos, n_neg)
            assert kl == pytest.approx(expected, abs=1e-9, rel=1e-9), (word, unit)
            checked += 1
    assert checked == len(got)
    return checked


def test_equal_width_edges_are_min_max_linspace(loaded: Loaded) -> None:
    con, cat = loaded
    run_divergence(con, n_bins=4, min_positives=5, min_negatives=5)
    values = cat.acts[universe(cat)].astype(np.float64)
    for unit, (edges, constant) in _edges(con).items():
        lo, hi = values[:, unit].min(), values[:, unit].max()
        assert len(edges) == 5 and np.all(np.diff(edges) > 0)
        assert constant == (lo == hi)
        if constant:
            expected = np.linspace(lo - 0.5, lo + 0.5, 5)
            np.testing.assert_allclose(edges, expected, rtol=0, atol=1e-12)
        else:
            assert edges[0] == lo and edges[-1] == hi
            np.testing.assert_allclose(edges, np.linspace(lo, hi, 5), rtol=1e-12)


@pytest.mark.parametrize("n_bins", [4, 16, 37])
def test_binning_matches_numpy_histogram(
    loaded: Loaded, n_bins: int
) -> None:
    con, cat = loaded
    params = {"model_id": MODEL, "scope": "default"}
    query_sql_file(con, "divergence/universe", {**params, "split": DEFAULT_SPLIT})
    run_sql_file(con, "divergence/unit_bins_equal", {**params, "n_bins": n_bins})
    run_sql_file(con, "divergence/binned_equal", {**params, **ALL_UNITS, "n_bins": n_bins})
    run_sql_file(con, "divergence/publish_bins", params)
    _assert_binned_like_numpy(con, cat, n_bins)


def test_quantile_binning_matches_numpy(loaded: Loaded) -> None:
    con, cat = loaded
    params = {"model_id": MODEL, "scope": "default"}
    query_sql_file(con, "divergence/universe", {**params, "split": DEFAULT_SPLIT})
    run_sql_file(con, "divergence/unit_bins_quantile", {**params, "n_bins": 8})
    run_sql_file(con, "divergence/binned_quantile", {**params, **ALL_UNITS})
    run_sql_file(con, "divergence/publish_bins", params)
    values = cat.acts[universe(cat)].astype(np.float64)
    for unit, (edges, constant) in _edges(con).items():
        if not constant:
            expected = np.quantile(values[:, unit], np.arange(9) / 8)
            np.testing.assert_allclose(edges, expected, rtol=1e-12, atol=1e-12)
    _assert_binned_like_numpy(con, cat, 8)


def _assert_binned_like_numpy(con: duckdb.DuckDBPyConnection, cat: Catalogue, n_bins: int) -> None:
    rows = universe(cat)
    values = cat.acts[rows].astype(np.float64)
    binned = con.execute(
        "SELECT unit, bin, count(*) FROM divergence_binned GROUP BY unit, bin"
    ).fetchall()
    counts = np.zeros((values.shape[1], n_bins), dtype=np.int64)
    for unit, b, c in binned:
        counts[unit, b] = c
    for unit, (edges, constant) in _edges(con).items():
        if constant:
            assert counts[unit].sum() == 0  # constant units are never binned
            continue
        np.testing.assert_array_equal(counts[unit], np.histogram(values[:, unit], bins=edges)[0])


@pytest.mark.parametrize(("n_bins", "smoothing"), [(16, 0.01), (5, 0.3), (64, 0.001)])
def test_kl_matches_scipy_oracle(
    loaded: Loaded, n_bins: int, smoothing: float
) -> None:
    con, cat = loaded
    summary = run_divergence(con, n_bins=n_bins, smoothing=smoothing)
    assert check_against_oracle(con, cat, smoothing) == 3 * cat.acts.shape[1]
    assert summary["n_words"] == 3 and summary["n_skipped"] == 2
    assert {s["word"] for s in summary["skipped"]} == {"tiny", "everywhere"}


def test_quantile_kl_matches_scipy_oracle(loaded: Loaded) -> None:
    con, cat = loaded
    run_divergence(con, n_bins=8, binning="quantile", smoothing=0.05)
    check_against_oracle(con, cat, 0.05)


def test_kl_matches_oracle_when_counters_need_several_chunks(empty_db: Path) -> None:
    # 300 training products: 9-bit fields, 14 bins per counter, so 40 bins take 3 chunks.
    con = memory_copy(empty_db)
    rng = np.random.default_rng(3)
    n = 300
    acts = rng.gamma(1.5, 1.0, (n, 6)).astype(np.float32)
    words = {"a": list(range(0, n, 2)), "b": list(range(0, n, 7)), "c": list(range(5, n))}
    cat = Catalogue(acts, ["train"] * n, [True] * n, [True] * n, words)
    load(con, cat)
    summary = run_divergence(con, n_bins=40)
    assert (summary["field_bits"], summary["bins_per_chunk"], summary["n_chunks"]) == (8, 15, 3)
    check_against_oracle(con, cat, 0.01)
    con.close()


def test_packing_width_never_overflows() -> None:
    for side in (1, 2, 255, 256, 4095, 65535, 10**6):
        bits, per, chunks = packing(32, side)
        assert side < 2**bits and per * bits <= 127 and per * chunks >= 32


def test_prime_units_are_top_k_by_kl(loaded: Loaded) -> None:
    con, _ = loaded
    run_divergence(con, top_k=4, null_draws=0)  # the paper's ranking: raw KL
    got = con.execute(
        "SELECT word, list(unit_id ORDER BY rank), list(rank ORDER BY rank) FROM prime_units "
        "WHERE model_id = ? GROUP BY word", [MODEL]
    ).fetchall()
    kls = _divergences(con)
    assert len(got) == 3
    for word, units, ranks in got:
        expected = sorted((u for w, u in kls if w == word), key=lambda u: (-kls[(word, u)][0], u))
        assert units == expected[:4] and ranks == [1, 2, 3, 4]
    # the unit shifted for 'half' products is that word's prime unit
    assert dict((w, u[0]) for w, u, _ in got)["half"] == 4


def test_rerun_replaces_rows_and_records_params(loaded: Loaded) -> None:
    con, cat = loaded
    run_divergence(con, n_bins=8)
    run_divergence(con, n_bins=12, smoothing=0.02)
    check_against_oracle(con, cat, 0.02)
    assert con.execute("SELECT count(*) FROM unit_bins").fetchall()[0][0] == cat.acts.shape[1]
    params, summary, status = con.execute(
        "SELECT params, summary, status FROM runs WHERE stage = 'divergence' "
        "ORDER BY run_id DESC LIMIT 1"
    ).fetchall()[0]
    params, summary = json.loads(params), json.loads(summary)
    assert status == "ok"
    assert (params["split"], params["n_bins"], params["smoothing"]) == ("train+val", 12, 0.02)
    assert summary["n_skipped"] == 2 and summary["n_divergence_rows"] == 3 * cat.acts.shape[1]
    # working tables are gone
    assert not con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name LIKE 'divergence_%'"
    ).fetchall()[0][0]


def test_same_distribution_gives_zero_kl(empty_db: Path) -> None:
    # Negatives are three copies of the positives' activations: same histogram shape,
    # different sizes. Size-proportional smoothing keeps KL exactly 0.
    con = memory_copy(empty_db)
    rng = np.random.default_rng(11)
    base = np.maximum(0, rng.normal(0.5, 1, (20, 5))).astype(np.float32)
    acts = np.concatenate([base] * 4)
    cat = Catalogue(acts, ["train"] * 80, [True] * 80, [True] * 80, {"w": list(range(20))})
    load(con, cat)
    run_divergence(con, n_bins=10)
    kls = [kl for kl, _, _ in _divergences(con).values()]
    assert len(kls) == 5 and max(abs(k) for k in kls) < 1e-12
    con.close()


def test_bad_parameters_are_input_errors(loaded: Loaded) -> None:
    con, _ = loaded
    for kwargs in ({"n_bins": 1}, {"n_bins": 300}, {"smoothing": 0.0}, {"smoothing": 1.0},
                   {"binning": "log"}, {"top_k": 0}, {"split": "dev"}, {"min_positives": 0}):
        with pytest.raises(InputError):
            run_divergence(con, **kwargs)
    with pytest.raises(InputError, match="not registered"):
        run_divergence(con, model_id="nope")


def test_missing_inputs_are_state_errors(empty_db: Path) -> None:
    con = memory_copy(empty_db)
    with pytest.raises(StateError, match="empty"):
        run_divergence(con)
    cat = random_catalogue(1)
    cat.split = ["test"] * len(cat.split)
    load(con, cat)
    with pytest.raises(StateError, match=r"no train\+val products"):
        run_divergence(con)
    assert con.execute(
        "SELECT status FROM runs WHERE stage = 'divergence' ORDER BY run_id DESC LIMIT 1"
    ).fetchall() == [("failed",)]
    con.close()


def test_prime_unit_ties_go_to_the_lower_unit_id(empty_db: Path) -> None:
    con = memory_copy(empty_db)
    rng = np.random.default_rng(2)
    acts = np.zeros((30, 6), dtype=np.float32)
    acts[:, 1] = rng.random(30)
    acts[:, 4] = rng.random(30)
    acts[:, 3] = 2.5  # constant, not zero
    cat = Catalogue(acts, ["train"] * 30, [True] * 30, [True] * 30, {"w": list(range(10))})
    load(con, cat)
    summary = run_divergence(con, top_k=6, null_draws=0)
    ranked = con.execute(
        "SELECT unit_id, kl FROM prime_units WHERE word = 'w' ORDER BY rank"
    ).fetchall()
    con.close()
    assert summary["n_constant_units"] == 4
    assert [u for u, _ in ranked][2:] == [0, 2, 3, 5]
    assert [kl for _, kl in ranked][2:] == [0.0] * 4
    assert sorted(u for u, _ in ranked[:2]) == [1, 4]


def test_null_columns_follow_the_stored_null_model(loaded: Loaded) -> None:
    # kl_null, kl_null_sd and kl_z of every row are the stored unit and size-class
    # factors applied to the row's own sizes (sql/divergence/null.sql), recomputed here.
    con, _ = loaded
    summary = run_divergence(con, n_bins=8, null_draws=3)
    assert "null" in summary["seconds"]
    units = {u: (m, sd) for u, m, sd in con.execute(
        "SELECT unit_id, null_mean, null_sd FROM unit_divergence_null").fetchall()}
    sizes = {k: (g, h) for k, g, h in con.execute(
        "SELECT size_class, mean_factor, sd_factor FROM divergence_null_sizes").fetchall()}
    rows = con.execute(
        "SELECT unit_id, kl, n_pos, n_neg, kl_null, kl_null_sd, kl_z FROM unit_word_divergence"
    ).fetchall()
    assert rows and not any(str(w).startswith(chr(31)) for (w,) in con.execute(
        "SELECT DISTINCT word FROM unit_word_divergence").fetchall())
    for unit, kl, n_pos, n_neg, kl_null, kl_null_sd, kl_z in rows:
        c = 1.0 / n_pos + 1.0 / n_neg
        g, h = sizes.get(int(np.floor(np.log2(min(n_pos, n_neg)))), (1.0, 1.0))
        mean, sd = units[unit]
        assert kl_null == pytest.approx(mean * g * c, rel=1e-9, abs=1e-12)
        assert kl_null_sd == pytest.approx(sd * h * c, rel=1e-9, abs=1e-12)
        expected_z = (kl - kl_null) / kl_null_sd if kl_null_sd > 0 else 0.0
        assert kl_z == pytest.approx(expected_z, rel=1e-9, abs=1e-9)
    # Pseudo-words are only a measurement: no pseudo-word row, no working table is left.
    assert not con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name LIKE 'divergence_%'"
    ).fetchall()[0][0]


def test_prime_units_rank_by_kl_above_chance(loaded: Loaded) -> None:
    # With a null, prime units rank by kl_z; the unit the 'half' word shifts stays first,
    # and a word whose membership is random gets z-scores centred near 0.
    con, cat = loaded
    rng = np.random.default_rng(5)
    noise = list(np.flatnonzero(rng.random(len(cat.acts)) < 0.4))
    ids = cat.ids
    con.execute("INSERT INTO vocabulary (scope, word, n_products, n_kind, rank, kind) "
                "VALUES ('default', 'noise', ?, ?, 99, 'adjective')", [len(noise), len(noise)])
    con.executemany("INSERT INTO word_products VALUES ('default', 'noise', ?)",
                    [[ids[i]] for i in noise])
    run_divergence(con, top_k=3, null_draws=4)
    ranked = con.execute(
        "SELECT word, list(unit_id ORDER BY rank), list(kl_z ORDER BY rank) FROM prime_units "
        "GROUP BY word").fetchall()
    for word, _units, zs in ranked:
        assert zs == sorted(zs, reverse=True), word
    assert dict((w, u[0]) for w, u, _ in ranked)["half"] == 4
    half_z = con.execute("SELECT kl_z FROM unit_word_divergence WHERE word = 'half' "
                         "AND unit_id = 4").fetchall()[0][0]
    noise_z = [z for (z,) in con.execute(
        "SELECT kl_z FROM unit_word_divergence WHERE word = 'noise'").fetchall()]
    assert half_z > 5.0
    assert abs(float(np.mean(noise_z))) < 1.5


def _stage_tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[object, ...]]]:
    """Every row the divergence stage writes, in a fixed order."""
    queries = {
        "unit_bins": "SELECT unit_id, edges, constant FROM unit_bins ORDER BY unit_id",
        "unit_word_divergence": (
            "SELECT word, unit_id, kl, n_pos, n_neg, kl_null, kl_null_sd, kl_z "
            "FROM unit_word_divergence ORDER BY word, unit_id"
        ),
        "prime_units": "SELECT word, unit_id, rank, kl, kl_z FROM prime_units ORDER BY word, rank",
        "unit_divergence_null": (
            "SELECT unit_id, null_mean, null_sd, n_pseudo FROM unit_divergence_null "
            "ORDER BY unit_id"
        ),
        "divergence_null_sizes": "SELECT * EXCLUDE (model_id, scope) FROM divergence_null_sizes "
        "ORDER BY size_class",
        "layer_divergence_null": "SELECT * EXCLUDE (model_id, scope) FROM layer_divergence_null "
        "ORDER BY layer",
    }
    return {name: con.execute(q).fetchall() for name, q in queries.items()}


@pytest.mark.parametrize(("binning", "null_draws"), [("equal", 3), ("quantile", 0)])
def test_unit_blocks_give_the_same_tables_as_one_block(
    loaded: Loaded, binning: str, null_draws: int
) -> None:
    con, cat = loaded
    n_units = cat.acts.shape[1]
    one = run_divergence(con, binning=binning, null_draws=null_draws, unit_block=n_units)
    whole = _stage_tables(con)
    # Blocks of 2 split the 9 units unevenly (the last block holds one unit).
    blocks = run_divergence(con, binning=binning, null_draws=null_draws, unit_block=2)
    assert (one["n_unit_blocks"], blocks["n_unit_blocks"]) == (1, 5)
    assert whole["unit_word_divergence"] and whole["prime_units"]
    assert _stage_tables(con) == whole
    check_against_oracle(con, cat, 0.01)


@pytest.mark.parametrize(("stopped_in", "error", "status"), [
    ("divergence/kl", KeyboardInterrupt, "interrupted"),  # the third of five unit blocks
    ("divergence/prime_units", RuntimeError, "failed"),  # inside the final writes
])
def test_a_stopped_blocked_run_keeps_the_previous_results_and_a_rerun_replaces_them(
    loaded: Loaded, monkeypatch: pytest.MonkeyPatch, stopped_in: str,
    error: type[BaseException], status: str,
) -> None:
    con, cat = loaded
    run_divergence(con, n_bins=8, unit_block=2)
    previous = _stage_tables(con)
    calls: list[str] = []

    def stopping(engine: object, name: str, *args: object, **kwargs: object) -> None:
        calls.append(name)
        if name == stopped_in and calls.count(name) == (3 if name.endswith("/kl") else 1):
            raise error("stopped")
        real_run_file(engine, name, *args, **kwargs)

    real_run_file = divergence.run_file
    monkeypatch.setattr(divergence, "run_file", stopping)
    with pytest.raises(error):
        run_divergence(con, n_bins=16, unit_block=2)
    monkeypatch.undo()
    assert con.execute(
        "SELECT status FROM runs WHERE stage = 'divergence' ORDER BY run_id DESC LIMIT 1"
    ).fetchall() == [(status,)]
    # Nothing of the stopped run reached the contract tables, and its working tables are gone.
    assert _stage_tables(con) == previous
    assert con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name LIKE 'divergence%'"
    ).fetchall() == []
    # The rerun recomputes: one row per word and unit, equal to an unblocked run.
    run_divergence(con, n_bins=16, unit_block=2)
    blocked = _stage_tables(con)
    assert con.execute(
        "SELECT count(*), count(DISTINCT (word, unit_id)) FROM unit_word_divergence"
    ).fetchall() == [(len(blocked["unit_word_divergence"]),) * 2]
    run_divergence(con, n_bins=16)
    assert _stage_tables(con) == blocked != previous
    check_against_oracle(con, cat, 0.01)


def test_unit_block_must_be_positive(loaded: Loaded) -> None:
    con, _ = loaded
    with pytest.raises(InputError, match="unit_block"):
        run_divergence(con, unit_block=0)
