"""Fuzzing photo decoding: any bytes under an image name decode to an RGB image within the size
limit or are skipped with a reason (ingest.Skip); never another exception."""

from __future__ import annotations

import io
import os
import tempfile
import warnings
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from ad2video.stages.ingest import IngestOptions, Skip, decode

FUZZ = settings(max_examples=int(os.environ.get("AD2VIDEO_FUZZ_EXAMPLES", "150")),
                deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
OPTIONS = IngestOptions(max_edge=256, min_edge=8)
HEADERS = [b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n", b"GIF89a", b"RIFF\x00\x00\x00\x00WEBP",
           b"BM", b"II*\x00", b"MM\x00*", b"\x00\x00\x00\x18ftypheic", b""]


def _sample(fmt: str, mode: str) -> bytes:
    buf = io.BytesIO()
    img = Image.linear_gradient("L").resize((40, 30)).convert(mode)
    img.save(buf, fmt)
    return buf.getvalue()


SAMPLES = [_sample("JPEG", "RGB"), _sample("PNG", "RGBA"), _sample("GIF", "P"),
           _sample("WEBP", "RGB"), _sample("BMP", "RGB"), _sample("TIFF", "CMYK")]


def _decode(body: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "photo.jpg"
        path.write_bytes(body)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                img = decode(path, OPTIONS)
            assert not caught, [str(w.message) for w in caught]  # would reach the user
        except Skip as skip:
            assert skip.reason and "\n" not in skip.reason
        else:
            assert img.mode == "RGB" and max(img.size) <= OPTIONS.max_edge


@FUZZ
@given(st.sampled_from(HEADERS), st.binary(max_size=300))
def test_random_bytes_with_image_headers(header: bytes, body: bytes) -> None:
    _decode(header + body)


@FUZZ
@given(st.sampled_from(SAMPLES), st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 255)),
                                          min_size=1, max_size=8), st.integers(0, 2000))
def test_damaged_real_images(sample: bytes, flips: list[tuple[int, int]], cut: int) -> None:
    body = bytearray(sample)
    for at, value in flips:
        body[at % len(body)] = value
    _decode(bytes(body[: max(8, len(body) - cut)]))
