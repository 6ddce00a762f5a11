"""Compile a Timeline into ONE ffmpeg filtergraph (pure: no I/O, deterministic text).

Video: each picture is decoded once, cropped to the region its motion needs and prescaled once,
repeated with `loop`, then moved per frame by `scale` (eval=frame, integer output size) plus
`crop` (integer offset, exact=1): every frame lands within half an output pixel per axis of
the ideal window, for ~4 ms/frame at 1080x1920, where `zoompan` snaps its crop to even source
pixels (1.6-2 output pixels each for a 4:3 photo in 9:16). Clip streams are cut into
head/body/tail, transitions blend tail+head (xfade per plane), one concat joins everything,
then libass burns in the captions. Audio: narration, music looped/faded/ducked, loudness gain.
"""

from __future__ import annotations

from dataclasses import dataclass

from ad2video.contracts import Timeline, VisualClip
from ad2video.errors import UserError
from ad2video.render.motionplan import ClipGeometry, Span, clip_geometry, clip_spans, num

SAMPLE_RATE = 48_000
# xfade transitions we allow by name; "cut" is a hard cut (concat, no blending).
TRANSITIONS: tuple[str, ...] = (
    "fade", "fadeblack", "fadewhite", "slideleft", "slideright", "slideup",
    "slidedown", "wipeleft", "wiperight", "wipeup", "wipedown", "smoothleft", "smoothright",
    "smoothup", "smoothdown", "circleopen", "circleclose", "zoomin", "radial",
)
KNOWN_TRANSITIONS: tuple[str, ...] = ("cut", *TRANSITIONS)
# Voice-keyed ducking: measured ~12 dB less music under speech, back to 0 dB after it.
DUCK = "sidechaincompress=threshold=0.02:ratio=8:attack=20:release=400"


@dataclass(frozen=True)
class InputSpec:
    path: str
    options: tuple[str, ...] = ()  # ffmpeg options placed before this input's -i

    def args(self) -> list[str]:
        return [*self.options, "-i", self.path]


@dataclass(frozen=True)
class RenderSources:
    """Resolved file paths the graph refers to (the caller resolves them against run_dir)."""

    images: tuple[str, ...]  # one per timeline clip, in order
    narration: tuple[str, ...] = ()  # one per timeline.narration entry
    music: str | None = None
    ass: str | None = None  # captions file; None burns no captions
    fonts_dir: str | None = None  # pinned fonts for libass


@dataclass(frozen=True)
class RenderPlan:
    inputs: tuple[InputSpec, ...]
    graph: str  # filtergraph text, one chain per line
    video_label: str  # e.g. "[vout]"
    audio_label: str
    frames: int  # exact number of output video frames
    samples: int  # exact number of output audio samples at SAMPLE_RATE

    def input_args(self) -> list[str]:
        return [arg for spec in self.inputs for arg in spec.args()]


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
    inputs = [InputSpec(path, ("-framerate", str(timeline.fps))) for path in sources.images]
    lines = [_clip_chain(i, clip, span, timeline)
             for i, (clip, span) in enumerate(zip(timeline.clips, spans, strict=True))]
    lines += _join_clips(timeline.clips, spans, timeline.fps)
    lines.append(f"[vcat]{_finish_video(sources)}[vout]")
    samples = round(timeline.duration * SAMPLE_RATE)
    audio_lines, audio_inputs = _audio_graph(timeline, sources, len(inputs), samples,
                                             _loudness(timeline, gain_db))
    return RenderPlan(
        inputs=tuple(inputs + audio_inputs), graph=";\n".join(lines + audio_lines) + "\n",
        video_label="[vout]", audio_label="[aout]", frames=spans[-1].last, samples=samples,
    )


def _clip_chain(i: int, clip: VisualClip, span: Span, timeline: Timeline) -> str:
    geo = clip_geometry(clip, timeline.width, timeline.height, span.length, timeline.fps)
    x, y, w, h = geo.crop
    prep = [f"crop={w}:{h}:{x}:{y}:exact=1"] if geo.crop_needed else []
    size = f"{geo.pre[0]}:{geo.pre[1]}:" if geo.pre != (w, h) else ""
    # Range/matrix converted once here, before the loop: photos are full-range BT.601 JPEG or
    # RGB PNG; the output is limited-range BT.709 (players assume 709 for HD).
    prep.append(f"scale={size}flags=lanczos:out_range=tv:out_color_matrix=bt709")
    prep += ["format=yuv420p", "setsar=1"]
    prep += _motion_filters(geo, timeline.width, timeline.height)
    # Pin 4:2:0 here, or format negotiation lets the per-frame scale emit 4:4:4 for xfade and
    # every frame pays for it. scale also changes SAR when x and y factors differ: reset it.
    prep += ["format=yuv420p", "setsar=1"]
    return f"[{i}:v]" + ",".join(prep) + f"[c{i}]"


