"""Image thumbnails and saliency overlays as ``data:`` URIs (Pillow, NumPy, a colormap).

Ingestion accepts only image files under their images root and stores their real path;
before embedding one, the page checks again (``ImageRoots.admits``: still its own real
path, under a recorded root, a regular file), so a path written into the database by
other means, or a symbolic link swapped in since, is never read.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from attrdb.ingest import ImageRoots


def _jpeg_uri(image: Image.Image, quality: int = 82) -> str:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=quality, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _open(path: str | None, roots: ImageRoots) -> Image.Image | None:
    if not path or not roots.admits(path):
        return None
    try:
        with Image.open(Path(path)) as image:
            return image.convert("RGB")
    except (OSError, UnidentifiedImageError, ValueError):
        return None


def thumbnail(path: str | None, size: int = 112, *, roots: ImageRoots) -> str | None:
    """A JPEG thumbnail of the image file at ``path`` (long side ``size``), or None when
    there is no readable image or ``roots`` does not admit the path."""
    image = _open(path, roots)
    if image is None:
        return None
    image.thumbnail((size, size))
    return _jpeg_uri(image)


def overlay(
    path: str | None,
    values: Sequence[float],
    height: int,
    width: int,
    size: int = 168,
    alpha: float = 0.55,
    *,
    roots: ImageRoots,
) -> str | None:
    """A saliency map (row-major ``height x width``) drawn over its image.

    The map is stretched to its own range (stored maps need not span [0, 1]: a sum over
    many units is flat), resized to the thumbnail with bilinear interpolation and coloured
    with the 'jet' colormap, blended ``alpha`` where the map is high (low values leave the
    photo visible). Without a readable image that ``roots`` admits, the coloured map is
    drawn on grey.
    """
    from matplotlib import colormaps

    grid = np.nan_to_num(np.asarray(values, dtype=np.float32).reshape(height, width))
    low, high = float(grid.min()), float(grid.max())
    grid = (grid - low) / (high - low) if high > low else np.zeros_like(grid)
    image = _open(path, roots)
    if image is None:
        image = Image.new("RGB", (width, height), (128, 128, 128))
    image.thumbnail((size, size))
    resized = Image.fromarray(grid).resize(image.size, Image.Resampling.BILINEAR)
    heat = np.asarray(resized, dtype=np.float32)
    colours = colormaps["jet"](heat)[..., :3]
    weight = (alpha * np.sqrt(heat))[..., None]
    photo = np.asarray(image, dtype=np.float32) / 255.0
    blended = (1.0 - weight) * photo + weight * colours
    return _jpeg_uri(Image.fromarray((blended * 255).round().astype(np.uint8)))
