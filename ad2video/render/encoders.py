"""Video encoders: which one to use (NVENC when it really works, else libx264) and its settings.

`ffmpeg -encoders` lists NVENC in every static build, GPU or not, so a listed encoder is only
trusted after a tiny test encode succeeds on this machine.
"""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

from ad2video.errors import UserError

ENCODERS: tuple[str, ...] = ("auto", "libx264", "libx265", "h264_nvenc", "hevc_nvenc")
QUALITIES: tuple[str, ...] = ("draft", "standard", "high")
AUTO_ORDER: tuple[str, ...] = ("h264_nvenc", "libx264")  # first that works wins

# (speed preset, constant quality) per quality; lower quality number = better and bigger.
# x264 "standard" is the renderer's historic default (veryfast, crf 23).
SETTINGS: dict[str, dict[str, tuple[str, int]]] = {
    "libx264": {"draft": ("ultrafast", 28), "standard": ("veryfast", 23), "high": ("medium", 20)},
    "libx265": {"draft": ("ultrafast", 30), "standard": ("fast", 26), "high": ("slow", 22)},
    # NVENC: p1 fastest .. p7 best; -cq is its constant-quality target (VBR, no bitrate cap).
    "h264_nvenc": {"draft": ("p1", 30), "standard": ("p4", 24), "high": ("p6", 20)},
    "hevc_nvenc": {"draft": ("p1", 32), "standard": ("p4", 27), "high": ("p6", 23)},
}


def check_choice(encoder: str, quality: str) -> None:
    """One-line errors for unknown names (before any work starts)."""
    if encoder not in ENCODERS:
        raise UserError(f"unknown encoder '{encoder}' (choose one of: {', '.join(ENCODERS)})")
    if quality not in QUALITIES:
        raise UserError(f"unknown quality '{quality}' (choose one of: {', '.join(QUALITIES)})")


def video_args(encoder: str, quality: str, preset: str | None = None,
               crf: int | None = None) -> list[str]:
    """-c:v and its settings; `preset`/`crf` override the quality's (same meaning for NVENC:
    its preset p1..p7 and its -cq)."""
    speed, level = SETTINGS[encoder][quality]
    speed, level = preset or speed, level if crf is None else crf
    args = ["-c:v", encoder, "-preset", speed]
    if encoder.endswith("_nvenc"):
        args += ["-tune", "hq", "-rc", "vbr", "-cq", str(level), "-b:v", "0"]
    else:
        args += ["-crf", str(level)]
    if encoder.startswith("hevc") or encoder == "libx265":
        args += ["-tag:v", "hvc1"]  # Apple players want hvc1, not ffmpeg's default hev1
    return args


@functools.lru_cache(maxsize=16)
def probe_encoder(ffmpeg: str, encoder: str) -> str | None:
    """None when `encoder` encodes here; else the one-line reason it does not."""
    from ad2video.render.ffmpeg import error_line

    # NVENC needs frames of at least ~145x49; 256x256 suits every encoder.
    cmd = [ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
           "color=c=gray:s=256x256:r=10:d=0.2", "-frames:v", "2", "-c:v", encoder,
           "-f", "null", "-"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"test encode did not run: {exc}"
    if done.returncode != 0:
        return error_line(done.stderr)
    return None


def resolve_encoder(name: str, ffmpeg: str | Path) -> str:
    """'auto' -> NVENC when a test encode works, else libx264; a named encoder must work."""
    exe = str(ffmpeg)
    if name == "auto":
        for candidate in AUTO_ORDER:
            if probe_encoder(exe, candidate) is None:
                return candidate
        raise UserError(f"no usable H.264 encoder in {exe} (tried {', '.join(AUTO_ORDER)})")
    reason = probe_encoder(exe, name)
    if reason is not None:
        raise UserError(f"encoder {name} does not work with {exe}: {reason}")
    return name
