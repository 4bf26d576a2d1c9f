"""Properties of the symmetric KL (hypothesis): non-negative, symmetric, 0 for equal shapes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import rel_entr

from attrdb.divergence import run_divergence
from tests.conftest import memory_copy
from tests.test_divergence import MODEL, Catalogue, load

_KL = (
    "SELECT symmetric_kl("
    " list_transform($p, lambda c: smoothed_probability(c, list_sum($p), len($p), $eps)),"
    " list_transform($q, lambda c: smoothed_probability(c, list_sum($q), len($q), $eps)))"
)


@pytest.fixture(scope="module")
def con(empty_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = memory_copy(empty_db)
    yield connection
    connection.close()


def _kl(con: duckdb.DuckDBPyConnection, p: list[int], q: list[int], eps: float) -> float:
    return float(con.execute(_KL, {"p": p, "q": q, "eps": eps}).fetchall()[0][0])


histograms = st.integers(2, 24).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 60), min_size=n, max_size=n).filter(lambda h: sum(h) > 0),
        st.lists(st.integers(0, 60), min_size=n, max_size=n).filter(lambda h: sum(h) > 0),
    )
)
smoothings = st.floats(1e-4, 0.9)


@settings(max_examples=200, deadline=None)
@given(pair=histograms, eps=smoothings)
def test_kl_is_nonnegative_symmetric_and_matches_scipy(
    con: duckdb.DuckDBPyConnection, pair: tuple[list[int], list[int]], eps: float
) -> None:
    p, q = pair
    forward, backward = _kl(con, p, q, eps), _kl(con, q, p, eps)
    assert forward >= 0.0
    assert forward == pytest.approx(backward, rel=1e-12, abs=1e-15)
    pp = (1 - eps) * np.array(p) / sum(p) + eps / len(p)
    qq = (1 - eps) * np.array(q) / sum(q) + eps / len(q)
    expected = rel_entr(pp, qq).sum() + rel_entr(qq, pp).sum()
    assert forward == pytest.approx(expected, rel=1e-9, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(
    p=st.lists(st.integers(0, 40), min_size=2, max_size=24).filter(lambda h: sum(h) > 0),
    scale=st.integers(1, 50),
    eps=smoothings,
)
def test_kl_is_zero_for_the_same_distribution(
    con: duckdb.DuckDBPyConnection, p: list[int], scale: int, eps: float
) -> None:
    # Same shape, different sample sizes: the size-proportional smoothing keeps them equal.
    assert abs(_kl(con, p, [c * scale for c in p], eps)) < 1e-12


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), share=st.floats(0.15, 0.85), n_bins=st.integers(2, 40))
def test_swapping_positives_and_negatives_keeps_every_kl(
    seed: int, share: float, n_bins: int, empty_db: Path
) -> None:
    # A word and its complement (D+ and D- swapped) get the same KL on every unit; one of
    # the two is counted over its negatives (the complement path), the other directly.
    rng = np.random.default_rng(seed)
    n = 40
    acts = np.maximum(0.0, rng.normal(0.2, 1.0, (n, 4))).astype(np.float32)
    members = np.flatnonzero(rng.random(n) < share)
    others = np.setdiff1d(np.arange(n), members)
    if min(len(members), len(others)) < 2:
        return
    cat = Catalogue(acts, ["train"] * n, [True] * n, [True] * n,
                    {"word": list(members), "not_word": list(others)})
    con = memory_copy(empty_db)
    load(con, cat)
    run_divergence(con, n_bins=n_bins, min_positives=2, min_negatives=2)
    rows = con.execute(
        "SELECT unit_id, list(kl ORDER BY word) FROM unit_word_divergence WHERE model_id = ? "
        "GROUP BY unit_id", [MODEL]
    ).fetchall()
    con.close()
    assert len(rows) == 4
    for _, (not_word, word) in rows:
        assert word >= 0.0
        assert word == pytest.approx(not_word, rel=1e-12, abs=1e-15)
