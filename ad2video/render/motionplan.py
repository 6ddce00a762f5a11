"""Frame spans and Ken Burns geometry for the filtergraph (pure arithmetic, no I/O).

A moving clip is cut, prescaled and padded once, then per frame: crop a fixed window at an
even offset, scale it to a whole-pixel size, crop the output at an even offset; the three
integers are picked so the frames' centres follow a smooth path within a quarter pixel of their
ideal windows (render/subpixel.py, render/smoothpath.py). The fixed window (the cut C) is
the same for every clip of a video: two shared chains move them all (render/motionchain.py).
`ClipGeometry.params_at` mirrors the ffmpeg expressions exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

from ad2video.contracts import Motion, Rect, Timeline, VisualClip
from ad2video.errors import UserError
from ad2video.render.subpixel import (
    HEADROOM,
    ROOM,
    STEP,
    AxisMove,
    c_round,
    cut_size,
    lattice_gap,
    num,
)

Window = tuple[float, float, float, float]  # x, y, w, h in prescaled pixels
PAN_SPAN = 1.1  # the least zoom span a video's cut allows for (room for _pan_factor)
_PAN_TRIES = 96  # prescales tried per pan
__all__ = ["ClipGeometry", "Span", "clip_geometry", "clip_spans", "cut_for", "num",
           "timeline_geometry"]


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
    """Where a clip's windows lie once its picture is cut, prescaled and padded.

    Every frame is cut at `cut` (C, the same for all clips of a video: two shared chains move
    them all), scaled, and cut again at the output size. A still clip's picture is prescaled to
    the output exactly; its frames cut C at `fixed` (ax, ay), scale it by 1 and cut the output
    at (bx, by)."""

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
    cut: tuple[int, int]  # C per axis
    pad: tuple[int, int] = (0, 0)  # picture border added on both sides of each axis
    axes: tuple[AxisMove, AxisMove] | None = None  # x and y moves ("move" mode)
    fixed: tuple[int, int, int, int] = (0, 0, 0, 0)  # ax, ay, bx, by ("still" mode)

    def progress_expr(self, shift: int = 0) -> str:
        """Expression storing frame n's progress in ld(0) and its clip frame in ld(5);
        n = stream frame + `shift`.

        The frame number comes from the timestamp (settb + a whole-frame clock make it
        exact): scale's and crop's own `n` count from 1 in ffmpeg 9, a frame late."""
        frame = f"round(t*{self.fps}){shift:+d}" if shift else f"round(t*{self.fps})"
        steps = (f"st(5,clip({frame},0,{max(0, self.frames - 1)}));"
                 f"st(0,ld(5)/{max(1, self.frames - 1)})")
        return steps + (";st(0,ld(0)*ld(0)*(3-2*ld(0)))" if self.ease else "")

    def frame(self, n: int) -> int:
        """Clip frame n as the expressions see it (clamped to the clip)."""
        return min(max(c_round(n * (1 / self.fps) * self.fps), 0), max(0, self.frames - 1))

    def progress(self, n: int) -> float:
        p = self.frame(n) / max(1, self.frames - 1)
        return p * p * (3 - 2 * p) if self.ease else p

    def params_at(self, n: int) -> tuple[int, int, int, int, int, int]:
        """(ax, ay, sw, sh, bx, by): first cut offset, scaled size, output cut offset."""
        if self.axes is None:
            ax, ay, bx, by = self.fixed
            return ax, ay, self.cut[0], self.cut[1], bx, by
        e, i = self.progress(n), self.frame(n)
        x, y = self.axes
        (ax, bx), (ay, by) = x.offsets(e, i), y.offsets(e, i)
        return ax, ay, x.scaled(e, i), y.scaled(e, i), bx, by

    def window_at(self, n: int) -> Window:
        e = self.progress(n) if self.axes else 0.0
        a, b = self.start, self.end
        return tuple(a[k] + (b[k] - a[k]) * e for k in range(4))  # type: ignore[return-value]

    def shown_at(self, n: int) -> Window:
        """The window frame n really shows (prescaled pixels): ideal up to rounding."""
        if self.axes is None:
            ax, ay, bx, by = self.fixed
            return ax + bx - self.pad[0], ay + by - self.pad[1], self.out[0], self.out[1]
        e, i = self.progress(n), self.frame(n)
        (x, w), (y, h) = self.axes[0].shown(e, i), self.axes[1].shown(e, i)
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


def zooms(motion: Motion) -> tuple[float, float]:
    """Largest over smallest window, per axis (1 for a pan or a still)."""
    a, b = motion.start, motion.end
    return max(a.w, b.w) / min(a.w, b.w), max(a.h, b.h) / min(a.h, b.h)


def cut_for(clips: list[VisualClip], out_w: int, out_h: int) -> tuple[int, int]:
    """C per axis for a set of clips: what their widest zoom needs."""
    # (at least PAN_SPAN: room for a pan's prescale to pick a scale ratio, see _pan_factor)
    spans = [zooms(c.motion) for c in clips] + [(PAN_SPAN, PAN_SPAN)]
    return (cut_size(out_w, max(z[0] for z in spans)), cut_size(out_h, max(z[1] for z in spans)))


def timeline_geometry(timeline: Timeline) -> list[ClipGeometry]:
    """Every clip's geometry, all with the video's one cut size."""
    cut = cut_for(timeline.clips, timeline.width, timeline.height)
    return [clip_geometry(c, timeline.width, timeline.height, s.length, timeline.fps, cut)
            for c, s in zip(timeline.clips, clip_spans(timeline), strict=True)]


def clip_geometry(clip: VisualClip, out_w: int, out_h: int, frames: int,
                  fps: int = 30, cut: tuple[int, int] | None = None) -> ClipGeometry:
    """Source region, prescale, padding and per-frame moves for one clip (cut: C per axis,
    the video's; by default what this clip alone needs)."""
    cut = cut or cut_for([clip], out_w, out_h)
    a, b = clip.motion.start, clip.motion.end
    img_w, img_h = clip.image_width, clip.image_height
    x0 = max(0, math.floor(min(a.x, b.x)) // 2 * 2)  # even: JPEG chroma stays aligned
    y0 = max(0, math.floor(min(a.y, b.y)) // 2 * 2)
    x1 = min(img_w, math.ceil(max(a.x + a.w, b.x + b.w)))
    y1 = min(img_h, math.ceil(max(a.y + a.h, b.y + b.h)))
    cw, ch = max(1, x1 - x0), max(1, y1 - y0)
    still = all(abs(p - q) < 1e-3 for p, q in zip(_rect(a), _rect(b), strict=True))
    if still:  # prescaled so its window is exactly the output size
        sx, sy = out_w / a.w, out_h / a.h
        pw, ph = max(out_w, round(cw * sx)), max(out_h, round(ch * sy))
    else:
        # As large as the cut allows: the largest window scales to the output plus the
        # room the b candidates need (render/subpixel.py), the smallest by >= 1 + HEADROOM.
        factor = min(cut[0] * out_w / ((out_w + ROOM) * max(a.w, b.w)),
                     cut[1] * out_h / ((out_h + ROOM) * max(a.h, b.h)))
        if max(zooms(clip.motion)) < 1 + 1e-9:  # a pan: its scale ratio is ours to pick
            factor = _pan_factor(clip, cut, (out_w, out_h), (cw, ch), factor)
        pw, ph = _even_down(cw * factor), _even_down(ch * factor)
        sx, sy = pw / cw, ph / ch

    def local(r: Rect) -> Window:
        return ((r.x - x0) * sx, (r.y - y0) * sy, r.w * sx, r.h * sy)

    start, end = local(a), local(b)
    geo = ClipGeometry(
        mode="still" if still else "move", crop=(x0, y0, cw, ch),
        crop_needed=(cw, ch) != (img_w, img_h), pre=(pw, ph), start=start, end=end,
        frames=frames, fps=fps, out=(out_w, out_h), ease=clip.motion.easing == "ease_in_out",
        cut=cut,
    )
    if still:
        return _still_cuts(geo)
    progressions = [geo.progress(n) for n in range(frames)]
    axes = tuple(AxisMove.plan(geo.out[k], (start[k], start[k + 2]), (end[k], end[k + 2]),
                               geo.pre[k], progressions, cut[k]) for k in range(2))
    return replace(geo, axes=axes, pad=(axes[0].pad, axes[1].pad))


def _pan_factor(clip: VisualClip, cut: tuple[int, int], out: tuple[int, int],
                region: tuple[int, int], largest: float) -> float:
    """The prescale of a pan whose offset candidates spread best over the moving axes.

    A pan's window keeps its size, so its scale ratio r = C / s is the same on every frame
    and the centre can only land on the lattice of b * r (render/subpixel.py). Near a simple
    fraction (17/16, 6/5) that lattice bunches up; the ratio is picked, among the prescales
    the cut allows (r from 1 + HEADROOM up), as the one whose lattice has the smallest gap.
    """
    a, b = clip.motion.start, clip.motion.end
    moving = [k for k, (p, q) in enumerate(((a.x, b.x), (a.y, b.y))) if abs(p - q) > 1e-6]
    window = (a.w, a.h)
    smallest = max((1 + HEADROOM) * out[k] / window[k] for k in range(2))
    if not moving or smallest >= largest:
        return largest
    best = (math.inf, largest)
    for step in range(_PAN_TRIES + 1):
        factor = largest - (largest - smallest) * step / _PAN_TRIES
        scaled = [_even_down(region[k] * factor) / region[k] * window[k] for k in range(2)]
        gap = max(lattice_gap(cut[k] / c_round(cut[k] * out[k] / scaled[k])) for k in moving)
        best = min(best, (gap, -factor))
    return -best[1]



def _still_cuts(geo: ClipGeometry) -> ClipGeometry:
    """A still clip's fixed cuts: C around the output window, padded to fit."""
    fixed, pad = [0, 0, 0, 0], [0, 0]
    for k in range(2):
        # the output window, at an even offset: 4:2:0 chroma stays aligned with luma
        at = STEP * (min(max(c_round(geo.start[k]), 0), geo.pre[k] - geo.out[k]) // STEP)
        b = STEP * ((geo.cut[k] - geo.out[k]) // (2 * STEP))  # the output cut, centred
        need = max(0, b - at, at - b + geo.cut[k] - geo.pre[k])
        pad[k] = STEP * math.ceil(need / STEP)
        fixed[k], fixed[k + 2] = at - b + pad[k], b
    return replace(geo, pad=(pad[0], pad[1]), fixed=tuple(fixed))  # type: ignore[arg-type]


def _rect(r: Rect) -> tuple[float, float, float, float]:
    return r.x, r.y, r.w, r.h


def _even_down(value: float) -> int:
    return max(STEP, STEP * math.floor(value / STEP))
