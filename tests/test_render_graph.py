"""The pure half of the renderer: frame spans, Ken Burns geometry, the filtergraph text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ad2video.contracts import (
    AudioClip,
    Caption,
    CaptionWord,
    Motion,
    MusicBed,
    Rect,
    Timeline,
    Transition,
    VisualClip,
)
from ad2video.errors import RenderError, UserError
from ad2video.render import ffmpeg as ff
from ad2video.render.filtergraph import (
    KNOWN_TRANSITIONS,
    RenderSources,
    build_graph,
    check_transitions,
    escape_value,
)
from ad2video.render.motionplan import clip_geometry, clip_spans

GOLDEN = Path(__file__).parent / "golden" / "render_graph.txt"
UPDATE = os.environ.get("AD2VIDEO_UPDATE_GOLDEN") == "1"  # regenerate: set to 1 and run


def clip(start: float, end: float, motion: Motion, transition: str = "fade",
         duration: float = 0.5, kind: str = "photo", size=(1600, 1200)) -> VisualClip:
    return VisualClip(kind=kind, start=start, end=end, image=f"img{start:g}.jpg",
                      image_width=size[0], image_height=size[1], motion=motion,
                      transition_in=Transition(kind=transition, duration=duration))


def zoom(a: float, b: float, size=(1600, 1200), out=(1080, 1920)) -> Motion:
    def window(z: float) -> Rect:
        h = size[1] / z
        w = h * out[0] / out[1]
        return Rect(x=(size[0] - w) / 2, y=(size[1] - h) / 2, w=w, h=h)
    return Motion(kind="zoom_in", start=window(a), end=window(b))


PAN = Motion(kind="pan_left", start=Rect(x=100, y=100, w=540, h=960),
             end=Rect(x=700.5, y=100, w=540, h=960), easing="linear")
STILL = Motion(kind="still", start=Rect(x=0, y=0, w=1080, h=1920), end=Rect(x=0, y=0, w=1080,
                                                                          h=1920))


def golden_timeline() -> Timeline:
    clips = [
        clip(0, 2, STILL, "cut", 0, kind="card", size=(1080, 1920)),
        clip(2, 5.5, zoom(1.0, 1.25), "fade", 0.5),
        clip(5.5, 8, PAN, "slideleft", 0.4),
        clip(8, 10, zoom(1.2, 1.0), "cut", 0),
        clip(10, 12, STILL, "circleopen", 0.5, kind="card", size=(1080, 1920)),
    ]
    words = [CaptionWord(text="Hola", start=2.1, end=2.5), CaptionWord(text="mundo", start=2.6,
                                                                       end=3.0)]
    return Timeline(
        width=1080, height=1920, fps=30, duration=12, clips=clips,
        captions=[Caption(start=2.1, end=3.2, text="Hola mundo", words=words)],
        narration=[AudioClip(path="a.wav", start=2.1, duration=3.0),
                   AudioClip(path="b.wav", start=5.6, duration=2.5, gain_db=-1.5)],
        music=MusicBed(path="/music/calm.m4a", gain_db=-12),
    )


def golden_sources(timeline: Timeline) -> RenderSources:
    return RenderSources(
        images=tuple(f"/run/{c.image}" for c in timeline.clips),
        narration=("/run/a.wav", "/run/b.wav"), music="/music/calm.m4a",
        ass="/run/it's, [odd]; dir:x/captions.ass", fonts_dir="/pkg/fonts",
    )


def test_graph_text_matches_golden_file():
    timeline = golden_timeline()
    plan = build_graph(timeline, golden_sources(timeline))
    text = plan.graph + "\n# inputs\n" + "\n".join(" ".join(s.args()) for s in plan.inputs) + "\n"
    if UPDATE or not GOLDEN.exists():
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
    assert plan.frames == 360 and plan.samples == 12 * 48000


def test_graph_is_deterministic_and_linear_in_clips():
    timeline = golden_timeline()
    a = build_graph(timeline, golden_sources(timeline)).graph
    b = build_graph(timeline, golden_sources(timeline)).graph
    assert a == b
    # one chain per clip, one join per boundary: the graph grows linearly
    assert a.count("loop=loop=") == len(timeline.clips)
    blended = [c for c in timeline.clips[1:] if c.transition_in.kind != "cut"]
    assert a.count("mergeplanes=") == len(blended) and a.count("xfade=") == 3 * len(blended)
    assert a.count("concat=n=") == 2  # the picture segments, and the narration
    assert a.count("[0:v]") == 1 and "zoompan" not in a


def test_spans_cover_exact_frame_count_with_centred_transitions():
    timeline = golden_timeline()
    spans = clip_spans(timeline)
    assert spans[0].first == 0 and spans[-1].last == 360
    # each stream reaches half a transition past its boundaries
    assert (spans[1].first, spans[1].last) == (60 - 7, 165 + 6)
    # total frames = sum of streams minus the blended overlaps
    overlap = sum(s.fade for s in spans)
    assert sum(s.length for s in spans) - overlap == 360


def test_geometry_mirror_stays_within_half_a_pixel_per_axis():
    timeline = golden_timeline()
    for c, span in zip(timeline.clips, clip_spans(timeline), strict=True):
        geo = clip_geometry(c, 1080, 1920, span.length, 30)
        for n in range(span.length):
            sw, sh, cx, cy = geo.params_at(n)
            assert sw >= 1080 and sh >= 1920
            assert 0 <= cx <= sw - 1080 and 0 <= cy <= sh - 1920
            assert geo.error_px(n) < 0.75  # x and y each off by at most ~0.5 px
    first, last = clip_geometry(timeline.clips[1], 1080, 1920, 100, 30), None
    assert first.mode == "zoom" and first.pre[0] < 1600  # prescaled once, not per frame
    last = clip_geometry(timeline.clips[2], 1080, 1920, 100, 30)
    assert last.mode == "pan"
    assert clip_geometry(timeline.clips[0], 1080, 1920, 100, 30).mode == "still"


def test_unknown_transition_lists_the_known_ones():
    timeline = golden_timeline()
    bad = timeline.model_copy(deep=True)
    bad.clips[1].transition_in = Transition(kind="spin3d", duration=0.5)
    with pytest.raises(UserError) as err:
        check_transitions(bad)
    assert str(err.value).startswith("clip 1: unknown transition 'spin3d' (known: cut, fade,")
    assert all(k in str(err.value) for k in ("fadeblack", "slideup", "zoomin", "smoothleft"))
    assert {"fade", "fadeblack", "slideleft", "slideup", "wipeleft", "smoothleft", "circleopen",
            "zoomin", "cut"} <= set(KNOWN_TRANSITIONS)


def test_gaps_and_too_short_clips_are_user_errors():
    timeline = golden_timeline()
    gap = timeline.model_copy(deep=True)
    gap.clips[2].start = 5.8
    with pytest.raises(UserError, match=r"clip 2 starts at 5\.800 s but clip 1 ends at 5\.500 s"):
        clip_spans(gap)
    short = Timeline(width=1080, height=1920, fps=30, duration=7, clips=[
        clip(0, 3, zoom(1, 1.2), "cut", 0), clip(3, 4, zoom(1, 1.2), "fade", 2.0),
        clip(4, 7, zoom(1, 1.2), "fade", 2.0)])
    with pytest.raises(UserError, match=r"clip 1 \(3\.00-4\.00 s\) is too short for its"):
        clip_spans(short)


def test_escape_value_survives_both_filtergraph_levels(tmp_path: Path):
    # The real parser is the judge: a file whose path needs every escape is read through it.
    odd = tmp_path / " it's, [a]; b:c\\d "
    odd.mkdir()
    wav = odd / "x.wav"
    ff.run_ffmpeg(["-f", "lavfi", "-i", "sine=d=0.2", str(wav)])
    graph = f"amovie=filename={escape_value(str(wav))},volume=1[a]"
    done = ff.run_ffmpeg(["-filter_complex", graph, "-map", "[a]", "-f", "null", "-"])
    assert "time=00:00:00.2" in done.stderr
    assert escape_value("a:b") == "a\\\\:b"
    assert escape_value("x,y") == "x\\,y"


def test_ffmpeg_helpers_report_version_filters_and_one_line_errors(tmp_path: Path):
    assert ff.major_version() >= 5
    found = ff.has_filters(["xfade", "ass", "loudnorm", "no_such_filter"])
    assert found == {"xfade": True, "ass": True, "loudnorm": True, "no_such_filter": False}
    assert ff.filter_script_args(tmp_path / "g.txt")[1] == str(tmp_path / "g.txt")
    with pytest.raises(RenderError) as err:
        ff.run_ffmpeg(["-i", str(tmp_path / "missing.jpg"), "-f", "null", "-"])
    message = str(err.value)
    assert message.startswith("ffmpeg failed: ") and "\n" not in message
    assert message == f"ffmpeg failed: Error opening input file {tmp_path / 'missing.jpg'}."
