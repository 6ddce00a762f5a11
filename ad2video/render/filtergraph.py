"""Compile a Timeline into ONE ffmpeg filtergraph (pure: no I/O, deterministic text).

Video: each picture is cut to the region its motion needs, prescaled and padded once (in
Python, render/pictures.py) and streamed in as one raw input; in the graph it is repeated
for its clip by a `loop` of its own and moved per frame by one of TWO crop + scale + crop
chains shared by all clips (render/motionchain.py; clips alternate between them), with
whole-pixel parameters picked so the frames follow a smooth path within a fraction of a pixel
of their ideal windows (render/subpixel.py; `zoompan` snaps its crop to even source pixels).
Clip streams are cut into head/body/tail, transitions blend tail+head (one shared
maskedmerge for crossfades, xfade per plane for the others), one concat joins everything,
then the logo and libass captions go on top. Audio: render/audiograph.py.
"""

from __future__ import annotations

from ad2video.contracts import Logo, Timeline, VisualClip
from ad2video.errors import UserError
from ad2video.render.audiograph import (
    SAMPLE_RATE,
    audio_graph,
    build_loudness_probe,
    loudness_filter,
)
from ad2video.render.fades import FadeRun, fade_lines
from ad2video.render.motionchain import Segment, picture_stream
from ad2video.render.motionplan import Span, clip_spans, num, timeline_geometry
from ad2video.render.pictures import pictures_for
from ad2video.render.plan import InputSpec, RenderPlan, RenderSources
from ad2video.render.transitions import KNOWN_TRANSITIONS

__all__ = ["KNOWN_TRANSITIONS", "SAMPLE_RATE", "InputSpec", "RenderPlan", "RenderSources",
           "build_graph", "build_loudness_probe", "check_transitions", "escape_value"]

def escape_value(value: str) -> str:
    """Escape a filter option value (e.g. a path) for both filtergraph parsing levels.

    The graph parser unescapes once (special there: \\ ' [ ] , ;), then the filter's option
    parser once more (\\ ' :). Spaces are escaped too so edge whitespace survives. Use the
    result bare, not inside quotes: quoting would switch off the outer unescaping.
    """
    level1 = "".join("\\" + c if c in "\\': " else c for c in value)
    return "".join("\\" + c if c in "\\'[],; " else c for c in level1)


def build_graph(timeline: Timeline, sources: RenderSources,
                gain_db: float | None = None) -> RenderPlan:
    """The whole video as one filtergraph: inputs, graph text and output labels.

    gain_db: the loudness correction measured by `build_loudness_probe` (then applied as a
    plain gain under a peak limiter); None normalises in one pass with loudnorm instead.
    """
    if len(sources.images) != len(timeline.clips):
        raise ValueError("one image path per clip is required")
    if len(sources.narration) != len(timeline.narration):
        raise ValueError("one narration path per narration clip is required")
    spans = clip_spans(timeline)
    geos = timeline_geometry(timeline)
    pictures = pictures_for(sources.images, geos)
    # each clip one frame longer: the end-of-run markers of render/fades.py
    segments = [Segment(geo, 0, span.length + 1) for geo, span in zip(geos, spans, strict=True)]
    inputs, lines = picture_stream(pictures, segments, timeline.fps)
    lines += _join_clips(timeline.clips, spans, timeline.fps, (timeline.width, timeline.height))
    if timeline.logo is not None and sources.logo is not None:
        lines.append(logo_chain(len(inputs), timeline.logo, timeline.width))
        inputs.append(InputSpec(sources.logo))
    lines.append(finish_video("[vcat]", timeline, sources) + "[vout]")
    samples = round(timeline.duration * SAMPLE_RATE)
    audio_lines, audio_inputs = audio_graph(timeline, sources, len(inputs), samples,
                                            loudness_filter(timeline, gain_db))
    return RenderPlan(
        inputs=tuple(inputs + audio_inputs), graph=";\n".join(lines + audio_lines) + "\n",
        video_label="[vout]", audio_label="[aout]", frames=spans[-1].last, samples=samples,
        pictures=tuple(pictures), needs=tuple(span.first for span in spans),
    )


