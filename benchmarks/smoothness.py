"""Motion smoothness of a Ken Burns clip, measured on the frames themselves.

Per consecutive pair of frames, the displacement of the picture's centre (512x512 px) is
found by phase correlation (band-limited, upsampled 100x: ~0.02 px). The figure is the spread
(standard deviation) of its second difference, in px/frame^2, x and y combined: a smooth
eased move has almost none; whole-pixel steps (zoompan) show as spikes. Three renderings of
the same windows: ours, ffmpeg's zoompan, and a float-exact reference (Pillow, box resampling).
Ours and zoompan are read as the encoder gets them: the Y plane of their yuv420p frames (a
further conversion to full-range gray would round every frame once more and add ~0.01).
"""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

from ad2video.contracts import Motion, Rect, VisualClip
from ad2video.render import ffmpeg as ff
from ad2video.render.motionchain import Segment, picture_stream
from ad2video.render.motionplan import clip_geometry
from ad2video.render.pictures import Picture, PictureFeed, canvas_size

FRAMES = 126  # 4.2 s at 30 fps
IMG = (1600, 1200)


def _updft(data: np.ndarray, size: int, up: int, offsets: np.ndarray) -> np.ndarray:
    for n_items, off in list(zip(data.shape, offsets, strict=True))[::-1]:
        kernel = (np.arange(size) - off)[:, None] * np.fft.fftfreq(n_items, up)
        data = np.tensordot(np.exp(-2j * np.pi * kernel), data, axes=(1, -1))
    return data


