"""Sweep inputs: an image squashed to the square sweep size, and the catalogue's mean image.

Images are squashed (no crop) exactly like the extraction stage does at the model's input
size, so the units see the geometry their KL statistics came from; the sweep size may
differ from the input size (the paper swept 256 px inputs), the networks are convolutional
and their units are max-pooled over space.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb
import numpy as np

from attrdb.errors import StateError
from attrdb.saliency import store

if TYPE_CHECKING:
    import torch
    from PIL import Image

    from attrdb.cnn.models import TappedModel


def squash(image: Image.Image, size: int) -> np.ndarray:
    """``3 x size x size`` uint8 RGB, resized like the extraction stage (bilinear, no crop)."""
    from attrdb.cnn.models import Resizer

    return Resizer(size)(image).numpy()


def normalised(model: TappedModel, pixels: np.ndarray) -> torch.Tensor:
    """``3 x S x S`` RGB (uint8, or float in [0, 1]) -> the model's normalised input."""
    import torch

    x = torch.from_numpy(np.asarray(pixels, dtype=np.float32))
    if pixels.dtype == np.uint8:
        x = x / 255.0
    mean = torch.tensor(model.mean, dtype=torch.float32).view(3, 1, 1)
    std = torch.tensor(model.std, dtype=torch.float32).view(3, 1, 1)
    return ((x - mean) / std).to(model.device)


def mean_image(
    con: duckdb.DuckDBPyConnection, size: int, *, n_images: int = 200, progress: bool = False
) -> np.ndarray:
    """The catalogue's ``3 x size x size`` mean image in [0, 1]; computed and stored once.

    The mean runs over a fixed pseudo-random sample of at most ``n_images`` train images
    (``sql/saliency/mean_image_sources.sql``); unreadable images are left out.

    Raises:
        StateError: the catalogue has no readable image.
    """
    stored = store.load_mean_image(con, size)
    if stored is not None:
        return stored
    from attrdb.cnn.images import ImageLoadError, load_rgb

    sources = store.mean_image_sources(con, n_images)
    total = np.zeros((3, size, size), dtype=np.float64)
    used = 0
    from attrdb.progress import track

    for _, path in track(sources, desc="mean image", unit="img", enabled=progress, nested=True):
        try:
            total += squash(load_rgb(path), size)
        except ImageLoadError:
            continue
        used += 1
    if not used:
        raise StateError("no readable product image to average into the occluder's mean image")
    pixels = (total / used / 255.0).astype(np.float32)
    store.save_mean_image(con, pixels, used)
    return pixels