def _join_clips(clips: list[VisualClip], spans: list[Span], fps: int,
                size: tuple[int, int]) -> list[str]:
    """Cut each clip stream (one frame longer than the clip) into head / body / tail; blend
    tail+head pairs; concat it all.

    Crossfades all go through one maskedmerge (render/fades.py). Other transitions use xfade,
    which works on same-size planes only (4:4:4, RGB or gray): fed whole streams, it made
    ffmpeg convert every frame of the video to 4:4:4 and back (~7 s of CPU on the 30 s
    reference job). There only the transition frames are blended, plane by plane as gray
    images, so nothing is converted at all.
    """
    lines, segments, fades = [], [], []
    for i, span in enumerate(spans):
        nxt = spans[i + 1].fade if i + 1 < len(spans) else 0
        # a crossfade's tail and head carry the next frame too (see render/fades.py)
        shared_out = int(nxt > 0 and clips[i + 1].transition_in.kind == "fade")
        shared_in = int(span.fade > 0 and clips[i].transition_in.kind == "fade")
        parts = [(f"h{i}", 0, span.fade + shared_in), (f"b{i}", span.fade, span.length - nxt),
                 (f"t{i}", span.length - nxt, span.length + shared_out)]
        parts = [p for p in parts if p[2] > p[1]]
        lines.append(f"[c{i}]split={len(parts)}" + "".join(f"[{p[0]}s]" for p in parts)
                     if len(parts) > 1 else f"[c{i}]null[{parts[0][0]}s]")
        lines += [f"[{label}s]trim=start_frame={a}:end_frame={b},setpts=PTS-STARTPTS[{label}]"
                  for label, a, b in parts]
        if span.fade and shared_in:
            fades.append(FadeRun(f"t{i - 1}", f"h{i}", f"x{i}", span.fade + 1, span.fade,
                                 span.fade))
        elif span.fade:
            lines += blend(f"t{i - 1}", f"h{i}", f"x{i}", clips[i].transition_in.kind,
                           num(span.fade / fps))
        if span.fade:
            segments.append(f"[x{i}]")
        if any(p[0] == f"b{i}" for p in parts):
            segments.append(f"[b{i}]")
    lines += fade_lines(fades, size, fps)
    # concat stamps frames in microseconds, a hair early (20.699998 s for 20.7): libass,
    # which truncates to whole ms, then showed a caption starting on a frame one frame late
    lines.append("".join(segments) + f"concat=n={len(segments)}:v=1:a=0,"
                 f"settb=1/{fps},setpts=N[vcat]")
    return lines


def blend(a: str, b: str, out: str, kind: str, duration: str) -> list[str]:
    """xfade per plane (Y, U, V as gray frames), merged back into yuv420p."""
    lines = [f"[{a}]extractplanes=y+u+v[{a}y][{a}u][{a}v]",
             f"[{b}]extractplanes=y+u+v[{b}y][{b}u][{b}v]"]
    for plane in "yuv":
        # On a chroma plane "black" and "white" are not 0/255 but neutral: cross-fade them.
        how = "fade" if plane != "y" and kind in ("fadeblack", "fadewhite") else kind
        lines.append(f"[{a}{plane}][{b}{plane}]xfade=transition={how}:duration={duration}"
                     f":offset=0[{out}{plane}]")
    lines.append(f"[{out}y][{out}u][{out}v]mergeplanes=map0s=0:map0p=0:map1s=1:map1p=0"
                 f":map2s=2:map2p=0:format=yuv420p[{out}]")
    return lines


def check_transitions(timeline: Timeline) -> None:
    for i, clip in enumerate(timeline.clips):
        if clip.transition_in.kind not in KNOWN_TRANSITIONS:
            raise UserError(f"clip {i}: unknown transition {clip.transition_in.kind!r} "
                            f"(known: {', '.join(KNOWN_TRANSITIONS)})")


def logo_margins(logo: Logo, width: int, height: int) -> tuple[int, int, int]:
    """(side, top, bottom) margins in pixels; 9:16 keeps clear of the apps' bottom UI band."""
    side = round(logo.margin * width)
    bottom = round(0.22 * height) if height > width else side
    return side, side, bottom


def logo_chain(index: int, logo: Logo, width: int) -> str:
    """The logo scaled once to its share of the frame width, alpha kept, as [logo]."""
    w = max(2, 2 * round(logo.width * width / 2))
    return f"[{index}:v]scale={w}:-2:flags=lanczos,format=yuva420p[logo]"


def finish_video(label: str, timeline: Timeline, sources: RenderSources) -> str:
    """Logo (a single frame, repeated by overlay) then captions on top, then the output format."""
    steps = []
    if timeline.logo is not None and sources.logo is not None:
        side, top, bottom = logo_margins(timeline.logo, timeline.width, timeline.height)
        x = f"W-w-{side}" if timeline.logo.position.endswith("right") else str(side)
        y = f"H-h-{bottom}" if timeline.logo.position.startswith("bottom") else str(top)
        label = f"{label}[logo]"
        steps.append(f"overlay=x={x}:y={y}:format=yuv420:eof_action=repeat")
    if sources.ass is not None:
        ass = f"ass=filename={escape_value(sources.ass)}"
        if sources.fonts_dir is not None:
            ass += f":fontsdir={escape_value(sources.fonts_dir)}"
        steps.append(ass)
    steps += ["format=yuv420p", "setsar=1"]
    return label + ",".join(steps)
