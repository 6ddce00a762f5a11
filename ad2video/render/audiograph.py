"""The audio half of the render graph: narration on its clock, music looped, faded and ducked
under the voice, then a loudness gain under a true-peak limiter (pure text, no I/O)."""

from __future__ import annotations

from ad2video.contracts import Timeline
from ad2video.render.plan import InputSpec, RenderPlan, RenderSources
from ad2video.render.subpixel import num

SAMPLE_RATE = 48_000
# Voice-keyed ducking: measured ~12 dB less music under speech, back to 0 dB after it.
DUCK = "sidechaincompress=threshold=0.02:ratio=8:attack=20:release=400"
# AAC encoding adds a little overshoot to the true peak; aim this much lower.
TP_MARGIN = 0.5
# A sample-peak limiter lets inter-sample peaks through: keep its ceiling this much lower still.
LIMITER_HEADROOM = 0.5

_AFORMAT = f"aformat=sample_fmts=fltp:sample_rates={SAMPLE_RATE}:channel_layouts=stereo"


def build_loudness_probe(timeline: Timeline, sources: RenderSources) -> RenderPlan | None:
    """Audio only, ending in ebur128: its summary gives the gain for `build_graph`."""
    if not timeline.narration and timeline.music is None:
        return None
    samples = round(timeline.duration * SAMPLE_RATE)
    lines, inputs = audio_graph(timeline, sources, 0, samples,
                                "ebur128=peak=true:framelog=quiet")
    return RenderPlan(inputs=tuple(inputs), graph=";\n".join(lines) + "\n", video_label="",
                      audio_label="[aout]", frames=0, samples=samples)


def loudness_filter(timeline: Timeline, gain_db: float | None) -> str:
    ceiling = timeline.true_peak_db - TP_MARGIN
    if gain_db is None:
        # loudnorm works at 192 kHz internally and outputs that rate: resampled back below.
        # It also holds ~95 MB for a 30 s job, hence the measured-gain path by default.
        return f"loudnorm=I={num(timeline.loudness_lufs)}:TP={num(ceiling)}:LRA=11"
    limit = num(min(1.0, 10 ** ((ceiling - LIMITER_HEADROOM) / 20)))
    return (f"volume={num(gain_db)}dB,"
            f"alimiter=limit={limit}:attack=5:release=50:level=0:latency=1")


def audio_graph(timeline: Timeline, sources: RenderSources, first: int,
                samples: int, finish: str) -> tuple[list[str], list[InputSpec]]:
    """Chains ending in [aout]; inputs numbered from `first`; `finish` sets the loudness."""
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
