"""Sub-pixel placement of a moving window with whole-pixel filters (pure arithmetic, no I/O).

swscale scales between whole-pixel sizes and `crop` cuts at whole pixels, so a plain
scale+crop puts each frame up to half an output pixel off its ideal window and slow motion
steps. Per frame and axis we pick three integers instead: the offset `a` of a fixed window of C
pixels cut from the (padded) prescaled picture, the size `s` that window is scaled to, and the
offset `b` of the output cut from that. Output pixel i then shows picture position
a + (b + i + 0.5) * r - 0.5, with r = C/s as swscale steps it (`ratio`: rounded to 16.16
fixed point), so the frame's centre lands at a + (b + O/2) * r.

With r kept above 1 + HEADROOM (never a whole number), the fractional parts of b * r over
OFFSETS candidate values of b are spread across [0, 1), so some candidate puts the centre within
a few hundredths of a pixel of its ideal place, except where r passes a simple fraction such as
6/5 and they bunch up. Which candidate each frame takes is chosen for the whole clip at plan
time (render/smoothpath.py): the smoothest path within a quarter pixel, not the nearest point
frame by frame. A zoom's scaled size s follows a smooth path as well, within SCALE_BOUND px at
the frame's edges. Each frame's choices reach ffmpeg as one code, six codes packed to a number
(`pick_expr`). Offsets stay even so 4:2:0 chroma keeps its alignment with luma.

The ffmpeg expressions built here and the Python methods compute the same numbers with the same
floating-point operations in the same order (tests compare the two).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace

import numpy as np

from ad2video.render.smoothpath import smoothest

# Candidate values of b tried per frame. More candidates put the centre closer (RMS 0.029 /
# 0.019 / 0.005 px for 32 / 64 / 128 on a pan) but need a larger cut C, i.e. more pixels to
# scale: 64 cost no time measurable on the reference job, 128 about 7% more CPU.
OFFSETS = 64
STEP = 2  # offsets are multiples of this (4:2:0 chroma stays aligned)
HEADROOM = 0.0618  # C / s never falls below 1 + HEADROOM (never a whole number)
ROOM = STEP * (OFFSETS - 1) + 2  # scaled pixels beyond the output that the b candidates need
# A zoom's scaled size s steps a whole pixel at a time: rounded frame by frame, its relative
# error jumps by up to 1/s (0.28 px/frame^2 at the edges of the benchmark's zoom). Off its
# rounded value by up to SCALE_STEPS, it follows the smoothest path within SCALE_BOUND output
# pixels at the frame's edges instead (0.15 px/frame^2 there).
SCALE_STEPS = 1
SCALE_BOUND = 0.5
PICK_BITS = (OFFSETS - 1).bit_length()  # a frame's code: (step + SCALE_STEPS, pick) in bits
BITS = PICK_BITS + (2 * SCALE_STEPS).bit_length()
PACKED = 48 // BITS  # codes per number in the expressions
FIXED = 16  # swscale's fractional bits in its source step (ratio())


def cut_size(out: int, zoom: float) -> int:
    """C for an axis whose windows span `zoom` (largest / smallest): at the largest window the
    scaled cut still holds the output and every b candidate; at the smallest, C / s is
    1 + HEADROOM."""
    return STEP * math.ceil((1 + HEADROOM) * zoom * (out + ROOM) / STEP)


def lattice_gap(ratio: float) -> float:
    """Largest gap (in units of STEP) between the fractional parts the OFFSETS candidates
    of b give a frame's centre at scale ratio C / s: half of it is the worst placement."""
    points = sorted((k * ratio) % 1.0 for k in range(OFFSETS))  # (STEP k r mod STEP) / STEP
    return max([q - p for p, q in itertools.pairwise(points)] + [1.0 + points[0] - points[-1]])


def ratio(crop: int, scaled: int | np.ndarray) -> float | np.ndarray:
    """The step swscale really takes through the source per output pixel when it scales
    `crop` pixels to `scaled` (a size, or an integer array of them): C / s rounded to 16.16
    fixed point (its xInc / yInc). Output pixel i samples source position
    (i + 0.5) * ratio - 0.5; the rounding alone moves the frame's centre by up to 0.005 px
    from one scaled size to the next."""
    return ((crop << FIXED) + (scaled >> 1)) // scaled / (1 << FIXED)


