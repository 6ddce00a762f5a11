"""What a video measures: loudness, true peak, black and frozen stretches, keyframe hashes.

One ffmpeg pass (blackdetect + freezedetect on the picture, ebur128 on the sound) gives every
number; the perceptual hash of a frame (a DCT hash, 64 bits) tells whether a keyframe moved.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ad2video.errors import RenderError
from ad2video.render import ffmpeg as ff

BLACK = "blackdetect=d=0.1:pix_th=0.10"  # at least 0.1 s of (nearly) black picture
FREEZE = "freezedetect=n=-60dB:d=1.0"  # at least 1 s without a visible change
_NUM = r"(-?\d+(?:\.\d+)?|-?inf|nan)"


def analyse_video(video: Path, ffmpeg: str | None = None) -> dict[str, Any]:
    """Loudness (LUFS), true peak (dBTP), loudness range, duration, black and frozen spans."""
    args = ["-i", str(video), "-filter_complex",
            f"[0:v]{BLACK},{FREEZE}[v];[0:a]ebur128=peak=true:framelog=verbose[a]",
            "-map", "[v]", "-map", "[a]", "-f", "null", "-"]
    stderr = ff.run_ffmpeg(args, ffmpeg).stderr
    return {
        "duration_s": _duration(stderr),
        "loudness_lufs": _summary_value(stderr, "I:"),
        "true_peak_db": _summary_value(stderr, "Peak:"),
        "loudness_range_lu": _summary_value(stderr, "LRA:"),
        "black": _spans(stderr, r"black_start:" + _NUM + r"\s+black_end:" + _NUM),
        "frozen": _freezes(stderr),
    }


def _duration(stderr: str) -> float | None:
    match = re.search(r"Duration:\s*(\d+):(\d+):(\d+(?:\.\d+)?)", stderr)
    if not match:
        return None
    h, m, s = match.groups()
    return round(int(h) * 3600 + int(m) * 60 + float(s), 3)


def _summary_value(stderr: str, label: str) -> float | None:
    summary = stderr.rsplit("Summary:", 1)[-1] if "Summary:" in stderr else ""
    match = re.search(re.escape(label) + r"\s*" + _NUM, summary)
    if not match:
        return None
    value = float(match.group(1))
    return round(value, 2) if np.isfinite(value) else None


def _spans(stderr: str, pattern: str) -> list[list[float]]:
    return [[round(float(a), 3), round(float(b), 3)] for a, b in re.findall(pattern, stderr)]


def _freezes(stderr: str) -> list[list[float | None]]:
    starts = [float(v) for v in re.findall(r"freeze_start:\s*" + _NUM, stderr)]
    ends = [float(v) for v in re.findall(r"freeze_end:\s*" + _NUM, stderr)]
    # A freeze lasting to the end of the video has no freeze_end line.
    return [[round(s, 3), round(ends[i], 3) if i < len(ends) else None]
            for i, s in enumerate(starts)]


def decode_gray(video: Path, t: float, ffmpeg: str | None = None,
                size: int = 32) -> np.ndarray:
    """The frame at `t` seconds as a size x size grey image (float32, 0..255)."""
    exe = str(ff.find_ffmpeg(ffmpeg))
    cmd = [exe, "-v", "error", "-nostdin", "-ss", f"{max(t, 0):.3f}", "-i", str(video),
           "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-"]
    out = subprocess.run(cmd, capture_output=True, check=False, timeout=60)
    if out.returncode != 0 or not out.stdout:
        raise RenderError(f"cannot decode a frame at {t:.2f} s of {video.name}: "
                             f"{ff.error_line(out.stderr.decode('utf-8', 'replace'))}")
    img = Image.open(io.BytesIO(out.stdout)).convert("L")
    img = img.resize((size, size), Image.Resampling.LANCZOS)
    return np.asarray(img, dtype=np.float32)


def _dct_matrix(n: int) -> np.ndarray:
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    return np.cos(np.pi * (2 * i + 1) * k / (2 * n))


def phash(gray: np.ndarray) -> str:
    """64-bit DCT perceptual hash (hex) of a 32x32 grey image: the 8x8 lowest frequencies
    above their median."""
    n = gray.shape[0]
    c = _dct_matrix(n)
    low = (c @ gray @ c.T)[:8, :8].flatten()
    bits = low > np.median(low[1:])  # the DC term is left out of the median: it is brightness
    return f"{int(''.join('1' if b else '0' for b in bits), 2):016x}"


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def frame_hash(video: Path, t: float, ffmpeg: str | None = None) -> str:
    return phash(decode_gray(video, t, ffmpeg))
