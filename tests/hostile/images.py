"""Hostile image files, generated at test time (nothing binary is committed).

Every writer takes the target path; the big ones are flat or low-detail so that they are cheap
to encode (a 12000x9000 JPEG takes about a second) while decoding them is still the real work.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from tests.conftest import make_photo


def photo_bytes(fmt: str = "JPEG", size: tuple[int, int] = (320, 240), seed: int = 7) -> bytes:
    """A real, textured photo as bytes (the base for truncated and patched files)."""
    buf = io.BytesIO()
    rng = np.random.default_rng(seed)
    arr = rng.integers(0, 255, size=(size[1], size[0], 3), dtype=np.uint8)
    Image.fromarray(arr).save(buf, fmt)
    return buf.getvalue()


def truncated(path: Path, fmt: str) -> Path:
    data = photo_bytes(fmt)
    path.write_bytes(data[: len(data) // 3])
    return path


def gradient(size: tuple[int, int], top: int = 65535) -> np.ndarray:
    w, h = size
    row = np.linspace(0, top, w, dtype=np.float64)
    col = np.linspace(0.3, 1.0, h, dtype=np.float64)[:, None]
    return row[None, :] * col


def cmyk_jpeg(path: Path) -> Path:
    make_photo(path.with_suffix(".tmp.png"), (200, 60, 40), size=(320, 240), seed=3)
    with Image.open(path.with_suffix(".tmp.png")) as img:
        img.convert("CMYK").save(path, "JPEG", quality=90)
    path.with_suffix(".tmp.png").unlink()
    return path


def grey16_png(path: Path) -> Path:
    """16-bit greyscale (mode I;16): values far above 255, which a naive convert clips white."""
    arr = gradient((320, 240)).astype("<u2")
    Image.frombytes("I;16", (320, 240), arr.tobytes()).save(path)
    return path


def rgb16_png(path: Path, alpha: bool = False) -> Path:
    """48-bit RGB (or 64-bit RGBA) PNG written by hand: Pillow cannot write these."""
    w, h = 200, 150
    g = gradient((w, h))
    planes = [g, g[:, ::-1], np.full_like(g, 30000)] + ([np.full_like(g, 50000)] if alpha else [])
    pixels = np.stack(planes, axis=-1).astype(">u2")
    raw = b"".join(b"\x00" + pixels[y].tobytes() for y in range(h))
    colour_type = 6 if alpha else 2
    return _write_png(path, w, h, 16, colour_type, zlib.compress(raw))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _write_png(path: Path, w: int, h: int, depth: int, colour_type: int, idat: bytes) -> Path:
    header = struct.pack(">IIBBBBB", w, h, depth, colour_type, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat)
                     + _chunk(b"IEND", b""))
    return path


def png_bomb(path: Path, side: int = 20000) -> Path:
    """A valid 1-bit PNG of side x side pixels (400 megapixels) in a few dozen kilobytes."""
    row = b"\x00" * (1 + (side + 7) // 8)
    comp = zlib.compressobj(9)
    parts = [comp.compress(row * 1000) for _ in range(side // 1000)]
    parts.append(comp.flush())
    return _write_png(path, side, side, 1, 0, b"".join(parts))


def jpeg_claiming(path: Path, width: int, height: int) -> Path:
    """A small JPEG whose frame header claims width x height (a header-only bomb)."""
    data = bytearray(photo_bytes("JPEG", (64, 64)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5: sof + 9] = struct.pack(">HH", height, width)
    path.write_bytes(bytes(data))
    return path


def palette_png(path: Path) -> Path:
    img = Image.fromarray(gradient((320, 240), 255).astype(np.uint8)).convert("RGB")
    pal = img.quantize(16)
    pal.info["transparency"] = 0
    pal.save(path, transparency=0)
    return path


def alpha_png(path: Path, mode: str = "RGBA") -> Path:
    base = np.asarray(Image.open(io.BytesIO(photo_bytes("PNG")))).copy()
    alpha = gradient((320, 240), 255).astype(np.uint8)
    rgba = np.dstack([base, alpha])
    img = Image.fromarray(rgba, "RGBA")
    (img if mode == "RGBA" else img.convert("LA")).save(path)
    return path


def animated(path: Path, fmt: str) -> Path:
    frames = [Image.fromarray(np.full((240, 320, 3), c, np.uint8)) for c in (40, 120, 200)]
    for i, frame in enumerate(frames):
        frame.paste((255, 255, 255), (20 * i, 20, 20 * i + 60, 80))
    frames[0].save(path, fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return path


def exif_rotated(path: Path, orientation: int = 6) -> Path:
    """Stored 320x240 (landscape); orientation 6 displays it 240x320 (portrait)."""
    img = Image.open(io.BytesIO(photo_bytes("JPEG")))
    exif = Image.Exif()
    exif[0x0112] = orientation
    img.save(path, "JPEG", exif=exif.tobytes(), quality=90)
    return path


def broken_exif(path: Path) -> Path:
    """A JPEG with an APP1 'Exif' segment full of garbage."""
    data = photo_bytes("JPEG")
    junk = b"Exif\x00\x00" + b"MM\x00\x2a\x00\x00\x00\x08" + bytes(range(256)) * 4
    segment = b"\xff\xe1" + struct.pack(">H", len(junk) + 2) + junk
    path.write_bytes(data[:2] + segment + data[2:])
    return path


def flat(path: Path, size: tuple[int, int], mode: str = "RGB", **save: object) -> Path:
    """A flat image with one darker band: cheap to encode at any size."""
    img = Image.new(mode, size, 150 if mode in ("L", "1") else (90, 120, 160))
    img.paste(40 if mode == "L" else (30, 40, 50), (0, size[1] // 3, size[0], size[1] // 2))
    img.save(path, **save)
    return path


def damaged_tiff(path: Path) -> Path:
    """A CMYK TIFF with four bytes changed: Pillow warns "Tag data larger than file"."""
    buf = io.BytesIO()
    Image.linear_gradient("L").resize((40, 30)).convert("CMYK").save(buf, "TIFF")
    data, rng = bytearray(buf.getvalue()), random.Random(9)
    for _ in range(4):
        data[rng.randrange(len(data))] = rng.randrange(256)
    path.write_bytes(bytes(data))
    return path


def float_tiff(path: Path) -> Path:
    Image.fromarray(gradient((320, 240), 1.0).astype(np.float32), "F").save(path)
    return path


def bilevel_tiff(path: Path) -> Path:
    Image.fromarray(gradient((320, 240), 255) > 128).save(path)
    return path


# Not images at all, with image names: what a broken upload or a hostile seller sends.
FAKE_CONTENT: dict[str, bytes] = {
    "text": b"this is not a photo\n",
    "html": b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>",
    "pdf": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    "eps": b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\n(x) show\nshowpage\n",
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="1e9" height="1e9"></svg>',
    "zip": b"PK\x03\x04" + b"\x00" * 60,
    "heic": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64,
    "elf": b"\x7fELF\x02\x01\x01" + b"\x00" * 120,
}
