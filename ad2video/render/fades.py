"""Crossfades: every `fade` transition of a video through ONE maskedmerge (pure text).

An xfade per transition (plane by plane, see filtergraph.blend) keeps its own frame pools,
and libavfilter frees pools only when the whole graph ends: ~15-20 MB per transition at
1080x1920, held to the end of the render, so memory grew with the photo count. Here the tails
of all fading clips are concatenated into one stream, their heads into another, and one
maskedmerge mixes them under a mask whose level is the fade's progress frame by frame (a
block of a level ramp, cut per frame and scaled up). The result is split back per transition.

Each run may carry one extra frame (`frames_in` = `frames_out` + 1): the trim cutting a run
out of the merged stream sees that frame and ends, instead of pulling the next transition's
frames early, which would queue the whole body of the clip in between.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FadeRun:
    """One crossfade: labels of the outgoing tail, the incoming head and the result."""

    tail: str
    head: str
    out: str
    frames_in: int  # frames in each of tail and head
    fade: int  # frames of the whole fade (progress = frame / fade)
    frames_out: int  # frames kept in the result


def mask_level(runs: list[FadeRun]) -> str:
    """Expression: 255 x progress of frame n of the concatenated runs."""
    starts, at = [], 0
    for run in runs:
        starts.append(at)
        at += run.frames_in
    expr = ""
    for run, start in zip(reversed(runs), reversed(starts), strict=True):
        level = f"round(clip(255*(n-{start})/{run.fade},0,255))"
        expr = level if not expr else f"if(lt(n,{start + run.frames_in}),{level},{expr})"
    return expr


def fade_lines(runs: list[FadeRun], size: tuple[int, int], fps: int) -> list[str]:
    """Lines making each run's [out] from its [tail] and [head] (each `frames_in` long)."""
    if not runs:
        return []
    count, total = len(runs), sum(r.frames_in for r in runs)
    retime = f"settb=1/{fps},setpts=N"  # one clock for the three inputs of maskedmerge
    lines = [_joined([r.tail for r in runs], "ftails", retime),
             _joined([r.head for r in runs], "fheads", retime)]
    # The mask: a ramp of the 256 levels (2x2 pixels each, drawn once), from which each frame
    # cuts the square of its level, scaled up to the frame (nearest neighbour).
    lines.append(f"color=c=black:s=512x2:r={fps},trim=end_frame=1,format=yuv444p,"
                 "geq=lum='floor(X/2)':cb='floor(X/2)':cr='floor(X/2)',"
                 # tagged like the pictures: otherwise ffmpeg converts it to their BT.709
                 # matrix and the three planes' levels drift apart
                 "setparams=range=tv:colorspace=bt709,"
                 f"loop=loop={total - 1}:size=1,{retime},"
                 f"crop=2:2:'2*({mask_level(runs)})':0:exact=1,"
                 f"scale={size[0]}:{size[1]}:flags=neighbor,format=yuv420p,setsar=1[fmask]")
    merged = "[ftails][fheads][fmask]maskedmerge"
    if count == 1 and runs[0].frames_in == runs[0].frames_out:
        return [*lines, f"{merged}[{runs[0].out}]"]
    labels = [f"[{r.out}s]" for r in runs]
    lines.append(f"{merged},split={count}{''.join(labels)}" if count > 1
                 else f"{merged}{labels[0]}")
    start = 0
    for run in runs:
        lines.append(f"[{run.out}s]trim=start_frame={start}:end_frame={start + run.frames_out},"
                     f"setpts=PTS-STARTPTS[{run.out}]")
        start += run.frames_in
    return lines


def _joined(labels: list[str], out: str, retime: str) -> str:
    inputs = "".join(f"[{label}]" for label in labels)
    join = f"concat=n={len(labels)}:v=1:a=0," if len(labels) > 1 else ""
    return f"{inputs}{join}{retime}[{out}]"
