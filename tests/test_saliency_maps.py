"""Map math (smoothing, normalisation, eq. 5) and evaluation metrics against direct
numpy / scikit-learn computations on small constructed arrays."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score

from attrdb.saliency.maps import (
    attribute_map,
    center_prior,
    grid_size,
    map_shape,
    normalise,
    patch_centres,
    resize_map,
    unit_maps,
)
from attrdb.saliency.metrics import average_precision, iou_at, pointing_hit
from attrdb.saliency.occlusion import n_passes, positions


def naive_unit_map(
    deltas: dict[int, np.ndarray], size: int, stride: int, out_hw: tuple[int, int], factor: float
) -> np.ndarray:
    """R_i for one unit, pixel by pixel and position by position (the definition)."""
    h, w = out_hw
    total = np.zeros(out_hw)
    for patch, grid in deltas.items():
        n = grid.shape[0]
        sigma = factor * patch
        for y in range(h):
            for x in range(w):
                sy = (y + 0.5) * size / h - 0.5
                sx = (x + 0.5) * size / w - 0.5
                num = den = 0.0
                for iy in range(n):
                    for ix in range(n):
                        cy = iy * stride + (patch - 1) / 2
                        cx = ix * stride + (patch - 1) / 2
                        g = np.exp(-((sy - cy) ** 2 + (sx - cx) ** 2) / (2 * sigma**2))
                        num += g * grid[iy, ix]
                        den += g
                total[y, x] += num / den
    total /= len(deltas)
    flat = total.ravel()
    if flat[np.argmax(np.abs(flat))] < 0:
        total = -total
    return (total - total.min()) / (total.max() - total.min())


def test_grid_and_passes_match_the_paper_counts() -> None:
    # NOTES.md: the paper's setting is ~8,000 passes, stride 16 at 256 px is 542.
    assert n_passes(256, (24, 48, 96), 4) == 7971
    assert n_passes(256, (24, 48, 96), 16) == 542
    assert grid_size(224, 24, 16) == 13
    assert len(positions(224, (24, 96), 16)) == 13 * 13 + 9 * 9
    assert patch_centres(64, 24, 16).tolist() == [11.5, 27.5, 43.5]
    with pytest.raises(ValueError):
        grid_size(32, 48, 4)


def test_unit_maps_equal_the_pixelwise_definition() -> None:
    rng = np.random.default_rng(3)
    size, stride, out_hw = 64, 8, (15, 10)
    deltas = {p: rng.normal(size=(3, grid_size(size, p, stride), grid_size(size, p, stride)))
              for p in (16, 32)}
    fast = unit_maps(deltas, size=size, stride=stride, out_hw=out_hw, sigma_factor=0.5)
    for u in range(3):
        slow = naive_unit_map({p: d[u] for p, d in deltas.items()}, size, stride, out_hw, 0.5)
        np.testing.assert_allclose(fast[u], slow, atol=1e-9)


def test_negative_peak_is_negated_and_maps_lie_in_unit_interval() -> None:
    grid = np.zeros((1, 5, 5))
    grid[0, 2, 2] = -4.0  # occluding the centre raises the unit: the peak is negative
    grid[0, 0, 0] = 1.0
    r = unit_maps({16: grid}, size=80, stride=16, out_hw=(40, 40))[0]
    assert r.min() == 0.0 and r.max() == 1.0
    assert np.unravel_index(r.argmax(), r.shape) in {(19, 19), (19, 20), (20, 19), (20, 20)}
    assert np.all(normalise(np.full((2, 3, 3), 7.0)) == 0)


@settings(max_examples=30, deadline=None)
@given(k=st.integers(1, 6), seed=st.integers(0, 10_000))
def test_eq5_is_the_kl_weighted_mean(k: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    maps = rng.random((k, 7, 5))
    kl = rng.random(k) * 3
    expected = np.zeros((7, 5))
    for i in range(k):
        expected += kl[i] * maps[i]
    expected /= kl.sum()
    got = attribute_map(maps, kl)
    np.testing.assert_allclose(got, expected, atol=1e-12)
    assert got.min() >= 0 and got.max() <= 1


def test_eq5_refuses_bad_weights() -> None:
    with pytest.raises(ValueError):
        attribute_map(np.zeros((2, 3, 3)), [1.0])
    with pytest.raises(ValueError):
        attribute_map(np.zeros((2, 3, 3)), [1.0, -1.0])
    np.testing.assert_allclose(attribute_map(np.stack([np.zeros((2, 2)), np.ones((2, 2))]),
                                             [0.0, 0.0]), 0.5)


def test_map_shape_keeps_the_aspect_ratio() -> None:
    assert map_shape((832, 550), 128) == (128, 85)
    assert map_shape((550, 832), 128) == (85, 128)
    prior = center_prior((128, 85))
    assert prior.shape == (128, 85) and prior.max() == 1.0 and prior.min() == 0.0
    ramp = np.arange(12.0).reshape(3, 4)
    np.testing.assert_allclose(resize_map(ramp, (3, 4)), ramp)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), levels=st.integers(2, 50))
def test_average_precision_matches_scikit_learn(seed: int, levels: int) -> None:
    rng = np.random.default_rng(seed)
    truth = rng.random((9, 11)) < 0.3
    truth[0, 0] = True
    scores = rng.integers(0, levels, size=truth.shape) / levels  # many ties
    assert average_precision(scores, truth) == pytest.approx(
        average_precision_score(truth.ravel(), scores.ravel()), abs=1e-12
    )


def test_iou_and_pointing() -> None:
    truth = np.zeros((50, 40), dtype=bool)
    truth[10:20, 10:20] = True
    values = np.zeros((50, 40))
    values[10:20, 10:30] = 0.8
    np.testing.assert_allclose(iou_at(values, truth, [0.5, 0.9]), [0.5, 0.0])
    values[45, 5] = 1.0
    assert not pointing_hit(values, truth, tolerance=15)
    values[30, 15] = 2.0  # 11 px below the region
    assert pointing_hit(values, truth, tolerance=15)
    assert not pointing_hit(values, truth, tolerance=10)
    flat = np.ones((50, 40))
    assert average_precision(flat, truth) == pytest.approx(truth.mean())


def test_cli_defaults_agree_with_the_library() -> None:
    from attrdb.cli import saliency as cli
    from attrdb.saliency.compute import DEFAULT_KS, SweepSettings
    from attrdb.saliency.occlusion import PAPER_PATCHES, PAPER_SIZE, PAPER_STRIDE

    defaults = SweepSettings()
    assert cli.DEFAULT_PATCHES == ",".join(map(str, defaults.patches)) == "24,48,96"
    assert cli.DEFAULT_STRIDE == defaults.stride
    assert cli.DEFAULT_KS == ",".join(map(str, DEFAULT_KS))
    assert (cli.PAPER_SIZE, cli.PAPER_STRIDE) == (PAPER_SIZE, PAPER_STRIDE)
    assert tuple(int(p) for p in cli.DEFAULT_PATCHES.split(",")) == PAPER_PATCHES