def _motion_filters(geo: ClipGeometry, out_w: int, out_h: int) -> list[str]:
    # One decoded picture, repeated; settb+setpts=N gives exact 1/fps steps (no 1/25 jitter).
    loop = [f"loop=loop={geo.frames - 1}:size=1", f"settb=1/{geo.fps}", "setpts=N"]
    if geo.mode == "still":
        sw, sh, cx, cy = geo.params_at(0)
        fit = [] if (sw, sh) == geo.pre else [f"scale={sw}:{sh}:flags=bicubic"]
        if (sw, sh) != (out_w, out_h):
            fit.append(f"crop={out_w}:{out_h}:{cx}:{cy}:exact=1")
        return [*fit, *loop]
    if geo.mode == "pan":
        sw, sh, _, _ = geo.params_at(0)
        return [f"scale={sw}:{sh}:flags=bicubic", *loop,
                f"crop={out_w}:{out_h}:'{geo.expr_offset('x')}':'{geo.expr_offset('y')}'"
                ":exact=1"]
    return [*loop,
            f"scale=w='{geo.expr_size('x')}':h='{geo.expr_size('y')}':eval=frame:flags=bicubic",
            f"crop={out_w}:{out_h}:'{geo.expr_offset('x')}':'{geo.expr_offset('y')}':exact=1"]


def _join_clips(clips: list[VisualClip], spans: list[Span], fps: int) -> list[str]:
    """Cut each clip stream into head / body / tail; blend tail+head pairs; concat it all.

    xfade works on same-size planes only (4:4:4, RGB or gray). Fed whole streams, it made
    ffmpeg convert every frame of the video to 4:4:4 and back (~7 s of CPU on the 30 s
    reference job). Here only the transition frames are blended, plane by plane as gray
    images, so nothing is converted at all (and ~60 MB less memory than blending in 4:4:4).
    """
    lines, segments = [], []
    for i, span in enumerate(spans):
        fade_out = spans[i + 1].fade if i + 1 < len(spans) else 0
        parts = [(f"h{i}", 0, span.fade), (f"b{i}", span.fade, span.length - fade_out),
                 (f"t{i}", span.length - fade_out, span.length)]
        parts = [p for p in parts if p[2] > p[1]]
        if len(parts) == 1:
            lines.append(f"[c{i}]null[{parts[0][0]}]")
        else:
            lines.append(f"[c{i}]split={len(parts)}" + "".join(f"[{p[0]}s]" for p in parts))
            lines += [f"[{label}s]trim=start_frame={a}:end_frame={b},setpts=PTS-STARTPTS[{label}]"
                      for label, a, b in parts]
        if span.fade:
            lines += _blend(f"t{i - 1}", f"h{i}", f"x{i}", clips[i].transition_in.kind,
                            num(span.fade / fps))
            segments.append(f"[x{i}]")
        if any(p[0] == f"b{i}" for p in parts):
            segments.append(f"[b{i}]")
    lines.append("".join(segments) + f"concat=n={len(segments)}:v=1:a=0[vcat]")
    return lines


def _blend(a: str, b: str, out: str, kind: str, duration: str) -> list[str]:
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


def _finish_video(sources: RenderSources) -> str:
    steps = []
    if sources.ass is not None:
        ass = f"ass=filename={escape_value(sources.ass)}"
        if sources.fonts_dir is not None:
            ass += f":fontsdir={escape_value(sources.fonts_dir)}"
        steps.append(ass)
    steps += ["format=yuv420p", "setsar=1"]
    return ",".join(steps)


_AFORMAT = f"aformat=sample_fmts=fltp:sample_rates={SAMPLE_RATE}:channel_layouts=stereo"


def build_loudness_probe(timeline: Timeline, sources: RenderSources) -> RenderPlan | None:
    """Audio only, ending in ebur128: its summary gives the gain for `build_graph`."""
    if not timeline.narration and timeline.music is None:
        return None
    samples = round(timeline.duration * SAMPLE_RATE)
    lines, inputs = _audio_graph(timeline, sources, 0, samples,
                                 "ebur128=peak=true:framelog=quiet")
    return RenderPlan(inputs=tuple(inputs), graph=";\n".join(lines) + "\n", video_label="",
                      audio_label="[aout]", frames=0, samples=samples)


