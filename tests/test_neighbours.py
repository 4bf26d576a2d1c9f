"""Attribute neighbourhoods (attrdb.neighbours) against numpy / scipy / scikit-learn.

Small constructed divergence profiles with planted families of words (each family shares a
set of units), written straight into ``unit_word_divergence`` and ``prime_units``.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.cluster import AgglomerativeClustering
from sklearn.metrics import adjusted_rand_score

from attrdb.errors import InputError, StateError
from attrdb.neighbours import run_neighbours

N_UNITS = 40
FAMILIES = {"colour": ["red", "blue", "green", "pink"], "pattern": ["striped", "floral", "checked"],
            "care": ["dry", "warm", "damp"]}
WORDS = sorted(w for ws in FAMILIES.values() for w in ws)


def _profiles(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    floor = rng.gamma(2.0, 0.05, N_UNITS)  # per-unit noise floor every word shares
    out = {}
    for f, (_, words) in enumerate(sorted(FAMILIES.items())):
        units = np.arange(f * 8, f * 8 + 8)
        for w in words:
            kl = floor + rng.gamma(1.0, 0.02, N_UNITS)
            kl[units] += rng.uniform(0.5, 1.0, len(units))
            out[w] = kl
    return out


def _load(con: duckdb.DuckDBPyConnection, profiles: dict[str, np.ndarray], top_k: int) -> None:
    con.execute(
        "INSERT INTO models (model_id, name, weights, weights_sha256, input_size, n_units) "
        "VALUES ('m', 'toy', 'none', '0', 224, ?)", [N_UNITS])
    for w, kl in profiles.items():
        con.executemany(
            "INSERT INTO unit_word_divergence (model_id, scope, word, unit_id, kl, n_pos, n_neg) "
            "VALUES ('m', 'default', ?, ?, ?, 10, 90)",
            [(w, u, float(v)) for u, v in enumerate(kl)])
        top = np.lexsort((np.arange(N_UNITS), -kl))[:top_k]
        con.executemany(
            "INSERT INTO prime_units (model_id, scope, word, unit_id, rank, kl) "
            "VALUES ('m', 'default', ?, ?, ?, ?)",
            [(w, int(u), r + 1, float(kl[u])) for r, u in enumerate(top)])


def _stored(con: duckdb.DuckDBPyConnection, method: str) -> dict[tuple[str, str], float]:
    return {(a, b): s for a, b, s in con.execute(
        "SELECT word, neighbour, similarity FROM word_similarity WHERE method = ?",
        [method]).fetchall()}


@pytest.fixture
def toy(con: duckdb.DuckDBPyConnection) -> dict[str, np.ndarray]:
    profiles = _profiles(0)
    _load(con, profiles, top_k=8)
    return profiles


def test_cosine_of_residual_profiles_matches_numpy(con, toy) -> None:
    run_neighbours(con, method="cosine", n_groups=3)
    matrix = np.array([toy[w] for w in WORDS])
    common = matrix.mean(axis=0)
    residual = matrix - np.outer(matrix @ common / (common @ common), common)
    unit = residual / np.linalg.norm(residual, axis=1, keepdims=True)
    expected = unit @ unit.T
    stored = _stored(con, "cosine")
    assert len(stored) == len(WORDS) * (len(WORDS) - 1)
    for (a, b), s in stored.items():
        assert s == pytest.approx(expected[WORDS.index(a), WORDS.index(b)], abs=1e-12)
    z = con.execute("SELECT z FROM word_similarity WHERE word = 'red' AND neighbour = 'blue'"
                    ).fetchall()[0][0]
    upper = expected[np.triu_indices(len(WORDS), 1)]
    value = expected[WORDS.index("red"), WORDS.index("blue")]
    assert z == pytest.approx((value - upper.mean()) / upper.std(ddof=1), abs=1e-9)


def test_uses_null_corrected_kl_z_when_present(con, toy) -> None:
    z = {w: (kl - kl.mean()) * (1 + i) for i, (w, kl) in enumerate(sorted(toy.items()))}
    for w, values in z.items():
        con.executemany("UPDATE unit_word_divergence SET kl_z = ? WHERE word = ? AND unit_id = ?",
                        [(float(v), w, u) for u, v in enumerate(values)])
    summary = run_neighbours(con, method="spearman", n_groups=3, value="kl_z")
    assert summary["value"] == "kl_z"
    for (a, b), s in _stored(con, "spearman").items():
        assert s == pytest.approx(spearmanr(z[a], z[b]).statistic, abs=1e-12)
    assert run_neighbours(con, method="spearman", value="kl")["value"] == "kl"


def test_spearman_matches_scipy_with_ties(con) -> None:
    profiles = _profiles(1)
    profiles["red"][:10] = 0.0  # tied ranks
    profiles["dry"][5:15] = 0.0
    _load(con, profiles, top_k=8)
    run_neighbours(con, method="spearman", n_groups=3)
    stored = _stored(con, "spearman")
    for (a, b), s in stored.items():
        assert s == pytest.approx(spearmanr(profiles[a], profiles[b]).statistic, abs=1e-12)


def test_prime_jaccard_matches_sets(con, toy) -> None:
    run_neighbours(con, method="prime_jaccard", top_k=5, n_groups=3)
    top = {w: set(np.lexsort((np.arange(N_UNITS), -kl))[:5].tolist()) for w, kl in toy.items()}
    stored = _stored(con, "prime_jaccard")
    assert len(stored) == len(WORDS) * (len(WORDS) - 1)
    for (a, b), s in stored.items():
        assert s == pytest.approx(len(top[a] & top[b]) / len(top[a] | top[b]))


@pytest.mark.parametrize("method", ["cosine", "spearman"])
def test_groups_match_scikit_learn_and_recover_families(con, toy, method) -> None:
    summary = run_neighbours(con, method=method, n_groups=3)
    words = sorted(toy)
    similarity = np.eye(len(words))
    for (a, b), s in _stored(con, method).items():
        similarity[words.index(a), words.index(b)] = s
    for linkage in ("average", "complete"):
        run_neighbours(con, method=method, n_groups=3, linkage=linkage)
        expected = AgglomerativeClustering(
            n_clusters=3, metric="precomputed", linkage=linkage).fit_predict(1.0 - similarity)
        found = dict(con.execute("SELECT word, group_id FROM word_groups WHERE method = ?",
                                 [method]).fetchall())
        assert adjusted_rand_score(expected, [found[w] for w in words]) == 1.0
    family = {w: f for f, ws in FAMILIES.items() for w in ws}
    assert adjusted_rand_score([family[w] for w in words], [found[w] for w in words]) == 1.0
    # Group 1 is the largest; leaf orders are a permutation; the summary lists neighbours.
    assert summary["groups"][0]["size"] == 4
    orders = sorted(r[0] for r in con.execute("SELECT leaf_order FROM word_groups "
                                              "WHERE method = ?", [method]).fetchall())
    assert orders == list(range(len(words)))
    assert set(summary["neighbours"]["red"][:3]) == {"blue", "green", "pink"}


def test_neighbour_view_ranks_with_support(con, toy) -> None:
    run_neighbours(con, method="cosine", n_groups=3)
    found = con.execute(
        "SELECT neighbour, rank, word_n_pos, neighbour_n_pos, word_group = neighbour_group "
        "FROM word_neighbours WHERE method = 'cosine' AND word = 'striped' ORDER BY rank"
    ).fetchall()
    assert [r[1] for r in found] == list(range(1, len(WORDS)))
    assert {r[0] for r in found[:2]} == {"floral", "checked"}
    assert all(r[2] == 10 and r[3] == 10 for r in found)
    assert found[0][4] is True


def test_rerun_replaces_rows(con, toy) -> None:
    run_neighbours(con, method="cosine", n_groups=3)
    run_neighbours(con, method="cosine", n_groups=2)
    n, groups = con.execute("SELECT count(*), count(DISTINCT group_id) FROM word_groups"
                            ).fetchall()[0]
    assert (n, groups) == (len(WORDS), 2)


def test_errors(con) -> None:
    with pytest.raises(InputError, match="--method"):
        run_neighbours(con, method="euclid")
    with pytest.raises(InputError, match="--linkage"):
        run_neighbours(con, linkage="ward")
    with pytest.raises(InputError, match="--value"):
        run_neighbours(con, value="kl_excess")
    con.execute("INSERT INTO models (model_id, name, weights, weights_sha256, input_size, "
                "n_units) VALUES ('m', 'toy', 'none', '0', 224, 1)")
    with pytest.raises(StateError, match="is empty; run `attrdb divergence`"):
        run_neighbours(con)
    con.execute("INSERT INTO unit_word_divergence (model_id, scope, word, unit_id, kl, n_pos, "
                "n_neg) VALUES ('m', 'default', 'red', 0, 0.1, 5, 5)")
    con.execute("INSERT INTO prime_units (model_id, scope, word, unit_id, rank, kl) "
                "VALUES ('m', 'default', 'red', 0, 1, 0.1)")
    with pytest.raises(StateError, match="no kl_z"):
        run_neighbours(con, value="kl_z")
    with pytest.raises(StateError, match="1 words have divergences .* at least two"):
        run_neighbours(con)


def test_cli(db_path) -> None:
    from typer.testing import CliRunner

    from attrdb.cli import app
    from attrdb.connection import connect

    con = connect(db_path)
    _load(con, _profiles(0), top_k=8)
    con.close()
    result = CliRunner().invoke(app, ["--db", str(db_path), "neighbours", "--n-groups", "3"])
    assert result.exit_code == 0, result.output
    assert "neighbours (cosine of kl): 10 words" in result.output
    bad = CliRunner().invoke(app, ["--db", str(db_path), "neighbours", "--method", "x"])
    assert bad.exit_code == 1


def test_report_section(con, toy, tmp_path) -> None:
    from attrdb.report import build_report

    assert build_report(con, tmp_path / "a.html").statuses["neighbours"] == "absent"
    run_neighbours(con, method="cosine", n_groups=3)
    result = build_report(con, tmp_path / "r.html")
    assert result.statuses["neighbours"] == "ok", result.failures
    text = (tmp_path / "r.html").read_text()
    assert "Attribute neighbourhoods" in text and "5 nearest (similarity, positives)" in text
