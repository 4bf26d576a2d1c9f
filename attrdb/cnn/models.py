"""A pretrained CNN with its tapped layers: the one model API extraction and saliency share.

``load_model`` builds a network from an architecture and an exact weights file (its
sha256 is kept, results tie to it); ``load_registered`` rebuilds a registered model from
its ``models`` row and refuses weights whose hash differs (the row is read by
``attrdb.model_registry``: this module never opens the database).
``TappedModel.forward_maps`` gives every tapped layer's feature map (differentiable),
``forward_units`` the units in ``units.unit_id`` order, conv maps pooled over space as the
model's ``pooling`` says (``POOLINGS``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from PIL import Image
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from attrdb.cnn.allocator import keep_freed_memory
from attrdb.cnn.architectures import Architecture, architecture
from attrdb.errors import ModelError

if TYPE_CHECKING:
    from attrdb.cnn.registry import Registration

# Every torch path of attrdb builds its network here: configure the allocator first.
keep_freed_memory()

# Spatial pooling of conv maps into units: the paper's maximum, the mean (colour covers
# areas, a maximum sees one spot), or both (every max unit, then every mean unit).
POOLINGS = ("max", "mean", "both")


class Resizer:
    """Image -> uint8 tensor (3, size, size): the picklable half of preprocessing.

    Images are squashed to the square input (no crop): product photos are framed on the
    item and cropping would cut attributes such as sleeves, hems or toes.
    """

    def __init__(self, size: int) -> None:
        self.size = size

    def __call__(self, image: Image.Image) -> torch.Tensor:
        if image.mode != "RGB":
            image = image.convert("RGB")
        if image.size != (self.size, self.size):
            image = image.resize((self.size, self.size), Image.Resampling.BILINEAR)
        array = np.asarray(image, dtype=np.uint8)
        return torch.from_numpy(array.copy()).permute(2, 0, 1)


class TappedModel(nn.Module):
    """A CNN in eval mode whose tapped layers are read at once.

    Attributes:
        model_id: the id it is (or will be) registered under in ``models``.
        name: architecture name (``efficientnet_lite0``, ``alexnet``, ``vgg16``, ``resnet50``).
        input_size: square input side in pixels.
        mean, std: per-channel normalisation of [0, 1] RGB values.
        layer_names: tapped layers, early to late (``units.layer``).
        layer_sizes: channels per tapped layer; unit ids are these concatenated in order.
        n_units: total number of units.
        weights_path: the weights file loaded.
        weights_sha256: its sha256 (``models.weights_sha256``).
        pooling: spatial pooling of conv maps into units (``models.pooling``).
        batchnorm_folded: whether ``fold_batchnorm`` ran (inference only from then on).
    """

    _mean: torch.Tensor
    _std: torch.Tensor

    def __init__(
        self,
        arch: Architecture,
        net: nn.Module,
        *,
        model_id: str,
        weights_path: Path,
        weights_sha256: str,
        pooling: str = "max",
    ) -> None:
        super().__init__()
        if pooling not in POOLINGS:
            raise ModelError(f"unknown pooling {pooling!r}; use one of {', '.join(POOLINGS)}")
        self.arch = arch
        self.net = net
        self.model_id = model_id
        self.name = arch.name
        self.input_size = arch.input_size
        self.mean = arch.mean
        self.std = arch.std
        self.layer_names = list(arch.layer_names)
        self.layer_sizes = list(arch.layer_sizes)
        self.pooling = pooling
        self.n_units = sum(self.layer_sizes) * (2 if pooling == "both" else 1)
        self.weights_path = weights_path
        self.weights_sha256 = weights_sha256
        self.resizer = Resizer(arch.input_size)
        self.batchnorm_folded = False
        self.register_buffer("_mean", torch.tensor(arch.mean).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("_std", torch.tensor(arch.std).view(1, 3, 1, 1), persistent=False)

    @property
    def device(self) -> torch.device:
        """Where the weights live."""
        return self._mean.device

    def normalize(self, batch: torch.Tensor) -> torch.Tensor:
        """uint8 (B, 3, H, W) RGB -> the float input the network expects."""
        return batch.to(self._mean.device).float().div(255.0).sub(self._mean).div(self._std)

    def preprocess(self, image: Image.Image) -> torch.Tensor:
        """One RGB image -> normalised (3, input_size, input_size) float tensor, on CPU."""
        return self.normalize(self.resizer(image).unsqueeze(0))[0].cpu()

    def fold_batchnorm(self) -> TappedModel:
        """Fold every BatchNorm into the convolution before it, for inference; returns self.

        In eval mode a BatchNorm is a fixed affine map per channel, which the convolution
        it follows absorbs into its weights and bias: one pass over each feature map
        instead of two. Lite0 inference and the occlusion sweep on a 2-core CPU run
        1.23-1.27x faster (docs/extract.md); the units equal the unfolded network's to
        float rounding (about 1e-6 of a layer's scale). Extraction and saliency fold; a
        folded network cannot be trained (fine-tuning refuses it). Networks without
        BatchNorm (AlexNet, VGG16) are unchanged.
        """
        if self.batchnorm_folded:
            return self
        for parent, conv_name, norm_name in self.arch.conv_batchnorms(self.net):
            conv, norm = getattr(parent, conv_name), getattr(parent, norm_name)
            folded = fuse_conv_bn_eval(conv.eval(), norm.eval())
            folded.requires_grad_(False)
            setattr(parent, conv_name, folded)
            setattr(parent, norm_name, nn.Identity())
        self.batchnorm_folded = True
        return self

    def forward_maps(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Feature maps of every tapped layer: (B, C, H, W) for conv layers, (B, C) for fc.

        Plain differentiable PyTorch: wrap it in ``torch.inference_mode()`` yourself when no
        gradient is wanted.
        """
        return self.arch.taps(self.net, x)

    def forward_units(self, x: torch.Tensor) -> torch.Tensor:
        """(B, n_units): conv maps pooled over space (``pooling``), fc layers as they are."""
        return units_from_maps(self.forward_maps(x), self.pooling)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Same as ``forward_units``."""
        return self.forward_units(x)


def units_from_maps(maps: list[torch.Tensor], pooling: str = "max") -> torch.Tensor:
    """Concatenate per-layer maps into (B, n_units), pooling conv maps over space.

    ``both`` is the ``max`` units followed by the ``mean`` units, so unit i < n of a
    ``both`` model is unit i of the ``max`` one. fc layers have no space to pool: they
    appear as they are (twice under ``both``).
    """
    if pooling == "both":
        return torch.cat([units_from_maps(maps, "max"), units_from_maps(maps, "mean")], dim=1)
    if pooling == "mean":
        return torch.cat([m.mean(dim=(2, 3)) if m.dim() == 4 else m for m in maps], dim=1)
    return torch.cat([m.amax(dim=(2, 3)) if m.dim() == 4 else m for m in maps], dim=1)


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def resolve_device(device: str | torch.device) -> torch.device:
    """``auto`` -> CUDA when present, else CPU; ``cuda`` without a GPU is a ModelError."""
    if str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ModelError(f"unknown device {device!r}; use auto, cpu or cuda") from exc
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ModelError("device cuda requested but no CUDA GPU is available; use cpu or auto")
    return resolved


def load_model(
    name: str = "efficientnet_lite0",
    weights: str | Path | None = None,
    device: str | torch.device = "cpu",
    *,
    model_id: str | None = None,
    pooling: str = "max",
) -> TappedModel:
    """Build a tapped model with exact weights.

    Args:
        name: architecture (see ``attrdb.cnn.architectures.ARCHITECTURES``).
        weights: a state_dict file (``torch.save(model.state_dict(), f)``); default: the
            embedded EfficientNet-Lite0 file, or for torchvision models the file its
            weights API keeps in the hub cache (``$TORCH_HOME/hub/checkpoints``). Nothing
            is downloaded.
        device: ``cpu``, ``cuda``, ``cuda:N`` or ``auto``.
        model_id: registry id; default ``name``.
        pooling: spatial pooling of conv maps into units, one of ``POOLINGS``.

    Raises:
        ModelError: unknown name or pooling, weights file missing or unreadable, or its
            tensors do not fit the architecture (never falls back to random weights).
    """
    arch = architecture(name)
    path = Path(weights) if weights is not None else arch.default_weights()
    if not path.is_file():
        if weights is not None:
            raise ModelError(f"weights file not found: {path}")
        raise ModelError(
            f"no weights for {name}: pass --weights FILE (a state_dict .pth), or put "
            f"{path.name} in {path.parent} (torchvision's cache; TORCH_HOME sets it)"
        )
    target = resolve_device(device)
    digest = sha256_file(path)
    net = arch.build()
    _load_state(net, _read_state_dict(path), path, name)
    net.eval()
    for parameter in net.parameters():
        parameter.requires_grad_(False)
    model = TappedModel(
        arch,
        net,
        model_id=model_id or name,
        weights_path=path.resolve(),
        weights_sha256=digest,
        pooling=pooling,
    )
    return model.to(target).eval()


def load_registered(
    registered: Registration,
    *,
    device: str | torch.device = "cpu",
    weights: str | Path | None = None,
) -> TappedModel:
    """Rebuild a registered model from its row, checking its weights' sha256.

    The weights are read from ``weights`` when given, else from the path recorded at
    registration, else (when that file has moved) from the architecture's default place.
    ``attrdb.model_registry.model_from_db`` reads the row.

    Raises:
        ModelError: the weights are missing or their hash differs from the registered one.
    """
    model_id, name, sha = registered.model_id, registered.name, registered.weights_sha256
    candidates = [Path(weights)] if weights is not None else [Path(registered.weights)]
    if weights is None:
        try:
            candidates.append(architecture(name).default_weights())
        except ModelError:
            pass
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        raise ModelError(
            f"weights of model {model_id!r} not found at {registered.weights}; pass the file "
            f"(sha256 {sha[:12]}...)"
        )
    digest = sha256_file(path)
    if digest != sha:
        raise ModelError(
            f"weights {path} have sha256 {digest[:12]}..., model {model_id!r} was registered "
            f"with {sha[:12]}...; results are tied to the exact weights"
        )
    model = load_model(name, path, device, model_id=model_id, pooling=registered.pooling)
    if model.n_units != registered.n_units:
        raise ModelError(
            f"model {model_id!r} was registered with {registered.n_units} units, this code "
            f"taps {model.n_units}; register it under a new model id"
        )
    return model


def _read_state_dict(path: Path) -> Mapping[str, Any]:
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - pickle, zip and format errors alike
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"cannot read weights file {path}: {first}") from None
    if isinstance(state, Mapping):
        for key in ("state_dict", "model"):
            inner = state.get(key)
            if isinstance(inner, Mapping):
                state = inner
                break
    if not isinstance(state, Mapping) or not all(torch.is_tensor(v) for v in state.values()):
        raise ModelError(f"weights file {path} holds no state_dict (a name -> tensor mapping)")
    return state


def _load_state(net: nn.Module, state: Mapping[str, Any], path: Path, name: str) -> None:
    try:
        result = net.load_state_dict(dict(state), strict=False)
    except RuntimeError as exc:  # shape mismatches
        lines = str(exc).strip().splitlines()
        detail = lines[1].strip() if len(lines) > 1 else lines[0]
        raise ModelError(f"weights file {path} does not fit {name}: {detail}") from None
    if result.missing_keys or result.unexpected_keys:
        missing = ", ".join(result.missing_keys[:3])
        unexpected = ", ".join(result.unexpected_keys[:3])
        raise ModelError(
            f"weights file {path} does not fit {name}: {len(result.missing_keys)} missing "
            f"tensors ({missing}), {len(result.unexpected_keys)} unexpected ({unexpected})"
        )