def phase_shift(a: np.ndarray, b: np.ndarray, up: int = 100, band: float = 0.1) -> np.ndarray:
    """(dy, dx): how far the content of `b` moved from `a`, to ~1/up px."""
    win = np.outer(np.hanning(a.shape[0]), np.hanning(a.shape[1]))
    prod = np.fft.fft2((a - a.mean()) * win) * np.fft.fft2((b - b.mean()) * win).conj()
    prod /= np.abs(prod) + 1e-12
    fy, fx = np.fft.fftfreq(a.shape[0])[:, None], np.fft.fftfreq(a.shape[1])[None, :]
    prod *= (fy ** 2 + fx ** 2) < band ** 2  # resampling blurs high frequencies unevenly
    corr = np.fft.ifft2(prod)
    peak = np.array(np.unravel_index(np.argmax(np.abs(corr)), corr.shape), float)
    shape = np.array(corr.shape)
    peak[peak > shape // 2] -= shape[peak > shape // 2]
    peak = np.round(peak * up) / up
    size = math.ceil(up * 1.5)
    centre = size // 2
    fine = _updft(prod.conj(), size, up, centre - peak * up).conj()
    best = np.array(np.unravel_index(np.argmax(np.abs(fine)), fine.shape), float) - centre
    return -(peak + best / up)


def spread(frames: np.ndarray) -> float:
    """Std of the second difference of the per-frame displacement (px/frame^2)."""
    h, w = frames.shape[1:]
    c = (slice(h // 2 - 256, h // 2 + 256), slice(w // 2 - 256, w // 2 + 256))
    moves = np.array([phase_shift(frames[k][c], frames[k + 1][c])
                      for k in range(len(frames) - 1)])
    jerk = np.diff(moves, axis=0)
    return float(np.sqrt((jerk.std(axis=0) ** 2).sum()))


def motions(width: int, height: int) -> dict[str, Motion]:
    """A slow pan (~0.6 px/frame) and a slow zoom with a small drift, on a 1600x1200 photo."""
    def window(zoom: float, dx: float) -> Rect:
        h = IMG[1] / zoom
        w = h * width / height
        return Rect(x=(IMG[0] - w) / 2 + dx, y=(IMG[1] - h) / 2, w=w, h=h)

    return {"pan": Motion(kind="pan_right", start=window(1.25, -20), end=window(1.25, 20)),
            "zoom": Motion(kind="zoom_in", start=window(1.0, 0), end=window(1.15, 20))}


def _clip(photo: Path, motion: Motion) -> VisualClip:
    return VisualClip(kind="photo", start=0, end=FRAMES / 30, image=photo.name,
                      image_width=IMG[0], image_height=IMG[1], motion=motion)


def _luma(raw: bytes, width: int, height: int) -> np.ndarray:
    """The Y planes of yuv420p frames, as floats."""
    frames = np.frombuffer(raw, np.uint8).reshape(-1, width * height * 3 // 2)
    return frames[:, :width * height].reshape(-1, height, width).astype(np.float32)


def ours(photo: Path, motion: Motion, width: int, height: int) -> np.ndarray:
    """Luma of our graph's frames for the clip (no encoding)."""
    geo = clip_geometry(_clip(photo, motion), width, height, FRAMES, 30)
    pictures = [Picture(str(photo), geo)]
    inputs, lines = picture_stream(pictures, [Segment(geo, 0, geo.frames)], 30)
    graph = photo.with_suffix(".graph.txt")
    graph.write_text(";\n".join(lines), encoding="utf-8")
    raw = photo.with_suffix(".ours.yuv")
    ff.run_ffmpeg(["-y", *inputs[0].args(), *ff.filter_script_args(graph), "-map", "[c0]",
                   "-f", "rawvideo", "-pix_fmt", "yuv420p", str(raw)],
                  feed=PictureFeed(pictures, canvas_size(pictures)))
    return _luma(raw.read_bytes(), width, height)


def zoompan(photo: Path, motion: Motion, width: int, height: int) -> np.ndarray:
    """ffmpeg's zoompan (zoom/x/y per frame, eased the same way) on a region of the output's
    shape around both windows (zoompan crops at its input's aspect ratio)."""
    a, b = motion.start, motion.end
    ux0, uy0 = min(a.x, b.x), min(a.y, b.y)
    ux1, uy1 = max(a.x + a.w, b.x + b.w), max(a.y + a.h, b.y + b.h)
    ch = min(IMG[1], math.ceil(max(uy1 - uy0, (ux1 - ux0) * height / width)))
    cw = round(ch * width / height)
    x0 = min(max(0, math.floor((ux0 + ux1 - cw) / 2)), IMG[0] - cw)
    y0 = min(max(0, math.floor((uy0 + uy1 - ch) / 2)), IMG[1] - ch)
    p = f"(on/{FRAMES - 1})*(on/{FRAMES - 1})*(3-2*(on/{FRAMES - 1}))"
    z = f"{cw}/({a.w}+({b.w - a.w})*{p})"
    x, y = (f"{a.x - x0}+({b.x - a.x})*{p}", f"{a.y - y0}+({b.y - a.y})*{p}")
    vf = (f"crop={cw}:{ch}:{x0}:{y0},zoompan=z='{z}':x='{x}':y='{y}':d={FRAMES}"
          f":s={width}x{height}:fps=30,format=yuv420p")
    cmd = [str(ff.find_ffmpeg()), "-v", "error", "-i", str(photo), "-vf", vf,
           "-frames:v", str(FRAMES), "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"]
    return _luma(subprocess.run(cmd, capture_output=True, check=True).stdout, width, height)


def reference(photo: Path, motion: Motion, width: int, height: int) -> np.ndarray:
    """Float-exact windows, resampled from the photo by Pillow (the precomputed reference)."""
    geo = clip_geometry(_clip(photo, motion), width, height, FRAMES, 30)
    with Image.open(photo) as img:
        src = img.convert("F")
        a, b = motion.start, motion.end
        frames = []
        for n in range(FRAMES):
            e = geo.progress(n)
            x, y = a.x + (b.x - a.x) * e, a.y + (b.y - a.y) * e
            w, h = a.w + (b.w - a.w) * e, a.h + (b.h - a.h) * e
            frames.append(np.asarray(src.resize((width, height), Image.Resampling.BICUBIC,
                                                box=(x, y, x + w, y + h))))
    return np.stack(frames)


def measure(photo: Path, width: int, height: int) -> dict[str, dict[str, float]]:
    """{motion: {"ours" | "zoompan" | "reference" | "reference_8bit": spread}}; the last is
    the reference's frames rounded to 8 bits, as a video's are."""
    table: dict[str, dict[str, float]] = {}
    for name, motion in motions(width, height).items():
        ideal = reference(photo, motion, width, height)
        table[name] = {"ours": spread(ours(photo, motion, width, height)),
                       "zoompan": spread(zoompan(photo, motion, width, height)),
                       "reference": spread(ideal),
                       "reference_8bit": spread(np.round(np.clip(ideal, 0, 255)))}
    return table