def _loudness(timeline: Timeline, gain_db: float | None) -> str:
    ceiling = timeline.true_peak_db - TP_MARGIN
    if gain_db is None:
        # loudnorm works at 192 kHz internally and outputs that rate: resampled back below.
        # It also holds ~95 MB for a 30 s job, hence the measured-gain path by default.
        return f"loudnorm=I={num(timeline.loudness_lufs)}:TP={num(ceiling)}:LRA=11"
    limit = num(min(1.0, 10 ** ((ceiling - LIMITER_HEADROOM) / 20)))
    return (f"volume={num(gain_db)}dB,"
            f"alimiter=limit={limit}:attack=5:release=50:level=0:latency=1")


def _audio_graph(timeline: Timeline, sources: RenderSources, first: int,
                 samples: int, finish: str) -> tuple[list[str], list[InputSpec]]:
    lines: list[str] = []
    inputs = [InputSpec(path) for path in sources.narration]
    fit = f"apad=whole_len={samples},atrim=end_sample={samples}"
    voice = None
    if inputs:
        lines += _voice_chain(timeline, first, fit)
        voice = "[voice]"
    music = None
    if timeline.music is not None and sources.music is not None:
        inputs.append(InputSpec(sources.music, ("-stream_loop", "-1")))
        lines.append(_music_chain(timeline, first + len(inputs) - 1, fit))
        music = "[music]"
    if voice and music and timeline.music is not None and timeline.music.duck:
        lines.append("[voice]asplit=2[voice_mix][voice_key]")
        lines.append(f"[music][voice_key]{DUCK}[ducked]")
        voice, music = "[voice_mix]", "[ducked]"
    bed = [label for label in (voice, music) if label]
    if not bed:
        lines.append(f"anullsrc=r={SAMPLE_RATE}:cl=stereo,atrim=end_sample={samples}[aout]")
        return lines, inputs
    mix = "amix=inputs=2:duration=first:normalize=0," if len(bed) == 2 else ""
    lines.append(f"{''.join(bed)}{mix}{finish},aresample={SAMPLE_RATE},{_AFORMAT},{fit}[aout]")
    return lines, inputs


def _voice_chain(timeline: Timeline, first: int, fit: str) -> list[str]:
    """All narration clips on one track, each at its start sample."""
    clips = timeline.narration
    starts = [round(c.start * SAMPLE_RATE) for c in clips]
    lengths = [round(c.duration * SAMPLE_RATE) for c in clips]
    ends = [*starts[1:], round(timeline.duration * SAMPLE_RATE)]
    lines = []
    # Back to back (the usual case): pad each clip with silence up to the next and concat.
    # adelay+amix holds each clip's whole delay in memory (~90 MB on the 30 s reference job).
    sequential = all(s + n <= e for s, n, e in zip(starts, lengths, ends, strict=True))
    for j, clip in enumerate(clips):
        place = (f"apad=whole_len={ends[j] - starts[j]}" if sequential
                 else f"adelay=delays={starts[j]}S:all=1")
        lines.append(f"[{first + j}:a]aresample={SAMPLE_RATE},{_AFORMAT},"
                     f"atrim=end_sample={lengths[j]},volume={num(clip.gain_db)}dB,{place}[n{j}]")
    labels = "".join(f"[n{j}]" for j in range(len(clips)))
    if not sequential:
        mix = f"amix=inputs={len(clips)}:duration=longest:normalize=0," if len(clips) > 1 else ""
        return [*lines, f"{labels}{mix}{fit}[voice]"]
    if starts[0] > 0:
        lines.insert(0, f"anullsrc=r={SAMPLE_RATE}:cl=stereo,{_AFORMAT},"
                        f"atrim=end_sample={starts[0]}[lead]")
        labels = "[lead]" + labels
    count = len(clips) + (starts[0] > 0)
    return [*lines, f"{labels}concat=n={count}:v=0:a=1,{fit}[voice]"]


# AAC encoding adds a little overshoot to the true peak; aim this much lower.
TP_MARGIN = 0.5
# A sample-peak limiter lets inter-sample peaks through: keep its ceiling this much lower still.
LIMITER_HEADROOM = 0.5


def _music_chain(timeline: Timeline, index: int, fit: str) -> str:
    bed = timeline.music
    assert bed is not None
    fade_in = min(bed.fade_in, timeline.duration / 2)
    fade_out = min(bed.fade_out, timeline.duration / 2)
    steps = [f"aresample={SAMPLE_RATE}", _AFORMAT, fit, f"volume={num(bed.gain_db)}dB"]
    if fade_in > 0:
        steps.append(f"afade=t=in:st=0:d={num(fade_in)}")
    if fade_out > 0:
        steps.append(f"afade=t=out:st={num(timeline.duration - fade_out)}:d={num(fade_out)}")
    return f"[{index}:a]" + ",".join(steps) + "[music]"
