"""Scores of a saliency map against a human region (a boolean mask of the same shape).

- Pixel-wise average precision: pixels ranked by map value, the region's pixels positive
  (the step-wise AP of scikit-learn's ``average_precision_score``; tied values form one
  threshold, so a flat map scores the region's share of the image).
- IoU of the map thresholded at theta (pixels with value >= theta) with the region.
- Pointing game (Zhang et al. 2016): a hit when the map's maximum lies within ``tolerance``
  pixels of the region.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DEFAULT_THRESHOLDS: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
#: pointing-game tolerance in pixels of the original photo (Zhang et al. use 15 px).
DEFAULT_TOLERANCE = 15


def average_precision(scores: np.ndarray, truth: np.ndarray) -> float:
    """Step-wise average precision of ``scores`` for the boolean labels ``truth``.

    Raises:
        ValueError: shapes differ or there is no positive pixel.
    """
    s = np.asarray(scores, dtype=np.float64).ravel()
    t = np.asarray(truth, dtype=bool).ravel()
    if s.shape != t.shape:
        raise ValueError(f"scores {s.shape} and truth {t.shape} differ in size")
    n_pos = int(t.sum())
    if n_pos == 0:
        raise ValueError("the region is empty")
    order = np.argsort(-s, kind="stable")
    s, t = s[order], t[order]
    tp = np.cumsum(t)
    # One threshold per distinct value: the last index of each run of ties.
    last = np.r_[np.flatnonzero(np.diff(s) != 0), len(s) - 1]
    tp = tp[last]
    precision = tp / (last + 1)
    recall = tp / n_pos
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def iou_at(values: np.ndarray, truth: np.ndarray, thresholds: Sequence[float]) -> np.ndarray:
    """IoU of ``values >= theta`` with ``truth`` for each threshold."""
    v = np.asarray(values).ravel()
    t = np.asarray(truth, dtype=bool).ravel()
    out = np.empty(len(thresholds))
    for i, theta in enumerate(thresholds):
        pred = v >= theta
        union = np.count_nonzero(pred | t)
        out[i] = np.count_nonzero(pred & t) / union if union else 0.0
    return out


def region_distance(truth: np.ndarray) -> np.ndarray:
    """Each pixel's distance in pixels to the nearest pixel of the region (0 inside it).

    Computed once per region when many maps are scored against it (``pointing_hit``).
    """
    from scipy.ndimage import distance_transform_edt

    t = np.asarray(truth, dtype=bool)
    if not t.any():
        raise ValueError("the region is empty")
    return np.asarray(distance_transform_edt(~t))


def pointing_hit(
    values: np.ndarray,
    truth: np.ndarray,
    tolerance: float = DEFAULT_TOLERANCE,
    *,
    distance: np.ndarray | None = None,
) -> bool:
    """Whether the map's maximum (first in row-major order) lies within ``tolerance`` px of
    the region; ``distance`` is ``region_distance(truth)`` when the caller has it."""
    if distance is None:
        distance = region_distance(truth)
    y, x = np.unravel_index(int(np.argmax(values)), np.shape(values))
    return bool(distance[y, x] <= tolerance)
