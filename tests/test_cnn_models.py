"""The model API: tapped layers equal the original networks, exact weights, the registry."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pytest
import torch
from torch import nn

from attrdb.cnn.architectures import ARCHITECTURES
from attrdb.cnn.finetune import train
from attrdb.cnn.images import load_rgb
from attrdb.cnn.models import (
    TappedModel,
    load_model,
    resolve_device,
    sha256_file,
)
from attrdb.errors import ModelError, StateError
from attrdb.model_registry import list_models, model_from_db, register_model
from tests.tolerances import assert_kernel_close

SAMPLE_IDS = ["10053", "11901", "17064", "20421"]  # T-shirt, shoes, belt, handbag


@pytest.fixture(scope="module")
def lite0() -> TappedModel:
    return load_model()


@pytest.fixture(scope="module")
def images(sample: Path) -> list:
    return [load_rgb(sample / "images" / f"{pid}.jpg") for pid in SAMPLE_IDS]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _hooked_units(
    net: nn.Module, hooks: list[tuple[nn.Module, str]], x: torch.Tensor
) -> torch.Tensor:
    """Run the network's own forward, capturing the given modules' inputs ('pre') or
    outputs ('out'), and max-pool them by hand: an oracle independent of attrdb's taps."""
    captured: list[torch.Tensor] = []
    handles = []
    for module, where in hooks:
        if where == "pre":
            handles.append(module.register_forward_pre_hook(lambda m, i: captured.append(i[0])))
        else:
            handles.append(module.register_forward_hook(lambda m, i, o: captured.append(o.clone())))
    try:
        with torch.no_grad():
            net(x)
    finally:
        for handle in handles:
            handle.remove()
    pooled = [t.flatten(2).max(dim=2).values if t.dim() == 4 else t for t in captured]
    return torch.cat(pooled, dim=1)


def test_default_model_taps_2096_units_with_readable_layers(lite0: TappedModel) -> None:
    assert lite0.model_id == lite0.name == "efficientnet_lite0"
    assert lite0.layer_names == [
        "stem",
        "stage1",
        "stage2",
        "stage3",
        "stage4",
        "stage5",
        "stage6",
        "stage7",
        "head",
    ]
    assert lite0.layer_sizes == [32, 16, 24, 40, 80, 112, 192, 320, 1280]
    assert lite0.n_units == 2096
    assert (lite0.input_size, lite0.mean, lite0.std) == (224, (0.5,) * 3, (0.5,) * 3)
    assert lite0.weights_sha256 == _sha256(lite0.weights_path)
    assert not lite0.training


def test_preprocess_scales_rgb_to_minus_one_one(lite0: TappedModel, images: list) -> None:
    x = lite0.preprocess(images[0])
    assert x.shape == (3, 224, 224) and x.dtype == torch.float32
    manual = (np.asarray(images[0], dtype=np.float32) / 255.0 - 0.5) / 0.5
    assert np.allclose(x.permute(1, 2, 0).numpy(), manual, atol=1e-6)
    small = images[0].resize((100, 60))
    assert lite0.preprocess(small).shape == (3, 224, 224)  # squashed, not cropped


def test_lite0_units_equal_the_package_network_with_hooks(lite0: TappedModel, images: list) -> None:
    x = torch.stack([lite0.preprocess(image) for image in images])
    net = lite0.net
    stage_ends = [0, 2, 4, 7, 10, 14, 15]
    hooks = [(net._blocks[0], "pre")] + [(net._blocks[i], "out") for i in stage_ends]
    hooks.append((net._avg_pooling, "pre"))  # the head's activation enters the pooling
    expected = _hooked_units(net, hooks, x)
    with torch.inference_mode():
        got = lite0.forward_units(x)
    assert got.shape == (4, 2096)
    assert_kernel_close(got.numpy(), expected.numpy(), layer_sizes=lite0.layer_sizes)
    maps = lite0.forward_maps(x[:1])
    assert [m.shape[1] for m in maps] == lite0.layer_sizes


def test_forward_maps_are_differentiable(lite0: TappedModel, images: list) -> None:
    x = lite0.preprocess(images[1]).unsqueeze(0).requires_grad_(True)
    maps = lite0.forward_maps(x)
    maps[4][0, 3].max().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


# --- torchvision models from a user weights file -------------------------------------------

TORCHVISION_ORACLES: dict[str, Callable[[nn.Module], list[tuple[nn.Module, str]]]] = {
    "alexnet": lambda n: [
        (n.features[2], "out"),
        (n.features[5], "out"),
        (n.features[7], "out"),
        (n.features[9], "out"),
        (n.features[12], "out"),
        (n.classifier[2], "out"),
        (n.classifier[5], "out"),
    ],
    "resnet50": lambda n: [
        (n.maxpool, "out"),
        (n.layer1, "out"),
        (n.layer2, "out"),
        (n.layer3, "out"),
        (n.layer4, "out"),
    ],
    "vgg16": lambda n: (
        [(n.features[i], "out") for i in (4, 9, 16, 23, 30)]
        + [(n.classifier[1], "out"), (n.classifier[4], "out")]
    ),
}


