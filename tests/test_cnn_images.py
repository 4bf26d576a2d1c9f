"""load_rgb on real sample images turned into every awkward format a catalogue holds."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from attrdb.cnn.images import ImageLoadError, load_rgb

# A product with a clearly non-uniform picture (used as the source of every variant).
SOURCE_ID = "10053"


@pytest.fixture(scope="module")
def original(sample: Path) -> np.ndarray:
    with Image.open(sample / "images" / f"{SOURCE_ID}.jpg") as image:
        return np.asarray(image.convert("RGB"))


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def _write_png16_rgb(path: Path, rgb8: np.ndarray) -> None:
    """A 48-bit RGB PNG (Pillow cannot write one): each 8-bit value v stored as v * 257."""
    height, width, _ = rgb8.shape
    wide = rgb8.astype(">u2") * 257
    raw = b"".join(b"\x00" + wide[y].tobytes() for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(raw))
        + _png_chunk(b"IEND", b"")
    )


def _claiming_size(path: Path, rgb8: np.ndarray, width: int, height: int) -> Path:
    """A real PNG whose header is patched to declare width x height (CRC fixed up)."""
    Image.fromarray(rgb8).save(path)
    data = bytearray(path.read_bytes())
    ihdr = data.index(b"IHDR")
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", width, height)
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", zlib.crc32(bytes(data[ihdr : ihdr + 17])))
    path.write_bytes(bytes(data))
    return path


def test_plain_rgb_jpeg_is_returned_unchanged(sample: Path, original: np.ndarray) -> None:
    image = load_rgb(sample / "images" / f"{SOURCE_ID}.jpg")
    assert image.mode == "RGB"
    assert np.array_equal(np.asarray(image), original)


def test_cmyk_jpeg_converts_back_to_its_colours(tmp_path: Path, original: np.ndarray) -> None:
    path = tmp_path / "cmyk.jpg"
    Image.fromarray(original).convert("CMYK").save(path, quality=95)
    with Image.open(path) as on_disk:
        assert on_disk.mode == "CMYK"
    image = load_rgb(path)
    assert image.mode == "RGB" and image.size == (original.shape[1], original.shape[0])
    error = np.abs(np.asarray(image).astype(int) - original.astype(int))
    assert error.mean() < 4  # JPEG loss only; an inverted or naive conversion is ~100+


def test_16bit_rgb_png_is_scaled_not_clipped(tmp_path: Path, original: np.ndarray) -> None:
    path = tmp_path / "deep.png"
    _write_png16_rgb(path, original)
    assert np.array_equal(np.asarray(load_rgb(path)), original)


def test_16bit_grayscale_png_is_scaled_not_clipped(tmp_path: Path, original: np.ndarray) -> None:
    gray = np.asarray(Image.fromarray(original).convert("L"))
    path = tmp_path / "gray16.png"
    Image.fromarray(gray.astype(np.uint16) * 257).save(path)  # mode I;16
    with Image.open(path) as on_disk:
        assert on_disk.mode.startswith("I")
    loaded = np.asarray(load_rgb(path))
    assert loaded.shape == (*gray.shape, 3)
    assert np.array_equal(loaded[..., 0], gray) and np.array_equal(loaded[..., 2], gray)


def test_grayscale_jpeg_is_expanded_to_rgb(tmp_path: Path, original: np.ndarray) -> None:
    path = tmp_path / "gray.jpg"
    Image.fromarray(original).convert("L").save(path, quality=95)
    loaded = np.asarray(load_rgb(path))
    assert loaded.shape[2] == 3
    assert np.array_equal(loaded[..., 0], loaded[..., 1])


def test_alpha_is_composited_on_white(tmp_path: Path, original: np.ndarray) -> None:
    rgba = np.dstack([original, np.full(original.shape[:2], 255, np.uint8)])
    rgba[:50, :50] = (0, 0, 0, 0)  # transparent black corner
    path = tmp_path / "cutout.png"
    Image.fromarray(rgba, mode="RGBA").save(path)
    loaded = np.asarray(load_rgb(path))
    assert (loaded[:50, :50] == 255).all()
    assert np.array_equal(loaded[60:, 60:], original[60:, 60:])


def test_palette_transparency_is_composited_on_white(tmp_path: Path, original: np.ndarray) -> None:
    palette = Image.fromarray(original).quantize(colors=64)
    indices = np.asarray(palette).copy()
    transparent = int(indices[0, 0])
    path = tmp_path / "palette.png"
    palette.save(path, transparency=transparent)
    loaded = np.asarray(load_rgb(path))
    assert (loaded[indices == transparent] == 255).all()
    opaque = indices != transparent
    reference = np.asarray(palette.convert("RGB"))
    assert np.array_equal(loaded[opaque], reference[opaque])


def test_exif_orientation_is_applied(tmp_path: Path, original: np.ndarray) -> None:
    strip = Image.fromarray(original[:, :100])  # 100 wide x 224 high
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    path = tmp_path / "rotated.jpg"
    strip.save(path, exif=exif)
    assert load_rgb(path).size == (strip.height, strip.width)


def test_truncated_jpeg_is_refused(tmp_path: Path, sample: Path) -> None:
    data = (sample / "images" / f"{SOURCE_ID}.jpg").read_bytes()
    path = tmp_path / "truncated.jpg"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageLoadError, match="truncated.jpg: cannot decode.*truncated"):
        load_rgb(path)


def test_zero_byte_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.touch()
    with pytest.raises(ImageLoadError, match=r"empty.jpg: empty file \(0 bytes\)"):
        load_rgb(path)


def test_text_named_jpg_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "page.jpg"
    path.write_text("<html><body>404 Not Found</body></html>\n", encoding="utf-8")
    with pytest.raises(ImageLoadError, match="page.jpg: not a recognised image format"):
        load_rgb(path)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImageLoadError, match="nothere.jpg: file not found"):
        load_rgb(tmp_path / "nothere.jpg")


def test_decompression_bomb_is_refused_before_decoding(
    tmp_path: Path, original: np.ndarray
) -> None:
    # A real PNG whose header claims 12000 x 12000 pixels (144 Mpx): refused from the
    # header alone, never decoded.
    with pytest.raises(ImageLoadError, match="12000x12000 = 144 Mpx exceeds the 40 Mpx limit"):
        load_rgb(_claiming_size(tmp_path / "bomb.png", original, 12000, 12000))
    # Above twice Pillow's own limit Pillow refuses first; the reason still says why.
    with pytest.raises(ImageLoadError, match="bigbomb.png: decompression-bomb guard"):
        load_rgb(_claiming_size(tmp_path / "bigbomb.png", original, 20000, 20000))
    # The limit is a parameter: a small one refuses the ordinary image too.
    ordinary = tmp_path / "ordinary.png"
    Image.fromarray(original).save(ordinary)
    with pytest.raises(ImageLoadError, match="decompression-bomb guard"):
        load_rgb(ordinary, max_pixels=10_000)


def test_16bit_scan_decodes_in_bounded_memory(tmp_path: Path, original: np.ndarray) -> None:
    """A 6300 x 6300 16-bit grayscale PNG (the real photo tiled; under 1 MB on disk).

    Measured in a fresh process: whole-image float64 arithmetic peaked at +1,365 MB; the
    strip-wise scaling at +281 MB (decoded 16-bit image 79 MB + 8-bit gray 40 MB + RGB
    159 MB). The bound leaves room for allocator slack.
    """
    import subprocess
    import sys

    size = 6300
    gray = original[..., 0].astype(np.uint16) * 257
    compressor = zlib.compressobj(1)
    rows = (np.resize(gray[y % gray.shape[0]], size).astype(">u2") for y in range(size))
    parts = [compressor.compress(b"\x00" + row.tobytes()) for row in rows]
    parts.append(compressor.flush())
    path = tmp_path / "scan16.png"
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 16, 0, 0, 0, 0))
        + _png_chunk(b"IDAT", b"".join(parts))
        + _png_chunk(b"IEND", b"")
    )
    script = (
        "import resource, sys\n"
        "from attrdb.cnn.images import load_rgb\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "image = load_rgb(sys.argv[1])\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(image.mode, image.size[0], image.size[1], (after - before) // 1024)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[:3] == ["RGB", str(size), str(size)]
    assert int(out[3]) < 450, f"decoding took {out[3]} MB more"
