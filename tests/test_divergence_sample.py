"""Divergence and depth on real activations of the bundled sample, against numpy/scipy."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pytest
from scipy.special import rel_entr
from typer.testing import CliRunner

from attrdb.cli import app, main
from attrdb.connection import connect
from attrdb.divergence import DEFAULT_SMOOTHING, DEFAULT_SPLIT, DEFAULT_TOP_K, run_divergence
from tests.conftest import copy_db


def _universe(con: duckdb.DuckDBPyConnection, model_id: str) -> tuple[list[str], np.ndarray]:
    rows = con.execute(
        "SELECT v.product_id, v.vals FROM activation_vectors AS v "
        "JOIN splits AS s ON s.product_id = v.product_id "
        "AND list_contains(string_split(?, '+'), s.split) "
        "WHERE v.model_id = ? AND v.product_id IN "
        "(SELECT product_id FROM scope_products WHERE scope = 'default') "
        "ORDER BY v.product_id",
        [DEFAULT_SPLIT, model_id],
    ).fetchall()
    return [r[0] for r in rows], np.array([r[1] for r in rows], dtype=np.float32)


def _oracle(con: duckdb.DuckDBPyConnection, model_id: str) -> dict[tuple[str, int], float]:
    """KL of every kept word and unit: np.histogram on the stored edges, scipy rel_entr."""
    ids, acts = _universe(con, model_id)
    values = acts.astype(np.float64)
    index = {p: i for i, p in enumerate(ids)}
    edges_rows = con.execute(
        "SELECT unit_id, edges, constant FROM unit_bins WHERE model_id = ? AND scope = 'default' "
        "ORDER BY unit_id", [model_id]
    ).fetchall()
    n_units = values.shape[1]
    assert [r[0] for r in edges_rows] == list(range(n_units))
    n_bins = len(edges_rows[0][1]) - 1
    bins = np.zeros(values.shape, dtype=np.int64)
    for unit, edges, constant in edges_rows:
        edges = np.array(edges)
        if constant:
            assert np.ptp(values[:, unit]) == 0
            continue
        # np.histogram's rule: edges[b] <= v < edges[b + 1], the last bin closed.
        bins[:, unit] = np.minimum(np.searchsorted(edges, values[:, unit], "right") - 1, n_bins - 1)
        counts = np.bincount(bins[:, unit], minlength=n_bins)
        np.testing.assert_array_equal(counts, np.histogram(values[:, unit], bins=edges)[0])
    constant = np.array([r[2] for r in edges_rows])
    words = con.execute(
        "SELECT DISTINCT word, product_id FROM word_products WHERE scope = 'default'"
    ).fetchall()
    members: dict[str, list[int]] = {}
    for word, product in words:
        if product in index:
            members.setdefault(word, []).append(index[product])
    onehot = np.stack([(bins == b) & ~constant for b in range(n_bins)], axis=2)  # N x U x B
    total = onehot.sum(axis=0)
    expected: dict[tuple[str, int], float] = {}
    for word, rows in members.items():
        n_pos, n_neg = len(rows), len(ids) - len(rows)
        if n_pos < 5 or n_neg < 5:
            continue
        pos = onehot[rows].sum(axis=0)
        p = (1 - DEFAULT_SMOOTHING) * pos / n_pos + DEFAULT_SMOOTHING / n_bins
        q = (1 - DEFAULT_SMOOTHING) * (total - pos) / n_neg + DEFAULT_SMOOTHING / n_bins
        kl = rel_entr(p, q).sum(axis=1) + rel_entr(q, p).sum(axis=1)
        kl[constant] = 0.0
        for unit in range(n_units):
            expected[(word, unit)] = float(kl[unit])
    return expected


def _model(con: duckdb.DuckDBPyConnection) -> str:
    return str(con.execute("SELECT model_id FROM models").fetchall()[0][0])


def test_sample_kl_equals_numpy_scipy(divergence_db: Path) -> None:
    con = connect(divergence_db, read_only=True)
    model_id = _model(con)
    expected = _oracle(con, model_id)
    got = {
        (w, u): kl for w, u, kl in con.execute(
            "SELECT word, unit_id, kl FROM unit_word_divergence WHERE model_id = ?", [model_id]
        ).fetchall()
    }
    con.close()
    assert len(expected) > 10_000 and got.keys() == expected.keys()
    worst = max(abs(got[k] - expected[k]) for k in expected)
    assert worst < 1e-9


def test_sample_prime_units_and_run_record(divergence_db: Path) -> None:
    con = connect(divergence_db, read_only=True)
    n_words, min_units, max_units, bad_rank = con.execute(
        "SELECT count(DISTINCT word), min(n), max(n), max(bad) FROM ("
        " SELECT word, count(*) AS n, max(rank) <> count(*) AS bad FROM prime_units GROUP BY word)"
    ).fetchall()[0]
    kept = con.execute(
        "SELECT count(DISTINCT word) FROM unit_word_divergence"
    ).fetchall()[0][0]
    summary = json.loads(con.execute(
        "SELECT summary FROM runs WHERE stage = 'divergence' AND status = 'ok'"
    ).fetchall()[0][0])
    con.close()
    assert n_words == kept == summary["n_words"] > 0
    assert min_units == max_units == DEFAULT_TOP_K and not bad_rank
    assert summary["n_words"] + summary["n_skipped"] > 0


def test_sample_layer_depth_is_eq4(divergence_db: Path) -> None:
    con = connect(divergence_db, read_only=True)
    model_id = _model(con)
    expected = con.execute(
        "SELECT d.word, u.layer_index, max(d.kl) FROM unit_word_divergence AS d "
        "JOIN units AS u ON u.model_id = d.model_id AND u.unit_id = d.unit_id "
        "WHERE d.model_id = ? GROUP BY ALL", [model_id]
    ).fetchall()
    got = con.execute(
        "SELECT word, layer_index, max_kl, relative FROM layer_depth WHERE model_id = ?",
        [model_id],
    ).fetchall()
    n_layers = con.execute(
        "SELECT count(DISTINCT layer_index) FROM units WHERE model_id = ?", [model_id]
    ).fetchall()[0][0]
    con.close()
    maxima = {(w, li): m for w, li, m in expected}
    assert {(w, li) for w, li, _, _ in got} == maxima.keys()
    sums: dict[str, float] = {}
    for word, layer_index, max_kl, relative in got:
        assert max_kl == maxima[(word, layer_index)]
        sums[word] = sums.get(word, 0.0) + relative
    totals = {w: sum(m for (w2, _), m in maxima.items() if w2 == w) for w in sums}
    for word, _, max_kl, relative in got:
        assert relative == pytest.approx(max_kl / totals[word], abs=1e-12)
    assert all(s == pytest.approx(1.0, abs=1e-12) for s in sums.values())
    assert len(got) == len(sums) * n_layers


def test_cli_divergence_and_depth(extracted_db: Path, tmp_path: Path) -> None:
    path = copy_db(extracted_db, tmp_path, "cli.duckdb")
    result = CliRunner().invoke(
        app, ["--db", str(path), "divergence", "--bins", "8", "--top-k", "5", "--no-progress",
              "--min-positives", "40"]
    )
    assert result.exit_code == 0, result.output
    assert "divergence:" in result.stderr and "x 2096 units" in result.stderr
    assert "skipped" in result.stderr and "fewer than 40 positives" in result.stderr
    depth = CliRunner().invoke(app, ["--db", str(path), "depth", "--top-words", "2"])
    assert depth.exit_code == 0, depth.output
    lines = depth.stdout.strip().splitlines()
    assert lines[0].startswith("layer\tM_l") and len(lines) == 1 + 9
    shares = [float(line.split("\t")[1]) for line in lines[1:]]  # printed to 3 decimals
    assert sum(shares) == pytest.approx(1.0, abs=9 * 0.0005)
    con = connect(path, read_only=True)
    params = json.loads(con.execute(
        "SELECT params FROM runs WHERE stage = 'divergence'"
    ).fetchall()[0][0])
    top = con.execute("SELECT max(rank) FROM prime_units").fetchall()[0][0]
    con.close()
    assert (params["n_bins"], params["min_positives"], top) == (8, 40, 5)


def test_cli_errors_are_one_line(
    db_path: Path, extracted_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--db", str(db_path), "divergence"])
    assert info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "is empty" in err
    path = copy_db(extracted_db, tmp_path, "bad.duckdb")
    with pytest.raises(SystemExit) as info:
        main(["--db", str(path), "divergence", "--smoothing", "0"])
    assert info.value.code == 1
    assert "--smoothing" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["--db", str(path), "depth"])
    assert info.value.code == 1
    assert "run `attrdb divergence` first" in capsys.readouterr().err


def test_every_word_skipped_is_reported_not_fatal(extracted_db: Path, tmp_path: Path) -> None:
    path = copy_db(extracted_db, tmp_path, "skip.duckdb")
    con = connect(path)
    summary = run_divergence(con, min_positives=100_000)
    rows = con.execute("SELECT count(*) FROM unit_word_divergence").fetchall()[0][0]
    n_vocab = con.execute("SELECT count(*) FROM vocabulary").fetchall()[0][0]
    con.close()
    assert summary["n_words"] == 0 and rows == 0
    assert summary["n_skipped"] == n_vocab > 0
