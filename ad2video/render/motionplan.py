"""Frame spans and Ken Burns geometry for the filtergraph (pure arithmetic, no I/O).

A moving clip is cut, prescaled and padded once, then per frame: crop a fixed window at an
even offset, scale it to a whole-pixel size, crop the output at an even offset; the three
integers are picked so the frame lands within a few hundredths of a pixel of its ideal window
(render/subpixel.py). `ClipGeometry.params_at` mirrors the ffmpeg expressions exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

from ad2video.contracts import Rect, Timeline, VisualClip
from ad2video.errors import UserError
from ad2video.render.subpixel import HEADROOM, STEP, AxisMove, c_round, num

Window = tuple[float, float, float, float]  # x, y, w, h in prescaled pixels
__all__ = ["ClipGeometry", "Span", "clip_geometry", "clip_spans", "num"]


@dataclass(frozen=True)
class Span:
    """Frames [first, last) of the output that one clip's stream covers."""

    first: int
    last: int
    fade: int  # frames of the transition into this clip (0: cut)

    @property
    def length(self) -> int:
        return self.last - self.first


def clip_spans(timeline: Timeline) -> list[Span]:
    """Each clip's stream, transitions centred on the boundaries, in whole frames."""
    fps, clips = timeline.fps, timeline.clips
    total = round(timeline.duration * fps)
    _check_contiguous(timeline)
    fades = [0] + [0 if c.transition_in.kind == "cut" else round(c.transition_in.duration * fps)
                   for c in clips[1:]]
    firsts = [0] + [round(c.start * fps) - fades[i + 1] // 2 for i, c in enumerate(clips[1:])]
    lasts = [firsts[i + 1] + fades[i + 1] for i in range(len(clips) - 1)] + [total]
    spans = [Span(f, la, d) for f, la, d in zip(firsts, lasts, fades, strict=True)]
    for i, span in enumerate(spans):
        following = fades[i + 1] if i + 1 < len(spans) else 0
        if span.length < max(1, span.fade + following):
            raise UserError(f"clip {i} ({clips[i].start:.2f}-{clips[i].end:.2f} s) is too short "
                            "for its transitions")
    return spans


def _check_contiguous(timeline: Timeline) -> None:
    tol = 0.5 / timeline.fps
    clips = timeline.clips
    if abs(clips[0].start) > tol:
        raise UserError(f"timeline: first clip starts at {clips[0].start:.3f} s, not 0")
    for i in range(1, len(clips)):
        if abs(clips[i].start - clips[i - 1].end) > tol:
            raise UserError(f"timeline: clip {i} starts at {clips[i].start:.3f} s but clip "
                            f"{i - 1} ends at {clips[i - 1].end:.3f} s")
    if abs(clips[-1].end - timeline.duration) > tol:
        raise UserError(f"timeline: last clip ends at {clips[-1].end:.3f} s, duration is "
                        f"{timeline.duration:.3f} s")


@dataclass(frozen=True)
class ClipGeometry:
    """Where a clip's windows lie once its picture is cut, prescaled and padded."""

    mode: Literal["still", "move"]
    crop: tuple[int, int, int, int]  # region of the source kept (x, y, w, h)
    crop_needed: bool
    pre: tuple[int, int]  # prescaled size of that region
    start: Window
    end: Window
    frames: int
    fps: int
    out: tuple[int, int]
    ease: bool
    axes: tuple[AxisMove, AxisMove] | None = None  # x and y moves ("move" mode)

    @property
    def pad(self) -> tuple[int, int]:
        return (self.axes[0].pad, self.axes[1].pad) if self.axes else (0, 0)

    def progress_expr(self) -> str:
        # Frame number from the timestamp (setpts=N made it exact): scale's and crop's own
        # `n` count from 1 in ffmpeg 9, which would put the move one frame late.
        steps = f"st(0,clip(round(t*{self.fps})/{max(1, self.frames - 1)},0,1))"
        return steps + (";st(0,ld(0)*ld(0)*(3-2*ld(0)))" if self.ease else "")

    def progress(self, n: int) -> float:
        p = min(max(c_round(n * (1 / self.fps) * self.fps) / max(1, self.frames - 1), 0.0), 1.0)
        return p * p * (3 - 2 * p) if self.ease else p

    def still_offset(self) -> tuple[int, int]:
        """Where the output is cut from the prescaled picture of a still clip."""
        return tuple(min(max(c_round(self.start[k]), 0), self.pre[k] - self.out[k])
                     for k in range(2))  # type: ignore[return-value]

    def params_at(self, n: int) -> tuple[int, int, int, int, int, int]:
        """(ax, ay, sw, sh, bx, by): first cut offset, scaled size, output cut offset."""
        if self.axes is None:
            cx, cy = self.still_offset()
            return cx, cy, self.pre[0], self.pre[1], 0, 0
        e = self.progress(n)
        (ax, bx), (ay, by) = self.axes[0].offsets(e), self.axes[1].offsets(e)
        return ax, ay, self.axes[0].scaled(e), self.axes[1].scaled(e), bx, by

    def window_at(self, n: int) -> Window:
        e = self.progress(n) if self.axes else 0.0
        a, b = self.start, self.end
        return tuple(a[k] + (b[k] - a[k]) * e for k in range(4))  # type: ignore[return-value]

    def shown_at(self, n: int) -> Window:
        """The window frame n really shows (prescaled pixels): ideal up to rounding."""
        if self.axes is None:
            cx, cy = self.still_offset()
            return cx, cy, self.out[0], self.out[1]
        e = self.progress(n)
        (x, w), (y, h) = self.axes[0].shown(e), self.axes[1].shown(e)
        return x, y, w, h

    def error_px(self, n: int) -> float:
        """RMS distance (output pixels, over the frame) between the shown and ideal window."""
        return window_error(self.shown_at(n), self.window_at(n), self.out)


def window_error(shown: Window, ideal: Window, out: tuple[int, int]) -> float:
    """RMS over the frame of the distance (output px) between two windows of one picture."""
    total = 0.0
    for k in range(2):
        unit = out[k] / ideal[k + 2]  # output pixels per picture pixel
        a = (shown[k] - ideal[k]) * unit  # error at the frame's edge
        b = (shown[k + 2] - ideal[k + 2]) / out[k] * unit  # its growth per output pixel
        total += a * a + a * b * out[k] + b * b * out[k] ** 2 / 3
    return math.sqrt(total)


def clip_geometry(clip: VisualClip, out_w: int, out_h: int, frames: int,
                  fps: int = 30) -> ClipGeometry:
    """Source region, prescale, padding and per-frame moves for one clip."""
    a, b = clip.motion.start, clip.motion.end
    img_w, img_h = clip.image_width, clip.image_height
    x0 = max(0, math.floor(min(a.x, b.x)) // 2 * 2)  # even: JPEG chroma stays aligned
    y0 = max(0, math.floor(min(a.y, b.y)) // 2 * 2)
    x1 = min(img_w, math.ceil(max(a.x + a.w, b.x + b.w)))
    y1 = min(img_h, math.ceil(max(a.y + a.h, b.y + b.h)))
    cw, ch = max(1, x1 - x0), max(1, y1 - y0)
    still = all(abs(p - q) < 1e-3 for p, q in zip(_rect(a), _rect(b), strict=True))
    # A moving picture is prescaled once so its tightest window is (1 + HEADROOM) x the
    # output: every per-frame scale then shrinks by a ratio that is never a whole number.
    # A still one is prescaled so its window is exactly the output size.
    factor = max(out_w / min(a.w, b.w), out_h / min(a.h, b.h)) * (1 if still else 1 + HEADROOM)
    pw, ph = _even(cw * factor), _even(ch * factor)
    sx, sy = pw / cw, ph / ch
    if still:
        sx, sy = out_w / a.w, out_h / a.h
        pw, ph = max(out_w, round(cw * sx)), max(out_h, round(ch * sy))

    def local(r: Rect) -> Window:
        return ((r.x - x0) * sx, (r.y - y0) * sy, r.w * sx, r.h * sy)

    start, end = local(a), local(b)
    geo = ClipGeometry(
        mode="still" if still else "move", crop=(x0, y0, cw, ch),
        crop_needed=(cw, ch) != (img_w, img_h), pre=(pw, ph), start=start, end=end,
        frames=frames, fps=fps, out=(out_w, out_h), ease=clip.motion.easing == "ease_in_out",
    )
    if still:
        return geo
    progressions = [geo.progress(n) for n in range(frames)]
    axes = tuple(AxisMove.plan(geo.out[k], (start[k], start[k + 2]), (end[k], end[k + 2]),
                               geo.pre[k], progressions) for k in range(2))
    return replace(geo, axes=axes)


def _rect(r: Rect) -> tuple[float, float, float, float]:
    return r.x, r.y, r.w, r.h


def _even(value: float) -> int:
    return max(STEP, STEP * round(value / STEP))
