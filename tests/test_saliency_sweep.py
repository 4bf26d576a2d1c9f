"""The occlusion sweep on real CCP street photos with the embedded EfficientNet-Lite0.

A coarse sweep (128 px, patches 24 and 48, stride 24: 41 forward passes) keeps each test
to seconds; the code path is the one the stage runs at any setting.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

from attrdb.cnn.images import load_rgb
from attrdb.cnn.models import TappedModel, load_model
from attrdb.connection import connect
from attrdb.saliency import store
from attrdb.saliency.compute import units_forward
from attrdb.saliency.inputs import normalised, squash
from attrdb.saliency.maps import map_shape, unit_maps
from attrdb.saliency.occlusion import Sweep, n_passes, occlusion_sweep
from tests.tolerances import KERNEL_RTOL

SIZE, PATCHES, STRIDE = 128, (24, 48), 24


@pytest.fixture(scope="module")
def model() -> Iterator[TappedModel]:
    torch.set_num_threads(2)
    yield load_model()


@pytest.fixture(scope="module")
def photo(shared_data: Path) -> Path:
    return shared_data / "ccp" / "photos" / "0001.jpg"


@pytest.fixture(scope="module")
def inputs(model: TappedModel, shared_data: Path, photo: Path) -> tuple[torch.Tensor, torch.Tensor]:
    """The photo's sweep input and an occluder from the mean of 12 CCP photos."""
    paths = sorted((shared_data / "ccp" / "photos").glob("*.jpg"))[:12]
    mean = np.mean([squash(load_rgb(p), SIZE) / 255.0 for p in paths], axis=0)
    return normalised(model, squash(load_rgb(photo), SIZE)), normalised(model, mean)


@pytest.fixture(scope="module")
def shared_sweep(model: TappedModel, inputs: tuple[torch.Tensor, torch.Tensor]) -> Sweep:
    x, occluder = inputs
    return occlusion_sweep(units_forward(model), x, occluder, patches=PATCHES, stride=STRIDE,
                           batch_size=16)


def test_one_sweep_records_every_unit_at_every_position(
    model: TappedModel, shared_sweep: Sweep
) -> None:
    assert n_passes(SIZE, PATCHES, STRIDE) == 41
    assert shared_sweep.n_units == model.n_units == 2096
    assert {p: d.shape for p, d in shared_sweep.deltas.items()} == {
        24: (2096, 5, 5), 48: (2096, 4, 4)}
    # Occluding a street photo moves many units (not a no-op sweep).
    assert np.mean(np.abs(shared_sweep.deltas[48]).max(axis=(1, 2)) > 1e-3) > 0.5


def test_stored_shared_sweep_gives_the_same_unit_map_as_a_sweep_for_that_unit_alone(
    model: TappedModel, inputs: tuple[torch.Tensor, torch.Tensor], shared_sweep: Sweep
) -> None:
    x, occluder = inputs
    con = connect(":memory:", create=True)
    store.save_sweep(con, model_id="m", product_id="0001", sweep=shared_sweep, image_hw=(832, 550))
    loaded, image_hw = store.load_sweep(con, model_id="m", product_id="0001", size=SIZE,
                                        stride=STRIDE) or (None, None)
    assert loaded is not None and image_hw == (832, 550)
    out_hw = map_shape(image_hw, 96)
    # A unit of the stem and one of the last tapped layer.
    forward = units_forward(model)
    for unit in (40, 2000):
        # Other batches than the shared sweep's (7 vs 16 occluded copies per pass).
        alone = occlusion_sweep(
            lambda b, u=unit: forward(b)[:, [u]], x, occluder,
            patches=PATCHES, stride=STRIDE, batch_size=7,
        )
        assert alone.n_units == 1
        expected = unit_maps(alone.deltas, size=SIZE, stride=STRIDE, out_hw=out_hw)[0]
        fresh = unit_maps(shared_sweep.select([unit]), size=SIZE, stride=STRIDE, out_hw=out_hw)[0]
        got = unit_maps(loaded.select([unit]), size=SIZE, stride=STRIDE, out_hw=out_hw)[0]
        assert expected.max() == 1.0
        # Other batch sizes, so other float32 kernels: equal up to their rounding
        # (tests/tolerances.py; maps are normalised to a maximum of 1); float16: to 5e-4.
        np.testing.assert_allclose(fresh, expected, rtol=0, atol=KERNEL_RTOL)
        np.testing.assert_allclose(got, expected, atol=5e-4)
        assert got.shape == (96, 63)
        assert got.min() >= 0.0 and got.max() <= 1.0


def test_batch_size_does_not_change_the_sweep(
    model: TappedModel, inputs: tuple[torch.Tensor, torch.Tensor], shared_sweep: Sweep
) -> None:
    x, occluder = inputs
    units = [5, 300, 1500, 2095]
    forward = units_forward(model)
    other = occlusion_sweep(lambda b: forward(b)[:, units], x, occluder,
                            patches=PATCHES, stride=STRIDE, batch_size=41)
    for p in PATCHES:
        np.testing.assert_allclose(other.deltas[p], shared_sweep.deltas[p][units], atol=1e-3)


def test_sweep_input_errors(model: TappedModel, inputs: tuple[torch.Tensor, torch.Tensor]) -> None:
    x, occluder = inputs
    with pytest.raises(ValueError, match="C x S x S"):
        occlusion_sweep(model.forward_units, x[:, :100], occluder)
    with pytest.raises(ValueError, match="differ"):
        occlusion_sweep(model.forward_units, x, occluder[:, :64, :64])