def _random_weights(name: str, path: Path) -> Path:
    torch.manual_seed(0)
    torch.save(ARCHITECTURES[name].build().state_dict(), path)
    return path


@pytest.mark.parametrize(
    "name", ["alexnet", "resnet50", pytest.param("vgg16", marks=pytest.mark.slow)]
)
def test_torchvision_model_from_user_weights_file(name: str, tmp_path: Path, images: list) -> None:
    weights = _random_weights(name, tmp_path / f"{name}-random.pth")
    model = load_model(name, weights)
    assert model.weights_sha256 == _sha256(weights)
    assert model.weights_path == weights.resolve()
    assert model.n_units == sum(ARCHITECTURES[name].layer_sizes)
    x = torch.stack([model.preprocess(image) for image in images[:1]])
    with torch.inference_mode():
        maps = model.forward_maps(x)
        units = model.forward_units(x)
    assert [m.shape[1] for m in maps] == model.layer_sizes
    expected = _hooked_units(model.net, TORCHVISION_ORACLES[name](model.net), x)
    assert_kernel_close(units.numpy(), expected.numpy(), layer_sizes=model.layer_sizes)
    # The weights really are the file's, not a fresh random initialisation.
    saved = torch.load(weights, weights_only=True)
    first = next(iter(saved))
    assert torch.equal(model.net.state_dict()[first], saved[first])


def _resnet50_with_real_batchnorm_statistics(path: Path) -> Path:
    # A fresh ResNet's BatchNorms are identities (mean 0, variance 1, scale 1, shift 0), which
    # folding would leave right however wrong it was: give them statistics first.
    torch.manual_seed(0)
    net = ARCHITECTURES["resnet50"].build()
    for module in net.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 2.0)
            module.weight.data.uniform_(0.5, 1.5)
            module.bias.data.uniform_(-0.2, 0.2)
    torch.save(net.state_dict(), path)
    return path


@pytest.mark.parametrize("name", ["efficientnet_lite0", "resnet50"])
def test_folded_batchnorm_gives_the_same_units(name: str, tmp_path: Path, images: list) -> None:
    weights = (None if name == "efficientnet_lite0"
               else _resnet50_with_real_batchnorm_statistics(tmp_path / "r50.pth"))
    plain = load_model(name, weights)
    folded = load_model(name, weights).fold_batchnorm()
    assert folded.fold_batchnorm() is folded  # folding twice is a no-op
    assert not any(isinstance(m, nn.BatchNorm2d) for m in folded.net.modules())
    assert sum(isinstance(m, nn.BatchNorm2d) for m in plain.net.modules()) > 40
    x = torch.stack([plain.preprocess(image) for image in images])
    with torch.inference_mode():
        expected = plain.forward_units(x).numpy()
        actual = folded.forward_units(x).numpy()
    assert_kernel_close(actual, expected, layer_sizes=plain.layer_sizes)
    assert not np.array_equal(actual, expected)  # the folded pass is a different computation
    with pytest.raises(ModelError, match="folded for inference"):
        train(folded, torch.zeros(1, 3, 8, 8, dtype=torch.uint8), torch.zeros(1),
              None, checkpoint=tmp_path / "c.ckpt", identity={})  # type: ignore[arg-type]


def test_alexnet_taps_the_papers_layers(tmp_path: Path) -> None:
    weights = _random_weights("alexnet", tmp_path / "a.pth")
    model = load_model("alexnet", weights)
    assert model.layer_names == ["pool1", "pool2", "conv3", "conv4", "pool5", "fc6", "fc7"]
    assert model.n_units == 9344
    # The torchvision weights cache is used when no file is given (nothing downloaded).
    cache = tmp_path / "torch_home"
    (cache / "hub" / "checkpoints").mkdir(parents=True)
    cached = weights.rename(cache / "hub" / "checkpoints" / "alexnet-owt-7be5be79.pth")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TORCH_HOME", str(cache))
        from_cache = load_model("alexnet")
    assert from_cache.weights_path == cached.resolve()
    assert from_cache.weights_sha256 == model.weights_sha256


def test_missing_weights_are_a_model_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ModelError, match="weights file not found: .*nothere.pth"):
        load_model("alexnet", tmp_path / "nothere.pth")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "empty_cache"))
    with pytest.raises(ModelError, match="no weights for resnet50: pass --weights FILE"):
        load_model("resnet50")


