"""Overlay panels for the documentation: a photo with the human region, then its maps.

Each panel is one row: the photo with the tag's human region tinted, then the eq. 5 maps
for each K and the gradient baseline laid over the photo. Each map is stretched to its own
range for display (eq. 5 averages K maps, so large K compresses the values towards the
middle; the stored maps are not changed). Tiles are small and the PNG is
palette-quantised so a handful of panels stays well under the documentation's 300 KB.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb
import numpy as np

from attrdb import ccp
from attrdb.saliency import store
from attrdb.saliency.compute import GRADIENT, KL_OCCLUSION
from attrdb.saliency.maps import normalise, resize_map

TILE_HEIGHT = 150
LABEL_HEIGHT = 14


def _tile(photo: np.ndarray, overlay: np.ndarray, colour: bool) -> np.ndarray:
    """Blend a [0, 1] map (jet colours) or a mask (red tint) over an ``h x w x 3`` photo."""
    from matplotlib import colormaps

    m = np.clip(resize_map(overlay.astype(np.float64), photo.shape[:2]), 0, 1)
    if colour:
        rgb = colormaps["jet"](m)[..., :3] * 255
        alpha: float | np.ndarray = 0.55
    else:
        rgb = np.broadcast_to(np.array([255.0, 40.0, 40.0]), photo.shape)
        alpha = 0.6 * m[..., None]
    return (photo * (1 - alpha) + rgb * alpha).astype(np.uint8)


def overlay_panel(
    photo_path: Path, truth: np.ndarray, maps: Sequence[tuple[str, np.ndarray]], title: str
) -> object:
    """A PIL image: the region tile then one tile per (label, map)."""
    from PIL import Image, ImageDraw

    with Image.open(photo_path) as im:
        photo = im.convert("RGB")
    w = round(photo.width * TILE_HEIGHT / photo.height)
    small = np.asarray(photo.resize((w, TILE_HEIGHT), Image.Resampling.BILINEAR))
    tiles = [(title, _tile(small, truth.astype(np.float64), colour=False))]
    tiles += [(label, _tile(small, normalise(m[None])[0], colour=True)) for label, m in maps]
    canvas = Image.new("RGB", (w * len(tiles), TILE_HEIGHT + LABEL_HEIGHT), "white")
    draw = ImageDraw.Draw(canvas)
    for i, (label, tile) in enumerate(tiles):
        canvas.paste(Image.fromarray(tile), (i * w, LABEL_HEIGHT))
        draw.text((i * w + 3, 1), label, fill=(0, 0, 0))
    return canvas


def write_overlays(
    con: duckdb.DuckDBPyConnection,
    ccp_dir: Path,
    folder: Path,
    *,
    model_id: str,
    scope: str,
    words: Sequence[str],
    picked: Mapping[str, Sequence[tuple[str, str]]],
    ks: Sequence[int],
    with_gradient: bool,
) -> list[str]:
    """One panel per word, from the stored maps: the word's first evaluated photo not yet
    drawn for an earlier word (else its first photo).

    Returns:
        The PNG paths written.
    """
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    drawn: set[str] = set()
    for word in words:
        if not picked.get(word):
            continue
        fresh = [c for c in picked[word] if c[0] not in drawn]
        pid, path = (fresh or list(picked[word]))[0]
        drawn.add(pid)
        maps = []
        for method, k, label in [(KL_OCCLUSION, k, f"K={k}") for k in ks] + (
            [(GRADIENT, None, "gradient")] if with_gradient else []
        ):
            m = store.load_map(
                con, model_id=model_id, scope=scope, product_id=pid, word=word, method=method, k=k
            )
            if m is not None:
                maps.append((label, m))
        truth = ccp.region(ccp_dir, Path(path).stem, word)
        panel = overlay_panel(Path(path), truth, maps, word)
        assert isinstance(panel, Image.Image)
        target = folder / f"saliency_{word}.png"
        panel.quantize(colors=96, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
        written.append(str(target))
    return written
