"""Frame spans and Ken Burns geometry for the filtergraph (pure arithmetic, no I/O).

The per-frame move is `scale` to an integer size then `crop` at an integer offset; the ffmpeg
expressions built here and `ClipGeometry.params_at` (their Python mirror, used by tests and
the benchmark's jitter figure) compute the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from ad2video.contracts import Rect, Timeline, VisualClip
from ad2video.errors import UserError

Window = tuple[float, float, float, float]  # x, y, w, h in prescaled pixels


def num(value: float) -> str:
    """Deterministic short decimal text for the graph ('0.5', '12', '-3.25')."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


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
    """Where a clip's windows lie once its picture is cropped and prescaled."""

    mode: Literal["still", "pan", "zoom"]
    crop: tuple[int, int, int, int]  # region of the source kept (x, y, w, h)
    crop_needed: bool
    pre: tuple[int, int]  # prescaled size of that region
    start: Window
    end: Window
    frames: int
    fps: int
    out: tuple[int, int]
    ease: bool

    def progress_expr(self) -> str:
        # Frame number from the timestamp (setpts=N made it exact): scale's and crop's own
        # `n` count from 1 in ffmpeg 9, which would put the move one frame late.
        steps = f"st(0,clip(round(t*{self.fps})/{max(1, self.frames - 1)},0,1))"
        return steps + (";st(0,ld(0)*ld(0)*(3-2*ld(0)))" if self.ease else "")

    def progress(self, n: int) -> float:
        p = min(max(n / max(1, self.frames - 1), 0.0), 1.0)
        return p * p * (3 - 2 * p) if self.ease else p

    def _axis(self, axis: str) -> tuple[int, int, float, float, float, float]:
        k = 0 if axis == "x" else 1
        return (self.pre[k], self.out[k], self.start[k], self.end[k] - self.start[k],
                self.start[k + 2], self.end[k + 2] - self.start[k + 2])

    def expr_size(self, axis: str) -> str:
        pre, out, _, _, size, dsize = self._axis(axis)
        scaled = f"max({out},round({pre}*{out}/({num(size)}+{num(dsize)}*ld(0))))"
        return f"{self.progress_expr()};{scaled}"

    def expr_offset(self, axis: str) -> str:
        pre, out, pos, dpos, size, dsize = self._axis(axis)
        if self.mode == "pan" and num(dpos) == "0":
            return str(self.params_at(0)[2 if axis == "x" else 3])  # this axis does not move
        if self.mode == "pan":
            scaled = str(self.params_at(0)[0 if axis == "x" else 1])
            head = self.progress_expr()
        else:
            scaled = "ld(1)"
            head = (f"{self.progress_expr()};"
                    f"st(1,max({out},round({pre}*{out}/({num(size)}+{num(dsize)}*ld(0)))))")
        return f"{head};clip(round(({num(pos)}+{num(dpos)}*ld(0))*{scaled}/{pre}),0,{scaled}-{out})"

    def params_at(self, n: int) -> tuple[int, int, int, int]:
        """Scaled size and crop offset used for frame n: (sw, sh, cx, cy)."""
        e = self.progress(n)
        result = []
        for axis in ("x", "y"):
            pre, out, pos, dpos, size, dsize = self._axis(axis)
            scaled = max(out, _round(pre * out / (num_f(size) + num_f(dsize) * e)))
            offset = min(max(_round((num_f(pos) + num_f(dpos) * e) * scaled / pre), 0),
                         scaled - out)
            result.append((scaled, offset))
        return result[0][0], result[1][0], result[0][1], result[1][1]

    def window_at(self, n: int) -> Window:
        e = self.progress(n)
        a, b = self.start, self.end
        return tuple(a[k] + (b[k] - a[k]) * e for k in range(4))  # type: ignore[return-value]

    def error_px(self, n: int) -> float:
        """RMS distance (output pixels, over the frame) between the rendered and ideal window."""
        sw, sh, cx, cy = self.params_at(n)
        ideal = self.window_at(n)
        total = 0.0
        for k, (scaled, offset) in enumerate(((sw, cx), (sh, cy))):
            pre, out = self.pre[k], self.out[k]
            unit = out / ideal[k + 2]  # output pixels per prescaled pixel
            a = (offset * pre / scaled - ideal[k]) * unit  # error at the frame's edge
            b = (pre / scaled - ideal[k + 2] / out) * unit  # error growth per output pixel
            total += a * a + a * b * out + b * b * out * out / 3
        return math.sqrt(total)


def num_f(value: float) -> float:
    """The value as the graph text spells it (so the mirror matches ffmpeg exactly)."""
    return float(num(value))


def _round(value: float) -> int:
    return math.floor(value + 0.5)  # ffmpeg's round(): half away from zero (values are > 0)


def clip_geometry(clip: VisualClip, out_w: int, out_h: int, frames: int,
                  fps: int = 30) -> ClipGeometry:
    """Crop region, prescale and per-frame windows for one clip."""
    a, b = clip.motion.start, clip.motion.end
    img_w, img_h = clip.image_width, clip.image_height
    x0 = max(0, math.floor(min(a.x, b.x)) // 2 * 2)  # even: JPEG chroma stays aligned
    y0 = max(0, math.floor(min(a.y, b.y)) // 2 * 2)
    x1 = min(img_w, math.ceil(max(a.x + a.w, b.x + b.w)))
    y1 = min(img_h, math.ceil(max(a.y + a.h, b.y + b.h)))
    cw, ch = max(1, x1 - x0), max(1, y1 - y0)
    # Prescale once so the tightest window keeps full output detail and no more: the per-frame
    # scale then never reads more lines than it needs. Never upscale here (cheaper per frame).
    factor = min(1.0, max(out_w / min(a.w, b.w), out_h / min(a.h, b.h)))
    pw, ph = max(1, round(cw * factor)), max(1, round(ch * factor))
    sx, sy = pw / cw, ph / ch

    def local(r: Rect) -> Window:
        return ((r.x - x0) * sx, (r.y - y0) * sy, r.w * sx, r.h * sy)

    start, end = local(a), local(b)
    same = [abs(p - q) < 1e-3 for p, q in zip(start, end, strict=True)]
    mode: Literal["still", "pan", "zoom"] = (
        "still" if all(same) else "pan" if same[2] and same[3] else "zoom")
    return ClipGeometry(
        mode=mode, crop=(x0, y0, cw, ch), crop_needed=(cw, ch) != (img_w, img_h),
        pre=(pw, ph), start=start, end=end, frames=frames, fps=fps, out=(out_w, out_h),
        ease=clip.motion.easing == "ease_in_out",
    )