def num(value: float) -> str:
    """Deterministic short decimal text for the graph ('0.5', '12', '-3.25')."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def num_f(value: float) -> float:
    """The value as the graph text spells it (so the mirror matches ffmpeg exactly)."""
    return float(num(value))


def c_round(value: float) -> int:
    """C's round(): halves away from zero (Python's round() sends halves to even)."""
    low = math.floor(value)
    frac = value - low
    return low + 1 if frac > 0.5 or (frac == 0.5 and value > 0) else low


@dataclass(frozen=True)
class AxisMove:
    """One axis of a moving window, in prescaled picture pixels (before padding)."""

    out: int  # output pixels along this axis (O)
    pos: float  # window start at progress 0
    dpos: float  # its change by progress 1
    size: float  # window size at progress 0
    dsize: float  # its change by progress 1
    crop: int = 0  # C: the fixed window cut before the per-frame scale
    pad: int = 0  # M: picture border added on both sides so every cut stays inside
    picks: tuple[int, ...] = (0,)  # per clip frame: which b candidate (render/smoothpath.py)
    steps: tuple[int, ...] = (0,)  # per clip frame: s off its rounded value by this

    @classmethod
    def plan(cls, out: int, start: tuple[float, float], end: tuple[float, float],
             picture: int, progressions: list[float], crop: int) -> AxisMove:
        """Axis from (pos, size) at both ends and the cut size C; picks each frame's scaled
        size and offset candidate, and the padding its frames need."""
        pos, size = num_f(start[0]), num_f(start[1])
        axis = cls(out, pos, num_f(end[0] - pos), size, num_f(end[1] - size), crop)
        if axis.zooming:
            sizes = smoothest([axis.size_errors(e) for e in progressions], SCALE_BOUND)
            axis = replace(axis, steps=tuple(k - SCALE_STEPS for k in sizes))
        if min(axis.scaled(e, n) for n, e in enumerate(progressions)) < out + STEP * (OFFSETS - 1):
            raise ValueError("cut too small for the output and its offsets")  # pragma: no cover
        # an even padding shifts every candidate by itself: the picks do not depend on it
        frames = progressions if axis.moving else progressions[:1]
        picks = smoothest([axis.errors(e, axis.scaled(e, n)) for n, e in enumerate(frames)])
        axis = replace(axis, picks=tuple(picks))
        pad = 0
        for _ in range(4):  # padding shifts every offset by itself: settles in one pass
            lo, hi = axis.reach(progressions)
            if lo >= 0 and hi <= picture + 2 * pad:
                return axis
            pad += STEP * math.ceil(max(0, -lo, hi - picture - 2 * pad) / STEP)
            axis = replace(axis, pad=pad)
        raise ValueError("sub-pixel window does not fit its padding")  # pragma: no cover

    @staticmethod
    def _at(values: tuple[int, ...], frame: int) -> int:
        return values[min(max(frame, 0), len(values) - 1)]  # the last one past the end

    def reach(self, progressions: list[float]) -> tuple[int, int]:
        """Lowest offset of the C-pixel cut and the highest pixel it reaches, over frames."""
        firsts = [self.offsets(e, n)[0] for n, e in enumerate(progressions)]
        return min(firsts), max(firsts) + self.crop

    @property
    def moving(self) -> bool:
        return self.dpos != 0 or self.dsize != 0

    @property
    def zooming(self) -> bool:
        return self.dsize != 0

    def _window(self, e: float) -> float:
        return self.size + self.dsize * e

    def scaled(self, e: float, frame: int = 0) -> int:
        """s: the size the C-pixel cut is scaled to at progress e, clip frame `frame`."""
        return c_round(self.crop * self.out / self._window(e)) + self._at(self.steps, frame)

    def size_errors(self, e: float) -> np.ndarray:
        """Error at the frame's edges (output px) of each step s may take at progress e."""
        window = self._window(e)
        sizes = c_round(self.crop * self.out / window) + np.arange(-SCALE_STEPS, SCALE_STEPS + 1)
        return self.out / 2 * (window / (self.out * ratio(self.crop, sizes)) - 1)

    def _place(self, e: float, s: int) -> tuple[float, float, int]:
        """(r, base, low): scale ratio C / s (as swscale steps), where b = 0 would put the
        cut, first b."""
        r = ratio(self.crop, s)
        base = num_f(self.pad + self.pos) + self.dpos * e + self._window(e) / 2 - self.out / 2 * r
        return r, base, STEP * math.floor((s - (self.out + STEP * (OFFSETS - 1))) / (2 * STEP))

    def errors(self, e: float, s: int) -> np.ndarray:
        """Centre error (output px) of each candidate b at progress e, scaled size s."""
        r, base, low = self._place(e, s)
        v = base - (low + STEP * np.arange(OFFSETS)) * r
        return (STEP * np.floor(v / STEP + 0.5) - v) / r

    def offsets(self, e: float, frame: int) -> tuple[int, int]:
        """(a, b): offset of the C-pixel cut in the padded picture, offset of the output cut."""
        r, base, low = self._place(e, self.scaled(e, frame))
        b = low + STEP * self._at(self.picks, frame)
        return STEP * c_round((base - b * r) / STEP), b

    def shown(self, e: float, frame: int) -> tuple[float, float]:
        """(start, size) of what the frame really shows, in unpadded prescaled pixels."""
        a, b = self.offsets(e, frame)
        r = ratio(self.crop, self.scaled(e, frame))
        return a + b * r - self.pad, self.out * r

    def codes(self) -> tuple[int, ...]:
        """Per clip frame, (step + SCALE_STEPS) * 2^PICK_BITS + pick: what the graph reads."""
        frames = max(len(self.picks), len(self.steps))
        return tuple((self._at(self.steps, n) + SCALE_STEPS) << PICK_BITS | self._at(self.picks, n)
                     for n in range(frames))

    # ffmpeg expressions; `progress` stores the frame's progress in ld(0), its frame in ld(5).
    def _size_text(self) -> str:
        if not self.zooming:
            return num(self.size)
        return f"({num(self.size)}+{num(self.dsize)}*ld(0))"

    def _scaled_text(self) -> str:
        """s, once ld(7) holds the frame's code."""
        return (f"round({self.crop}*{self.out}/{self._size_text()})"
                f"+floor(ld(7)/{1 << PICK_BITS})-{SCALE_STEPS}")

    def expr_scaled(self, progress: str) -> str:
        if not self.zooming:
            return str(self.scaled(0.0))
        return f"{progress};{pick_expr(self.codes())};{self._scaled_text()}"

    def _place_expr(self, progress: str) -> str:
        """ld(7) = the frame's code, ld(1) = s, ld(2) = r, ld(3) = base, ld(4) = low."""
        step = STEP
        return (
            f"{progress};{pick_expr(self.codes())};st(1,{self._scaled_text()});"
            f"st(2,floor(({self.crop << FIXED}+floor(ld(1)/2))/ld(1))/{1 << FIXED});"
            f"st(3,{num(self.pad + self.pos)}+{num(self.dpos)}*ld(0)+{self._size_text()}/2"
            f"-{num(self.out / 2)}*ld(2));"
            f"st(4,{step}*floor((ld(1)-{self.out + step * (OFFSETS - 1)})/{2 * step}))"
        )

    def expr_first(self, progress: str) -> str:
        """Offset a of the C-pixel cut (crop before the scale)."""
        if not self.moving:
            return str(self.offsets(0.0, 0)[0])
        return (f"{self._place_expr(progress)};"
                f"{STEP}*round((ld(3)-(ld(4)+{STEP}*mod(ld(7),{1 << PICK_BITS}))*ld(2))/{STEP})")

    def expr_second(self, progress: str) -> str:
        """Offset b of the output cut (crop after the scale)."""
        if not self.moving:
            return str(self.offsets(0.0, 0)[1])
        return f"{self._place_expr(progress)};ld(4)+{STEP}*mod(ld(7),{1 << PICK_BITS})"


def pick_expr(picks: tuple[int, ...]) -> str:
    """Stores picks[ld(5)] in ld(7): PACKED codes per number, a binary tree over the numbers.

    Each number holds PACKED codes of BITS bits (48 of a double's 53 exact bits), read back
    with floor and mod, which are exact on such integers."""
    if len(set(picks)) == 1:
        return f"st(7,{picks[0]})"
    base = 1 << BITS
    packs = [sum(k << (BITS * j) for j, k in enumerate(picks[i:i + PACKED]))
             for i in range(0, len(picks), PACKED)]
    return (f"st(6,floor(ld(5)/{PACKED}));"
            f"st(7,mod(floor({_tree(packs, 0, len(packs))}/pow({base},ld(5)-{PACKED}*ld(6))),"
            f"{base}))")


def _tree(packs: list[int], lo: int, hi: int) -> str:
    if hi - lo == 1:
        return str(packs[lo])
    mid = (lo + hi) // 2
    return f"if(lt(ld(6),{mid}),{_tree(packs, lo, mid)},{_tree(packs, mid, hi)})"
