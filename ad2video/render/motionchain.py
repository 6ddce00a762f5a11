"""Every clip's Ken Burns motion through two shared chains of filters (pure text, no I/O).

libavfilter keeps each filter's frame pool and scaler until the whole graph ends, so a
crop + scale + crop chain per clip held ~8 MB per photo to the end of the render: memory grew
with the photo count. Here each picture is only repeated in a clip of its own (`loop`, which
lets go of the picture once its clip is done), the clips are joined into one stream, and one
crop, one scale and one crop move them all: their integers are picked per frame by whichever
clip the frame belongs to (every clip shares the cut size C). Trims cut the moved stream back
into the clips' streams. Everything stays demand-driven: `loop` and `concat` make a frame only
when the next filter asks for one, so nothing piles up in front of a slow encoder.

Neighbouring clips go through two such chains in turn, so a transition's tail and head are
made side by side (one chain would hold the whole tail in memory until the head's frames come).
"""

from __future__ import annotations

from dataclasses import dataclass

from ad2video.render.motionplan import ClipGeometry
from ad2video.render.pictures import Picture, canvas_size, input_options
from ad2video.render.plan import InputSpec

MOTION_SCALER = "bicublin"  # bicubic luma, bilinear chroma: ~25% cheaper than bicubic
CHAINS = 2  # clip i moves in chain i % CHAINS


@dataclass(frozen=True)
class Segment:
    """Frames [first, first + count) of one clip's stream, rendered in the shared stream."""

    geo: ClipGeometry
    first: int
    count: int


def stream_starts(segments: list[Segment]) -> list[int]:
    """Where each segment starts in its stream, then where the stream ends."""
    starts = [0]
    for seg in segments:
        starts.append(starts[-1] + seg.count)
    return starts


def picture_stream(pictures: list[Picture], segments: list[Segment],
                   fps: int) -> tuple[list[InputSpec], list[str]]:
    """Input 0 (picture i for segment i) moved per frame; segment i as [c{i}]."""
    if len(pictures) != len(segments):
        raise ValueError("one picture per segment is required")
    spec = InputSpec("pipe:0", input_options(canvas_size(pictures), fps))
    # Range/matrix converted here, once per picture: the output is limited-range BT.709
    # (players assume 709 for HD).
    labels = "".join(f"[p{i}]" for i in range(len(pictures)))
    split = f"split={len(pictures)}{labels}" if len(pictures) > 1 else f"null{labels}"
    lines = [f"[0:v]scale=out_range=tv:out_color_matrix=bt709,format=yuv420p,{split}"]
    for i, seg in enumerate(segments):  # picture i, repeated for its segment's frames
        lines.append(f"[p{i}]trim=start_frame={i}:end_frame={i + 1},"
                     f"loop=loop={seg.count - 1}:size=1[r{i}]")
    for c in range(min(CHAINS, len(segments))):
        own = list(range(c, len(segments), CHAINS))
        lines.append(_chain([segments[i] for i in own], own, fps))
    return [spec], lines


def _chain(segments: list[Segment], labels: list[int], fps: int) -> str:
    """One chain: its segments' repeated pictures joined, moved, cut back per segment."""
    starts = stream_starts(segments)
    ins = "".join(f"[r{i}]" for i in labels)
    join = f"concat=n={len(labels)}:v=1:a=0," if len(labels) > 1 else ""
    # settb + setpts=N: exact 1/fps steps (the frame number the expressions read)
    steps = [f"{ins}{join}settb=1/{fps}", "setpts=N", "setsar=1",
             *_motion(segments, starts, fps), "format=yuv420p", "setsar=1"]
    cuts = [f"trim=start_frame={starts[j]}:end_frame={starts[j + 1]},setpts=PTS-STARTPTS"
            f"[c{i}]" for j, i in enumerate(labels)]
    if len(cuts) == 1:
        return ",".join(steps) + "," + cuts[0]
    outs = "".join(f"[m{i}]" for i in labels)
    return ";\n".join([",".join(steps) + f",split={len(cuts)}{outs}",
                       *(f"[m{i}]{cut}" for i, cut in zip(labels, cuts, strict=True))])


def _motion(segments: list[Segment], starts: list[int], fps: int) -> list[str]:
    """crop C + scale + crop to the output, integers per frame from its segment's clip."""
    cut, out = segments[0].geo.cut, segments[0].geo.out
    if any(seg.geo.cut != cut or seg.geo.out != out for seg in segments):
        raise ValueError("the clips of one stream must share the cut and output sizes")
    exprs = [[_quoted(e) for e in select_exprs(segments, starts, fps, k)] for k in range(2)]
    (ax, sx, bx), (ay, sy, by) = exprs
    # Nothing may sit between this scale and the crop after it: crop reads the size of the
    # frames from its input link, which only the scale itself keeps up to date.
    return [f"crop={cut[0]}:{cut[1]}:{ax}:{ay}:exact=1",
            f"scale=w={sx}:h={sy}:eval=frame:flags={MOTION_SCALER}",
            f"crop={out[0]}:{out[1]}:{bx}:{by}:exact=1"]


def select_exprs(segments: list[Segment], starts: list[int], fps: int, k: int) -> list[str]:
    """(first cut offset, scaled size, output cut offset) on axis k, per frame."""
    per = [_axis_exprs(seg, starts[i], k) for i, seg in enumerate(segments)]
    chosen = []
    for j in range(3):
        expr = per[-1][j]
        for i in range(len(segments) - 2, -1, -1):
            if per[i][j] != expr:
                expr = f"if(lt(round(t*{fps}),{starts[i + 1]}),{per[i][j]},{expr})"
        chosen.append(expr)
    return chosen


def _axis_exprs(seg: Segment, start: int, k: int) -> tuple[str, str, str]:
    geo = seg.geo
    if geo.axes is None:
        return str(geo.fixed[k]), str(geo.cut[k]), str(geo.fixed[k + 2])
    axis = geo.axes[k]
    p = geo.progress_expr(seg.first - start)
    return axis.expr_first(p), axis.expr_scaled(p), axis.expr_second(p)


def _quoted(value: str) -> str:
    return value if value.lstrip("-").isdigit() else f"'{value}'"
