"""EfficientNet-Lite1/Lite2 and the seeded random Lite0: taps, weights, segments."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from attrdb.cnn.architectures import ARCHITECTURES, random_weights_file
from attrdb.cnn.models import load_model, sha256_file


@pytest.mark.parametrize("name", ["efficientnet_lite1", "efficientnet_lite2"])
def test_lite_variants_load_their_weights_and_tap_every_stage(name: str) -> None:
    model = load_model(name)
    arch = ARCHITECTURES[name]
    assert model.weights_sha256 == sha256_file(arch.default_weights())
    size = arch.input_size
    x = torch.randn(1, 3, size, size, generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        maps = model.forward_maps(x)
        # The package's own forward up to the head: an oracle independent of the segments.
        head = model.net.extract_features(x)
    assert [m.shape[1] for m in maps] == list(arch.layer_sizes)
    assert torch.equal(maps[-1], head)
    # The 7 stages' strides (same padding rounds up): 2, 4, 8, 16, 16, 32, 32.
    assert [m.shape[-1] for m in maps[1:8]] == [-(-size // s) for s in (2, 4, 8, 16, 16, 32, 32)]


def test_random_lite0_is_seeded_written_once_and_not_the_pretrained(tmp_path: Path) -> None:
    arch = ARCHITECTURES["efficientnet_lite0_random"]
    first = random_weights_file(arch.build, tmp_path / "a" / "r.pth", 0)
    second = random_weights_file(arch.build, tmp_path / "b" / "r.pth", 0)
    assert sha256_file(first) == sha256_file(second)  # same seed, same torch: same bytes
    other = random_weights_file(arch.build, tmp_path / "c" / "r.pth", 1)
    assert sha256_file(other) != sha256_file(first)
    random_model = load_model("efficientnet_lite0", first)
    pretrained = load_model("efficientnet_lite0")
    assert not torch.equal(random_model.net._conv_stem.weight, pretrained.net._conv_stem.weight)
    assert arch.lineage == "random_init"


@pytest.mark.parametrize("name", ["efficientnet_lite0", "resnet50"])
def test_segments_hold_the_parameters_their_layer_uses(name: str) -> None:
    arch = ARCHITECTURES[name]
    net = arch.build()
    segments = arch.segments(net)
    assert len(segments) == len(arch.layer_names)
    owned = [id(p) for s in segments for m in s.modules for p in m.parameters()]
    assert len(owned) == len(set(owned))  # no parameter in two segments
    # Every parameter the taps use is in a segment: a gradient reaches only those.
    x = torch.randn(1, 3, 64, 64)
    sum(m.sum() for m in arch.taps(net, x)).backward()
    used = {id(p) for p in net.parameters() if p.grad is not None}
    assert used == set(owned)
