"""Read any product image as 8-bit RGB, or fail with one clear reason.

Catalogue images come in every shape: CMYK JPEGs from print workflows, palette PNGs with
a transparent colour, RGBA cut-outs, 16-bit scans, grayscale, rotated phone photos
(EXIF orientation), truncated uploads, HTML error pages saved as ``.jpg``. ``load_rgb``
turns each readable one into the RGB image a person would see, and every other one into
an ``ImageLoadError`` whose message names the file and the reason (it becomes an
``activation_errors`` row).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from attrdb.errors import InputError, first_line

# A decoded RGB image takes 3 bytes per pixel plus a float tensor while resizing: 40 Mpx
# (e.g. 8000 x 5000, larger than any product photo) is ~120 MB decoded. Bigger headers
# are treated as decompression bombs and refused before any pixel is decoded.
MAX_PIXELS = 40_000_000

# Pixels converted at a time when scaling high bit depth images to 8 bits (a 4 MB float
# strip), so the conversion never holds a full-size copy.
_STRIP_PIXELS = 1 << 20

# Transparent areas are composited onto white: product photos are shot on white.
BACKGROUND = (255, 255, 255)


class ImageLoadError(InputError):
    """An image file cannot be read as an RGB picture."""


def load_rgb(
    path: str | Path, *, max_pixels: int = MAX_PIXELS, real_path_only: bool = False
) -> Image.Image:
    """Open ``path`` and return it as an 8-bit RGB image, fully decoded.

    Conversions: EXIF orientation applied; grayscale and palette expanded; alpha (RGBA,
    LA, palette transparency) composited on white; CMYK converted with its embedded ICC
    profile when present (else Pillow's conversion, which undoes Adobe's inverted CMYK);
    16-bit and 32-bit integer images scaled to 8 bits (not clipped); float images
    rescaled from their range. Animated images give their first frame.

    Args:
        path: image file (any format Pillow reads: JPEG, PNG, GIF, WebP, TIFF, BMP ...).
        max_pixels: refuse images whose header declares more pixels than this.
        real_path_only: refuse a path that is not its own real path (a symbolic link in
            it). Ingestion stores image paths resolved and checked against the images
            root, so for them a link means the file was swapped since.

    Raises:
        ImageLoadError: missing, empty, not an image, truncated or corrupt, too large, or
            (``real_path_only``) reached through a symbolic link.
    """
    file = Path(path)
    if real_path_only and os.path.realpath(file) != os.path.abspath(file):
        raise ImageLoadError(
            f"{file}: leads through a symbolic link to {os.path.realpath(file)} "
            "(changed since ingestion?); not read"
        )
    if not file.is_file():
        raise ImageLoadError(f"{file}: file not found")
    if file.stat().st_size == 0:
        raise ImageLoadError(f"{file}: empty file (0 bytes)")
    try:
        with warnings.catch_warnings():
            # Our own limit (checked next, from the header) replaces Pillow's warning;
            # Pillow still refuses outright above twice its MAX_IMAGE_PIXELS (~179 Mpx).
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise ImageLoadError(
                        f"{file}: {width}x{height} = {width * height / 1e6:.0f} Mpx exceeds "
                        f"the {max_pixels / 1e6:.0f} Mpx limit (decompression-bomb guard)"
                    )
                image.load()  # decode now: truncation and corruption surface here
                # In place: the default returns a full copy even when nothing turns.
                ImageOps.exif_transpose(image, in_place=True)
                return _to_rgb(image)
    except ImageLoadError:
        raise
    except UnidentifiedImageError:
        raise ImageLoadError(f"{file}: not a recognised image format") from None
    except Image.DecompressionBombError as exc:
        raise ImageLoadError(f"{file}: decompression-bomb guard: {exc}") from None
    except MemoryError:
        raise ImageLoadError(f"{file}: out of memory while decoding") from None
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError, struct.error ...
        raise ImageLoadError(f"{file}: cannot decode: {first_line(exc, with_type=True)}") from None


def _to_rgb(image: Image.Image) -> Image.Image:
    mode = image.mode
    if mode == "RGB":
        return image.copy()
    if mode == "P":
        has_alpha = "transparency" in image.info or (
            image.palette is not None and image.palette.mode == "RGBA"
        )
        return _flatten(image.convert("RGBA")) if has_alpha else image.convert("RGB")
    if mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        return _flatten(image.convert("RGBA"))
    if mode == "CMYK":
        return _cmyk_to_rgb(image)
    if mode.startswith("I") or mode == "F":
        return _high_depth_to_rgb(image)
    if mode == "1":
        return image.convert("L").convert("RGB")
    return image.convert("RGB")  # L, YCbCr, LAB, HSV


def _flatten(rgba: Image.Image) -> Image.Image:
    canvas = Image.new("RGB", rgba.size, BACKGROUND)
    canvas.paste(rgba, mask=rgba.getchannel("A"))
    return canvas


def _cmyk_to_rgb(image: Image.Image) -> Image.Image:
    profile = image.info.get("icc_profile")
    if profile:
        try:
            import io

            from PIL import ImageCms

            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            converted = ImageCms.profileToProfile(
                image, source, ImageCms.createProfile("sRGB"), outputMode="RGB"
            )
            if converted is not None:
                return converted
        except Exception:  # noqa: BLE001 - a broken profile falls back to the plain formula
            pass
    return image.convert("RGB")


def _high_depth_to_rgb(image: Image.Image) -> Image.Image:
    """16/32-bit integer or float image -> RGB, scaled to 8 bits, strip by strip.

    Pillow's convert("RGB") clips 16-bit values at 255 (a white image): values are scaled
    instead. Working on horizontal strips keeps the extra memory to one strip's copy (a
    whole-image float64 copy of a 6300 x 6300 scan is 318 MB, and the arithmetic made
    several): the cost is the decoded image, the 8-bit result and its RGB expansion.
    """
    width, height = image.size
    step = max(1, _STRIP_PIXELS // max(width, 1))
    strips = [(0, top, width, min(height, top + step)) for top in range(0, height, step)]
    low = high = None
    for box in strips:
        values = np.asarray(image.crop(box))
        if values.size == 0 or (image.mode == "F" and np.isnan(values).all()):
            continue
        lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
        low = lo if low is None else min(low, lo)
        high = hi if high is None else max(high, hi)
    low, high = (low or 0.0), (high or 0.0)
    if image.mode == "F":
        offset, scale = low, (255.0 / (high - low) if high > low else 0.0)
    else:
        # 16-bit PNG/TIFF give I;16* or I: their range is 0..65535 unless values say wider.
        offset, scale = 0.0, 255.0 / (65535.0 if high <= 65535 else high)
    gray = Image.new("L", image.size)
    for box in strips:
        values = np.asarray(image.crop(box), dtype=np.float32)
        scaled = np.nan_to_num((values - np.float32(offset)) * np.float32(scale))
        gray.paste(Image.fromarray(np.clip(np.rint(scaled), 0, 255).astype(np.uint8)), box[:2])
    return gray.convert("RGB")
