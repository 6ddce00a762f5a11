"""Ken Burns motion planning: pure geometry, no I/O.

A motion is two crop windows (start, end) in source-image pixels with the output's aspect ratio.
The renderer interpolates between them. Windows always stay inside the image and, when the
shot's subject box is known, keep the subject's centre inside the crop.
"""

from __future__ import annotations

import hashlib

from ad2video.contracts import Box, Motion, Rect

MOTION_KINDS: tuple[str, ...] = (
    "zoom_in", "zoom_out", "pan_left", "pan_right", "pan_up", "pan_down",
)
DEFAULT_ZOOM = 1.15


def seeded_unit(*parts: object) -> float:
    """A deterministic number in [0, 1) from the given parts (no global RNG state)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def cover_size(img_w: float, img_h: float, aspect: float) -> tuple[float, float]:
    """The largest window of `aspect` (w/h) that fits inside the image."""
    if img_w / img_h > aspect:
        return img_h * aspect, img_h
    return img_w, img_w / aspect


def _clamp(v: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, v))


def window(img_w: float, img_h: float, w: float, h: float, cx: float, cy: float) -> Rect:
    """A w x h window centred as near (cx, cy) as the image bounds allow."""
    x = _clamp(cx - w / 2, 0.0, img_w - w)
    y = _clamp(cy - h / 2, 0.0, img_h - h)
    return Rect(x=round(x, 3), y=round(y, 3), w=round(w, 3), h=round(h, 3))


def subject_centre(img_w: int, img_h: int, subject: Box | None) -> tuple[float, float]:
    if subject is None:
        return img_w / 2, img_h / 2
    return (subject.x + subject.w / 2) * img_w, (subject.y + subject.h / 2) * img_h


def available_kinds(img_w: int, img_h: int, aspect: float, zoom: float) -> list[str]:
    """Motions that have room to move: pans need slack along their axis at the zoomed size."""
    cw, ch = cover_size(img_w, img_h, aspect)
    kinds = ["zoom_in", "zoom_out"]
    if img_w - cw / zoom > 0.08 * img_w:
        kinds += ["pan_left", "pan_right"]
    if img_h - ch / zoom > 0.08 * img_h:
        kinds += ["pan_up", "pan_down"]
    return kinds


def choose_kind(seed: int, index: int, img_w: int, img_h: int, aspect: float,
                previous: str | None = None, zoom: float = DEFAULT_ZOOM) -> str:
    """Vary motion between clips, deterministically per seed, never twice the same in a row."""
    kinds = [k for k in available_kinds(img_w, img_h, aspect, zoom) if k != previous]
    return kinds[int(seeded_unit(seed, index, "motion") * len(kinds))]


def plan_motion(kind: str, img_w: int, img_h: int, out_w: int, out_h: int,
                subject: Box | None = None, zoom: float = DEFAULT_ZOOM) -> Motion:
    """Crop windows for one Ken Burns move that keep the subject in frame."""
    if kind not in (*MOTION_KINDS, "still"):
        raise ValueError(f"unknown motion kind {kind!r}")
    aspect = out_w / out_h
    cw, ch = cover_size(img_w, img_h, aspect)
    cx, cy = subject_centre(img_w, img_h, subject)
    wide = window(img_w, img_h, cw, ch, cx, cy)
    tight = window(img_w, img_h, cw / zoom, ch / zoom, cx, cy)
    if kind == "still":
        return Motion(kind=kind, start=wide, end=wide, easing="linear")
    if kind == "zoom_in":
        return Motion(kind=kind, start=wide, end=tight)
    if kind == "zoom_out":
        return Motion(kind=kind, start=tight, end=wide)
    return _pan(kind, img_w, img_h, cw / zoom, ch / zoom, cx, cy)


def _pan(kind: str, img_w: int, img_h: int, w: float, h: float, cx: float, cy: float) -> Motion:
    """Pan across the slack around the subject, keeping the subject centre inside the window."""
    horizontal = kind in ("pan_left", "pan_right")
    slack = (img_w - w) if horizontal else (img_h - h)
    travel = min(slack, 0.35 * (w if horizontal else h))
    half = travel / 2
    if horizontal:
        a = window(img_w, img_h, w, h, cx - half, cy)
        b = window(img_w, img_h, w, h, cx + half, cy)
    else:
        a = window(img_w, img_h, w, h, cx, cy - half)
        b = window(img_w, img_h, w, h, cx, cy + half)
    # pan_right moves the view to the right: the window travels from left to right.
    start, end = (a, b) if kind in ("pan_right", "pan_down") else (b, a)
    return Motion(kind=kind, start=start, end=end)
