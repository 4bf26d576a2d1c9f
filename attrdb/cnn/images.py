"""Read any product image as 8-bit RGB, or fail with one clear reason.

Catalogue images come in every shape: CMYK JPEGs from print workflows, palette PNGs with
a transparent colour, RGBA cut-outs, 16-bit scans, grayscale, rotated phone photos
(EXIF orientation), truncated uploads, HTML error pages saved as ``.jpg``. ``load_rgb``
turns each readable one into the RGB image a person would see, and every other one into
an ``ImageLoadError`` whose message names the file and the reason (it becomes an
``activation_errors`` row).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from attrdb.errors import InputError

# A decoded RGB image takes 3 bytes per pixel plus a float tensor while resizing: 40 Mpx
# (e.g. 8000 x 5000, larger than any product photo) is ~120 MB decoded. Bigger headers
# are treated as decompression bombs and refused before any pixel is decoded.
MAX_PIXELS = 40_000_000

# Transparent areas are composited onto white: product photos are shot on white.
BACKGROUND = (255, 255, 255)


class ImageLoadError(InputError):
    """An image file cannot be read as an RGB picture."""


def load_rgb(path: str | Path, *, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Open ``path`` and return it as an 8-bit RGB image, fully decoded.

    Conversions: EXIF orientation applied; grayscale and palette expanded; alpha (RGBA,
    LA, palette transparency) composited on white; CMYK converted with its embedded ICC
    profile when present (else Pillow's conversion, which undoes Adobe's inverted CMYK);
    16-bit and 32-bit integer images scaled to 8 bits (not clipped); float images
    rescaled from their range. Animated images give their first frame.

    Args:
        path: image file (any format Pillow reads: JPEG, PNG, GIF, WebP, TIFF, BMP ...).
        max_pixels: refuse images whose header declares more pixels than this.

    Raises:
        ImageLoadError: missing, empty, not an image, truncated or corrupt, or too large.
    """
    file = Path(path)
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
                return _to_rgb(ImageOps.exif_transpose(image))
    except ImageLoadError:
        raise
    except UnidentifiedImageError:
        raise ImageLoadError(f"{file}: not a recognised image format") from None
    except Image.DecompressionBombError as exc:
        raise ImageLoadError(f"{file}: decompression-bomb guard: {exc}") from None
    except MemoryError:
        raise ImageLoadError(f"{file}: out of memory while decoding") from None
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError, struct.error ...
        raise ImageLoadError(f"{file}: cannot decode: {_one_line(exc)}") from None


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
    # Pillow's convert("RGB") clips 16-bit values at 255 (a white image): scale instead.
    values = np.asarray(image).astype(np.float64)
    if image.mode == "F":
        low, high = float(np.nanmin(values)), float(np.nanmax(values))
        scaled = (values - low) / (high - low) * 255.0 if high > low else np.zeros_like(values)
    else:
        # 16-bit PNG/TIFF give I;16* or I: their range is 0..65535 unless values say wider.
        top = 65535.0 if values.max(initial=0) <= 65535 else float(values.max())
        scaled = values / top * 255.0
    gray = np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
    return Image.fromarray(gray, mode="L").convert("RGB")


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__
