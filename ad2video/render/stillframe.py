"""One frame of the video without rendering the video: the same chains, for one instant.

Only the clip(s) on screen at that frame are built: one clip at its local frame, or, inside a
transition, both clips from the transition's first frame to this one (xfade needs the run-up)
and the last blended frame kept. The frame then gets the timestamp it has in the video, so the
logo and the captions (libass) are drawn as they are there.
"""

from __future__ import annotations

from dataclasses import dataclass

from ad2video.contracts import Timeline
from ad2video.render.fades import FadeRun, fade_lines
from ad2video.render.filtergraph import blend, finish_video, logo_chain
from ad2video.render.motionchain import Segment, picture_stream
from ad2video.render.motionplan import Span, clip_spans, num, timeline_geometry
from ad2video.render.pictures import pictures_for
from ad2video.render.plan import InputSpec, RenderPlan, RenderSources

# PNG wants RGB: convert from the video's limited-range BT.709 explicitly (no guessing).
TO_RGB = "scale=in_range=tv:in_color_matrix=bt709:out_range=pc,format=rgb24"


@dataclass(frozen=True)
class Moment:
    """Which clips a frame shows: clip `first` at local frame `local`, or a transition."""

    frame: int
    first: int  # clip index
    local: int  # frame of that clip's stream
    blended: int = 0  # > 0: frames into the transition from clip `first` to `first + 1`


def moment(timeline: Timeline, frame: int) -> Moment:
    """Where global frame `frame` (clamped to the video) comes from."""
    spans = clip_spans(timeline)
    frame = min(max(frame, 0), spans[-1].last - 1)
    for i, span in enumerate(spans):
        nxt = spans[i + 1] if i + 1 < len(spans) else None
        if nxt is not None and nxt.fade and nxt.first <= frame < span.last:
            return Moment(frame, i, nxt.first - span.first, frame - nxt.first + 1)
        if span.first <= frame < span.last:
            return Moment(frame, i, frame - span.first)
    raise ValueError(f"frame {frame} is outside the timeline")  # pragma: no cover


def frame_graph(timeline: Timeline, sources: RenderSources, frame: int) -> RenderPlan:
    """A graph whose only output frame is frame `frame` of the video, as RGB."""
    at = moment(timeline, frame)
    spans = clip_spans(timeline)
    used = [at.first, at.first + 1] if at.blended else [at.first]
    every = timeline_geometry(timeline)  # the render's geometry: the same cut size
    geos = [every[i] for i in used]
    pictures = pictures_for([sources.images[i] for i in used], geos)
    count = max(1, at.blended)
    segments = [Segment(geos[0], at.local, count)]
    if at.blended:
        segments.append(Segment(geos[1], 0, count))
    inputs, lines = picture_stream(pictures, segments, timeline.fps)
    last = "[c0]"
    if at.blended:
        lines += _blend_run(timeline, at.first + 1, spans[at.first + 1], count)
        last = "[x1]"
    lines.append(f"{last}trim=start_frame={count - 1},setpts={at.frame}[still]")
    if timeline.logo is not None and sources.logo is not None:
        lines.append(logo_chain(len(inputs), timeline.logo, timeline.width))
        inputs.append(InputSpec(sources.logo))
    lines.append(finish_video("[still]", timeline, sources) + f",{TO_RGB}[vout]")
    return RenderPlan(inputs=tuple(inputs), graph=";\n".join(lines) + "\n",
                      video_label="[vout]", audio_label="", frames=1, samples=0,
                      pictures=tuple(pictures))


def _blend_run(timeline: Timeline, incoming: int, span: Span, count: int) -> list[str]:
    """The first `count` frames of the transition into clip `incoming`, as [x1]."""
    kind = timeline.clips[incoming].transition_in.kind
    lines = ["[c0]setpts=PTS-STARTPTS[t0]", "[c1]setpts=PTS-STARTPTS[h1]"]
    if kind == "fade":  # as the render draws it: the shared maskedmerge of render/fades.py
        run = FadeRun("t0", "h1", "x1", count, span.fade, count)
        return lines + fade_lines([run], (timeline.width, timeline.height), timeline.fps)
    return lines + blend("t0", "h1", "x1", kind, num(span.fade / timeline.fps))


def scene_moments(timeline: Timeline) -> list[tuple[str, int]]:
    """(label, frame) per scene for a contact sheet: the middle of the scene's longest clip;
    the title and end cards count as scenes."""
    groups: dict[str, list[int]] = {}
    for i, clip in enumerate(timeline.clips):
        key = (("title" if i == 0 else "end") if clip.kind == "card"
               else f"scene {clip.scene + 1 if clip.scene is not None else i}")
        groups.setdefault(key, []).append(i)
    out = []
    for label, members in groups.items():
        longest = max(members, key=lambda i: timeline.clips[i].end - timeline.clips[i].start)
        clip = timeline.clips[longest]
        out.append((label, round((clip.start + clip.end) / 2 * timeline.fps)))
    return out
