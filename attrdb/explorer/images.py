"""Image files for the explorer: confined to their images root, thumbnailed once, cached.

A request names a product id, never a path. The path comes from the database
(``explorer_images``: the accepted listing's image and the images root of the ingest run
that added it); it is served only when its real path (symbolic links resolved) is a regular
file inside the real images root, whatever the ingest stage checked when it accepted it.
"""

from __future__ import annotations

import io
import os
import stat
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

#: Long side in pixels of each image size the explorer serves.
SIZES = {"thumb": 160, "large": 480}


def confined_path(image_path: str | None, images_root: str | None) -> Path | None:
    """The real path of ``image_path`` when it is a regular file inside ``images_root``.

    Returns None for a missing path or root, a path outside the root (``..``, absolute
    elsewhere, a symbolic link leading out), and anything that is not a regular file.
    """
    if not image_path or not images_root:
        return None
    try:
        root = os.path.realpath(images_root)
        real = os.path.realpath(image_path)
        if os.path.commonpath([root, real]) != root or real == root:
            return None
        if not stat.S_ISREG(os.stat(real).st_mode):
            return None
    except (OSError, ValueError):  # missing, NUL in the name, different drives
        return None
    return Path(real)


def _jpeg(image: Image.Image, quality: int = 85) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


class ThumbnailCache:
    """JPEG renderings of image files, least recently used dropped first.

    Keys hold the file's modification time and size, so a replaced file is rendered again.

    Args:
        max_bytes: total size of the cached JPEGs.
    """

    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> bytes | None:
        with self._lock:
            data = self._items.get(key)
            if data is not None:
                self._items.move_to_end(key)
            return data

    def put(self, key: tuple[object, ...], data: bytes) -> None:
        with self._lock:
            if key in self._items:
                return
            self._items[key] = data
            self._size += len(data)
            while self._size > self.max_bytes and self._items:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)

    def thumbnail(self, path: Path, size: int) -> bytes | None:
        """The image at ``path`` as a JPEG whose long side is at most ``size``, or None
        when it cannot be decoded."""
        info = path.stat()
        key = ("thumb", str(path), info.st_mtime_ns, info.st_size, size)
        cached = self.get(key)
        if cached is not None:
            return cached
        try:
            with Image.open(path) as image:
                image.draft("RGB", (size, size))  # JPEG: decode at a reduced scale
                picture = image.convert("RGB")
        except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
            return None
        picture.thumbnail((size, size))
        data = _jpeg(picture)
        self.put(key, data)
        return data

    def overlay(self, path: Path | None, key: tuple[object, ...], values: Sequence[float],
                height: int, width: int, size: int) -> bytes | None:
        """A saliency map drawn over its image as a JPEG (grey without an image).

        Drawn as the HTML report draws it: the map stretched to its own range, resized
        bilinearly, coloured with 'jet' and blended by sqrt(map) so low values leave the
        photo visible.

        Args:
            path: the confined image file, or None.
            key: identifies the map (model, scope, product, word, method, K) in the cache.
            values: the map, row-major ``height x width``.
        """
        if path is not None:
            info = path.stat()
            key = ("overlay", *key, str(path), info.st_mtime_ns, info.st_size, size)
        else:
            key = ("overlay", *key, size)
        cached = self.get(key)
        if cached is not None:
            return cached
        picture: Image.Image | None = None
        if path is not None:
            try:
                with Image.open(path) as image:
                    image.draft("RGB", (size, size))
                    picture = image.convert("RGB")
            except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
                picture = None
        if len(values) != height * width or height < 1 or width < 1:
            return None
        data = _jpeg(_blend(picture, values, height, width, size))
        self.put(key, data)
        return data


def _blend(picture: Image.Image | None, values: Sequence[float], height: int, width: int,
           size: int, alpha: float = 0.55) -> Image.Image:
    from matplotlib import colormaps

    grid = np.nan_to_num(np.asarray(values, dtype=np.float32).reshape(height, width))
    low, high = float(grid.min()), float(grid.max())
    grid = (grid - low) / (high - low) if high > low else np.zeros_like(grid)
    if picture is None:
        picture = Image.new("RGB", (width, height), (128, 128, 128))
    picture.thumbnail((size, size))
    heat = np.asarray(Image.fromarray(grid).resize(picture.size, Image.Resampling.BILINEAR),
                      dtype=np.float32)
    colours = colormaps["jet"](heat)[..., :3]
    weight = (alpha * np.sqrt(heat))[..., None]
    photo = np.asarray(picture, dtype=np.float32) / 255.0
    blended = (1.0 - weight) * photo + weight * colours
    return Image.fromarray((blended * 255).round().astype(np.uint8))