def test_unfit_or_unreadable_weights_are_a_model_error(tmp_path: Path, lite0: TappedModel) -> None:
    with pytest.raises(ModelError, match="does not fit alexnet"):
        load_model("alexnet", lite0.weights_path)
    text = tmp_path / "weights.pth"
    text.write_text("not a checkpoint", encoding="utf-8")
    with pytest.raises(ModelError, match="cannot read weights file"):
        load_model("efficientnet_lite0", text)
    tensor_only = tmp_path / "tensor.pth"
    torch.save(torch.zeros(3), tensor_only)
    with pytest.raises(ModelError, match="holds no state_dict"):
        load_model("efficientnet_lite0", tensor_only)
    with pytest.raises(ModelError, match="unknown model 'caffenet'; known models: alexnet"):
        load_model("caffenet")


def test_device_resolution() -> None:
    assert resolve_device("cpu") == torch.device("cpu")
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected
    if not torch.cuda.is_available():
        with pytest.raises(ModelError, match="no CUDA GPU"):
            resolve_device("cuda")
    with pytest.raises(ModelError, match="unknown device"):
        resolve_device("tpu9")


# --- the registry -----------------------------------------------------------------------------


@pytest.fixture
def perturbed(tmp_path: Path, lite0: TappedModel) -> Path:
    """EfficientNet-Lite0 weights with one tensor changed: same architecture, other hash."""
    state = torch.load(lite0.weights_path, weights_only=True)
    state["_fc.bias"] = state["_fc.bias"] + 1.0
    path = tmp_path / "lite0-tuned.pth"
    torch.save(state, path)
    return path


def test_register_records_hash_and_every_unit(
    con: duckdb.DuckDBPyConnection, lite0: TappedModel
) -> None:
    assert register_model(con, lite0) is True
    assert register_model(con, lite0) is False  # same weights again: a no-op
    row = con.execute(
        "SELECT name, weights, weights_sha256, input_size, n_units, mean, std FROM models"
    ).fetchall()
    assert row == [
        (
            "efficientnet_lite0",
            str(lite0.weights_path),
            sha256_file(lite0.weights_path),
            224,
            2096,
            [0.5] * 3,
            [0.5] * 3,
        )
    ]
    units = con.execute(
        "SELECT unit_id, layer, layer_index, channel FROM units ORDER BY unit_id"
    ).fetchall()
    expected = [
        (layer, index, channel)
        for index, (layer, size) in enumerate(
            zip(lite0.layer_names, lite0.layer_sizes, strict=True)
        )
        for channel in range(size)
    ]
    assert [u[0] for u in units] == list(range(2096))
    assert [u[1:] for u in units] == expected
    assert list_models(con)[0]["layers"] == ",".join(lite0.layer_names)


def test_same_model_id_with_other_weights_is_refused(
    con: duckdb.DuckDBPyConnection, lite0: TappedModel, perturbed: Path
) -> None:
    register_model(con, lite0)
    tuned = load_model("efficientnet_lite0", perturbed)
    with pytest.raises(ModelError, match="registered as efficientnet_lite0 with weights sha256"):
        register_model(con, tuned)
    renamed = load_model("efficientnet_lite0", perturbed, model_id="lite0_tuned")
    assert register_model(con, renamed) is True
    assert con.execute("SELECT count(*) FROM units").fetchall()[0][0] == 2 * 2096


def test_model_from_db_checks_the_weights_hash(
    con: duckdb.DuckDBPyConnection, lite0: TappedModel, perturbed: Path, images: list
) -> None:
    register_model(con, lite0)
    register_model(con, load_model("efficientnet_lite0", perturbed, model_id="tuned"))
    rebuilt = model_from_db(con, "efficientnet_lite0")
    assert rebuilt.weights_sha256 == lite0.weights_sha256
    x = lite0.preprocess(images[0]).unsqueeze(0)
    with torch.inference_mode():
        assert torch.equal(rebuilt.forward_units(x), lite0.forward_units(x))
    assert model_from_db(con, "tuned").model_id == "tuned"
    # The registered file changes: refused, not silently used.
    state = torch.load(perturbed, weights_only=True)
    state["_fc.bias"] = state["_fc.bias"] * 2
    torch.save(state, perturbed)
    with pytest.raises(ModelError, match="model 'tuned' was registered with"):
        model_from_db(con, "tuned")
    # The file is gone: the architecture's default file is tried, and its hash differs.
    perturbed.unlink()
    with pytest.raises(ModelError, match="results are tied to the exact weights"):
        model_from_db(con, "tuned")
    with pytest.raises(StateError, match="model 'nope' is not registered"):
        model_from_db(con, "nope")
