"""Map math: per-unit receptive-field maps from an occlusion sweep, and eq. 5.

A sweep gives, for each patch size, the drop of every unit's response with the patch at
each grid position. A unit's map at one patch size is that drop as a function of the patch
centre, Gaussian-smoothed with sigma proportional to the patch size. The smoothing is a
normalised Gaussian kernel regression (Nadaraya-Watson): each output pixel is the
Gaussian-weighted mean of the drops at the patch centres around it. It is defined up to the
image border (where no patch is centred) and is separable, so a whole stack of units costs
two small matrix products. Scales are averaged, the map is negated when its peak (the
value of largest magnitude) is negative, and min-max normalised to [0, 1] (R_i).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

#: sigma of the smoothing Gaussian, as a fraction of the patch side.
DEFAULT_SIGMA_FACTOR = 0.5


def grid_size(size: int, patch: int, stride: int) -> int:
    """Patch positions along one side: the patch stays inside the image."""
    if patch > size:
        raise ValueError(f"patch {patch} is larger than the image side {size}")
    return (size - patch) // stride + 1


def patch_centres(size: int, patch: int, stride: int) -> np.ndarray:
    """Centres of the patch positions along one side, in pixel-centre coordinates."""
    return np.arange(grid_size(size, patch, stride)) * stride + (patch - 1) / 2.0


def kernel_weights(
    centres: np.ndarray, size: int, out_len: int, sigma: float
) -> np.ndarray:
    """Row-normalised Gaussian weights from patch centres to ``out_len`` output pixels.

    The output pixels cover the same extent as the ``size`` sweep pixels (the sweep input is
    the image squashed to a square; the map is resized back to the image's side), so output
    pixel j sits at sweep coordinate ``(j + 0.5) * size / out_len - 0.5``.

    Returns:
        ``(out_len, len(centres))`` weights whose rows sum to 1.
    """
    at = (np.arange(out_len) + 0.5) * size / out_len - 0.5
    w = np.exp(-0.5 * ((at[:, None] - centres[None, :]) / sigma) ** 2)
    return w / w.sum(axis=1, keepdims=True)


def smooth_scale(
    delta: np.ndarray,
    *,
    size: int,
    patch: int,
    stride: int,
    out_hw: tuple[int, int],
    sigma_factor: float = DEFAULT_SIGMA_FACTOR,
) -> np.ndarray:
    """Smooth one scale's drops onto the output grid.

    Args:
        delta: ``(..., n_y, n_x)`` drops (base - occluded) at each patch position.
        size: side of the square sweep input.
        patch: patch side; sigma = ``sigma_factor * patch`` sweep pixels.
        stride: patch stride.
        out_hw: output (height, width), at the original image's aspect ratio.

    Returns:
        ``(..., height, width)`` smoothed drops (not normalised).
    """
    centres = patch_centres(size, patch, stride)
    if delta.shape[-2:] != (len(centres), len(centres)):
        raise ValueError(
            f"sweep grid {delta.shape[-2:]} does not match patch {patch}, stride {stride}"
        )
    sigma = sigma_factor * patch
    wy = kernel_weights(centres, size, out_hw[0], sigma)
    wx = kernel_weights(centres, size, out_hw[1], sigma)
    return np.einsum("hy,...yx,wx->...hw", wy, delta, wx, optimize=True)


def normalise(maps: np.ndarray) -> np.ndarray:
    """Negate maps whose peak is negative, then min-max scale each to [0, 1].

    A constant map (a unit the occlusion never moved) becomes all zeros.
    """
    flat = maps.reshape(maps.shape[0], -1).astype(np.float64)
    peak = flat[np.arange(len(flat)), np.abs(flat).argmax(axis=1)]
    flat = np.where(peak[:, None] < 0, -flat, flat)
    low = flat.min(axis=1, keepdims=True)
    span = flat.max(axis=1, keepdims=True) - low
    safe = np.where(span > 0, span, 1.0)
    out = np.where(span > 0, (flat - low) / safe, 0.0)
    return out.reshape(maps.shape)


def unit_maps(
    deltas: Mapping[int, np.ndarray],
    *,
    size: int,
    stride: int,
    out_hw: tuple[int, int],
    sigma_factor: float = DEFAULT_SIGMA_FACTOR,
) -> np.ndarray:
    """R_i for a stack of units from their per-scale drops.

    Args:
        deltas: patch side -> ``(n_units, n_y, n_x)`` drops of the units wanted.
        size: side of the square sweep input.
        stride: patch stride of the sweep.
        out_hw: output (height, width).

    Returns:
        ``(n_units, height, width)`` maps in [0, 1].
    """
    if not deltas:
        raise ValueError("no patch sizes in the sweep")
    total = None
    for patch, delta in sorted(deltas.items()):
        smoothed = smooth_scale(
            np.asarray(delta, dtype=np.float64),
            size=size, patch=patch, stride=stride, out_hw=out_hw, sigma_factor=sigma_factor,
        )
        total = smoothed if total is None else total + smoothed
    assert total is not None
    return normalise(total / len(deltas))


def attribute_map(maps: np.ndarray, weights: Sequence[float] | np.ndarray) -> np.ndarray:
    """Eq. 5: M = sum_i S_i R_i / sum_i S_i over the word's K units of highest KL.

    Args:
        maps: ``(K, height, width)`` unit maps R_i in [0, 1].
        weights: ``(K,)`` the units' KL divergences S_i (non-negative).

    Returns:
        ``(height, width)`` attribute map in [0, 1].
    """
    s = np.asarray(weights, dtype=np.float64)
    if s.ndim != 1 or len(s) != len(maps):
        raise ValueError(f"{len(maps)} unit maps but {s.shape} weights")
    if np.any(s < 0) or not np.isfinite(s).all():
        raise ValueError("unit weights must be finite and non-negative")
    if s.sum() <= 0:
        # Every unit has zero divergence: no unit is preferred, so weigh them equally.
        s = np.ones_like(s)
    return np.tensordot(s, maps, axes=1) / s.sum()


def resize_map(values: np.ndarray, out_hw: tuple[int, int]) -> np.ndarray:
    """Bilinear resize of a 2-D map (pixel-centre aligned, like the map grids above)."""
    h, w = values.shape
    ys = np.clip((np.arange(out_hw[0]) + 0.5) * h / out_hw[0] - 0.5, 0, h - 1)
    xs = np.clip((np.arange(out_hw[1]) + 0.5) * w / out_hw[1] - 0.5, 0, w - 1)
    y0 = np.floor(ys).astype(int)
    x0 = np.floor(xs).astype(int)
    y1 = np.minimum(y0 + 1, h - 1)
    x1 = np.minimum(x0 + 1, w - 1)
    fy = (ys - y0)[:, None]
    fx = (xs - x0)[None, :]
    top = values[y0][:, x0] * (1 - fx) + values[y0][:, x1] * fx
    bottom = values[y1][:, x0] * (1 - fx) + values[y1][:, x1] * fx
    return top * (1 - fy) + bottom * fy


def map_shape(image_hw: tuple[int, int], long_side: int) -> tuple[int, int]:
    """(height, width) of a map at the image's aspect ratio with the given long side."""
    h, w = image_hw
    scale = long_side / max(h, w)
    return max(1, round(h * scale)), max(1, round(w * scale))


def center_prior(out_hw: tuple[int, int], fraction: float = 0.25) -> np.ndarray:
    """A Gaussian at the image centre, sigma = ``fraction`` of each side, scaled to [0, 1].

    A reference, not a method: it knows nothing of the word, only that street and product
    photos centre their subject. A saliency method must beat it to show it localises.
    """
    h, w = out_hw
    ys = ((np.arange(h) + 0.5) / h - 0.5) / fraction
    xs = ((np.arange(w) + 0.5) / w - 0.5) / fraction
    prior = np.exp(-0.5 * (ys[:, None] ** 2 + xs[None, :] ** 2))
    return normalise(prior[None])[0]
