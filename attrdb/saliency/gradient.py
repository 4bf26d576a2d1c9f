"""The gradient baseline (Simonyan et al. 2014): where would a small change move the score?

The word's trained classifier (visualness stage, ``classifiers`` table) scores the
max-pooled units; its logit is back-propagated through the network to the pixels of the
same squashed input the occlusion sweep uses. The pixel saliency is the gradient's largest
absolute value over the colour channels (Simonyan's rule), Gaussian-smoothed with the same
sigma as the finest occlusion scale, so both maps resolve the same detail, then resized to
the image's aspect and min-max normalised. The logit's gradient is the score's gradient
times sigmoid'(z) > 0, the same map after normalisation, without the underflow of a
saturated sigmoid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from attrdb.saliency.maps import normalise, resize_map
from attrdb.saliency.store import Classifier

if TYPE_CHECKING:
    import torch

    from attrdb.cnn.models import TappedModel


def classifier_logit(units: torch.Tensor, clf: Classifier) -> torch.Tensor:
    """The classifier's logit for ``B x n_units`` max-pooled units (differentiable)."""
    import torch

    features = units if clf.unit_ids is None else units[:, torch.as_tensor(clf.unit_ids)]
    dev, dt = units.device, units.dtype
    mean = torch.as_tensor(clf.mean, device=dev, dtype=dt)
    scale = torch.as_tensor(clf.scale, device=dev, dtype=dt)
    coef = torch.as_tensor(clf.coef, device=dev, dtype=dt)
    return ((features - mean) / scale) @ coef + clf.intercept


def gradient_map(
    model: TappedModel,
    x: torch.Tensor,
    clf: Classifier,
    *,
    out_hw: tuple[int, int],
    sigma: float,
) -> np.ndarray:
    """Smoothed gradient-magnitude map of the classifier's logit.

    Args:
        model: the tapped model.
        x: normalised ``3 x S x S`` input.
        clf: the word's classifier on the model's units.
        out_hw: output (height, width).
        sigma: Gaussian sigma in sweep pixels (0: no smoothing).

    Returns:
        ``(height, width)`` map in [0, 1].
    """
    import torch
    from scipy.ndimage import gaussian_filter

    pixels = x.detach().clone().unsqueeze(0).requires_grad_(True)
    with torch.enable_grad():
        logit = classifier_logit(model.forward_units(pixels), clf)
        (grad,) = torch.autograd.grad(logit.sum(), pixels)
    magnitude = grad[0].abs().amax(dim=0).double().cpu().numpy()
    if sigma > 0:
        magnitude = gaussian_filter(magnitude, sigma, mode="nearest")
    return normalise(resize_map(magnitude, out_hw)[None])[0]
