"""The occlusion sweep: one pass over every patch position records every unit.

For each patch size, a patch cut from the catalogue's mean image (at the same place) is
slid over the image with a stride; the patch stays inside the image, so there are
``(size - patch) // stride + 1`` positions per side. Occluded copies of all scales are
batched into forward passes of ``batch_size`` images, and each pass returns the max-pooled
response of every unit, so one sweep serves every unit, word and K.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from attrdb.saliency.maps import grid_size

if TYPE_CHECKING:
    import torch

#: Patch sides of the paper (pixels of a 256 px input).
PAPER_PATCHES: tuple[int, ...] = (24, 48, 96)
PAPER_STRIDE = 4
PAPER_SIZE = 256
#: A CPU-practical stride: 394 forward passes per image at 224 px instead of ~6,000.
DEFAULT_STRIDE = 16


@dataclass
class Sweep:
    """Every unit's response drop at every patch position of one image.

    Attributes:
        size: side of the square sweep input.
        stride: patch stride.
        base: ``(n_units,)`` unoccluded responses.
        deltas: patch side -> ``(n_units, n_y, n_x)`` float32 drops, base - occluded.
    """

    size: int
    stride: int
    base: np.ndarray
    deltas: dict[int, np.ndarray]

    @property
    def n_units(self) -> int:
        """Units recorded."""
        return int(self.base.shape[0])

    def select(self, units: Sequence[int] | np.ndarray) -> dict[int, np.ndarray]:
        """Per-scale drops of the given units only."""
        idx = np.asarray(units, dtype=np.int64)
        return {p: d[idx] for p, d in self.deltas.items()}


def positions(size: int, patches: Sequence[int], stride: int) -> list[tuple[int, int, int]]:
    """Every (patch, top, left) of a sweep, scale by scale, row-major."""
    out: list[tuple[int, int, int]] = []
    for patch in patches:
        n = grid_size(size, patch, stride)
        out.extend((patch, iy * stride, ix * stride) for iy in range(n) for ix in range(n))
    return out


def n_passes(size: int, patches: Sequence[int], stride: int) -> int:
    """Occluded images one sweep runs through the network."""
    return sum(grid_size(size, p, stride) ** 2 for p in patches)


def occluded_batches(
    image: torch.Tensor,
    occluder: torch.Tensor,
    where: Sequence[tuple[int, int, int]],
    batch_size: int,
) -> Iterator[torch.Tensor]:
    """Copies of ``image`` (C x S x S) with ``occluder``'s patch pasted at each position."""
    for start in range(0, len(where), batch_size):
        chunk = where[start : start + batch_size]
        batch = image.unsqueeze(0).repeat(len(chunk), 1, 1, 1)
        for i, (patch, top, left) in enumerate(chunk):
            batch[i, :, top : top + patch, left : left + patch] = occluder[
                :, top : top + patch, left : left + patch
            ]
        yield batch


def occlusion_sweep(
    forward: Callable[[torch.Tensor], torch.Tensor],
    image: torch.Tensor,
    occluder: torch.Tensor,
    *,
    patches: Sequence[int] = PAPER_PATCHES,
    stride: int = DEFAULT_STRIDE,
    batch_size: int = 64,
    progress: bool = False,
) -> Sweep:
    """Run one occlusion sweep.

    Args:
        forward: maps a ``B x C x S x S`` batch to ``B x n_units`` responses (e.g. a tapped
            model's max-pooled units, or a single unit for a per-unit sweep).
        image: the normalised ``C x S x S`` input.
        occluder: the normalised mean image, same shape; patches are cut from it.
        patches: patch sides.
        stride: patch stride.
        batch_size: occluded copies per forward pass.
        progress: show a tqdm bar on stderr.

    Returns:
        The sweep, drops as float32.
    """
    import torch

    if image.ndim != 3 or image.shape[1] != image.shape[2]:
        raise ValueError(f"the sweep input must be C x S x S, got {tuple(image.shape)}")
    if occluder.shape != image.shape:
        raise ValueError(f"occluder {tuple(occluder.shape)} and image {tuple(image.shape)} differ")
    size = int(image.shape[1])
    where = positions(size, patches, stride)
    with torch.inference_mode():
        base = forward(image.unsqueeze(0))[0].float().cpu().numpy()
        out = np.empty((len(where), base.shape[0]), dtype=np.float32)
        done = 0
        from attrdb.progress import progress as progress_bar

        # Nested in the per-image bar: transient on a terminal, no plain lines in logs.
        with progress_bar(
            len(where), desc="occlusion", unit="pass", enabled=progress, nested=True
        ) as bar:
            for batch in occluded_batches(image, occluder, where, batch_size):
                out[done : done + len(batch)] = forward(batch).float().cpu().numpy()
                done += len(batch)
                bar.update(len(batch))
    deltas: dict[int, np.ndarray] = {}
    start = 0
    for patch in patches:
        n = grid_size(size, patch, stride)
        block = out[start : start + n * n].reshape(n, n, -1)
        deltas[patch] = np.ascontiguousarray((base[None, None, :] - block).transpose(2, 0, 1))
        start += n * n
    return Sweep(size=size, stride=stride, base=base, deltas=deltas)
