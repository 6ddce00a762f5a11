"""Sub-pixel placement of a moving window with whole-pixel filters (pure arithmetic, no I/O).

swscale scales between whole-pixel sizes and `crop` cuts at whole pixels, so a plain
scale+crop puts each frame up to half an output pixel off its ideal window and slow motion
steps. Per frame and axis we pick three integers instead: the offset `a` of a fixed window of C
pixels cut from the (padded) prescaled picture, the size `s` that window is scaled to, and the
offset `b` of the output cut from that. Output pixel i then shows picture position
a + (b + i + 0.5) * C/s - 0.5, so the frame's centre lands at a + (b + O/2) * C/s.

With r = C/s kept above 1 + HEADROOM (never a whole number), the fractional parts of b * r over
OFFSETS candidate values of b are spread across [0, 1): the best one puts the centre within a few
hundredths of a pixel of its ideal place (about 0.2 px at worst, on the odd frame where r passes
a simple fraction such as 5/4). The scale itself is exact to 0.5/s, i.e. < 0.25 px at the
frame's edges. Offsets stay even so 4:2:0 chroma keeps its alignment with luma.

The ffmpeg expressions built here and the Python methods compute the same numbers with the same
floating-point operations in the same order (tests compare the two).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

# Candidate values of b tried per frame. More candidates put the centre closer (RMS 0.029 /
# 0.019 / 0.005 px for 32 / 64 / 128 on a pan) but need a larger cut C, i.e. more pixels to
# scale: 64 cost no time measurable on the reference job, 128 about 7% more CPU.
OFFSETS = 64
STEP = 2  # offsets are multiples of this (4:2:0 chroma stays aligned)
HEADROOM = 0.0618  # C / s never falls below 1 + HEADROOM (never a whole number)
ROOM = STEP * (OFFSETS - 1) + 2  # scaled pixels beyond the output that the b candidates need


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

    @classmethod
    def plan(cls, out: int, start: tuple[float, float], end: tuple[float, float],
             picture: int, progressions: list[float], crop: int) -> AxisMove:
        """Axis from (pos, size) at both ends and the cut size C; picks the padding its
        frames need."""
        pos, size = num_f(start[0]), num_f(start[1])
        axis = cls(out, pos, num_f(end[0] - pos), size, num_f(end[1] - size), crop)
        if min(axis.scaled(e) for e in progressions) < out + STEP * (OFFSETS - 1):
            raise ValueError("cut too small for the output and its offsets")  # pragma: no cover
        pad = 0
        for _ in range(4):  # padding shifts every offset by itself: settles in one pass
            lo, hi = axis.reach(progressions)
            if lo >= 0 and hi <= picture + 2 * pad:
                return axis
            pad += STEP * math.ceil(max(0, -lo, hi - picture - 2 * pad) / STEP)
            axis = cls(out, axis.pos, axis.dpos, axis.size, axis.dsize, crop, pad)
        raise ValueError("sub-pixel window does not fit its padding")  # pragma: no cover

    def reach(self, progressions: list[float]) -> tuple[int, int]:
        """Lowest offset of the C-pixel cut and the highest pixel it reaches, over frames."""
        firsts = [self.offsets(e)[0] for e in progressions]
        return min(firsts), max(firsts) + self.crop

    @property
    def moving(self) -> bool:
        return self.dpos != 0 or self.dsize != 0

    @property
    def zooming(self) -> bool:
        return self.dsize != 0

    def _window(self, e: float) -> float:
        return self.size + self.dsize * e

    def scaled(self, e: float) -> int:
        """s: the size the C-pixel cut is scaled to at progress e."""
        return c_round(self.crop * self.out / self._window(e))

    def offsets(self, e: float) -> tuple[int, int]:
        """(a, b): offset of the C-pixel cut in the padded picture, offset of the output cut."""
        s = self.scaled(e)
        r = self.crop / s
        base = num_f(self.pad + self.pos) + self.dpos * e + self._window(e) / 2 - self.out / 2 * r
        low = STEP * math.floor((s - (self.out + STEP * (OFFSETS - 1))) / (2 * STEP))
        best, pick = float(STEP), 0
        for k in range(OFFSETS):
            v = base - (low + STEP * k) * r
            err = abs(v - STEP * c_round(v / STEP))
            if err < best:
                best, pick = err, k
        b = low + STEP * pick
        return STEP * c_round((base - b * r) / STEP), b

    def shown(self, e: float) -> tuple[float, float]:
        """(start, size) of what the frame really shows, in unpadded prescaled pixels."""
        a, b = self.offsets(e)
        r = self.crop / self.scaled(e)
        return a + b * r - self.pad, self.out * r

    # ffmpeg expressions; `progress` stores the frame's progress in ld(0).
    def _size_text(self) -> str:
        if not self.zooming:
            return num(self.size)
        return f"({num(self.size)}+{num(self.dsize)}*ld(0))"

    def expr_scaled(self, progress: str) -> str:
        if not self.zooming:
            return str(self.scaled(0.0))
        return f"{progress};round({self.crop}*{self.out}/{self._size_text()})"

    def _search(self, progress: str) -> str:
        size, step = self._size_text(), STEP
        return (
            f"{progress};st(1,round({self.crop}*{self.out}/{size}));st(2,{self.crop}/ld(1));"
            f"st(3,{num(self.pad + self.pos)}+{num(self.dpos)}*ld(0)+{size}/2"
            f"-{num(self.out / 2)}*ld(2));"
            f"st(4,{step}*floor((ld(1)-{self.out + step * (OFFSETS - 1)})/{2 * step}));"
            f"st(5,0);st(6,{step});st(7,0);"
            f"while(lt(ld(5),{OFFSETS}),st(8,ld(3)-(ld(4)+{step}*ld(5))*ld(2));"
            f"st(9,abs(ld(8)-{step}*round(ld(8)/{step})));"
            f"if(lt(ld(9),ld(6)),st(6,ld(9))+st(7,ld(5)));st(5,ld(5)+1))"
        )

    def expr_first(self, progress: str) -> str:
        """Offset a of the C-pixel cut (crop before the scale)."""
        if not self.moving:
            return str(self.offsets(0.0)[0])
        return (f"{self._search(progress)};"
                f"{STEP}*round((ld(3)-(ld(4)+{STEP}*ld(7))*ld(2))/{STEP})")

    def expr_second(self, progress: str) -> str:
        """Offset b of the output cut (crop after the scale)."""
        if not self.moving:
            return str(self.offsets(0.0)[1])
        return f"{self._search(progress)};ld(4)+{STEP}*ld(7)"
