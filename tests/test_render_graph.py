"""The pure half of the renderer: frame spans, Ken Burns geometry, the filtergraph text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ad2video.contracts import (
    AudioClip,
    Caption,
    CaptionWord,
    Logo,
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
from ad2video.render.motionchain import CHAINS, Segment, select_exprs, stream_starts
from ad2video.render.motionplan import clip_geometry, clip_spans, timeline_geometry
from ad2video.render.smoothpath import BOUND
from ad2video.render.subpixel import SCALE_BOUND, SCALE_STEPS

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
        logo=Logo(path="/run/logo.png", position="bottom-left"),
    )


def golden_sources(timeline: Timeline) -> RenderSources:
    return RenderSources(
        images=tuple(f"/run/{c.image}" for c in timeline.clips),
        narration=("/run/a.wav", "/run/b.wav"), music="/music/calm.m4a",
        ass="/run/it's, [odd]; dir:x/captions.ass", fonts_dir="/pkg/fonts",
        logo="/run/logo.png",
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
    # TWO motion chains for all clips (a scaler and a pool each), one join per boundary;
    # each picture repeated by a loop of its own (the crossfade mask has one more)
    assert a.count("eval=frame") == 2 and "fps=" not in a
    assert a.count("loop=loop=") == len(timeline.clips) + 1
    assert a.count("trim=start_frame=") >= len(timeline.clips)
    kinds = [c.transition_in.kind for c in timeline.clips[1:]]
    others = [k for k in kinds if k not in ("cut", "fade")]
    assert a.count("mergeplanes=") == len(others) and a.count("xfade=") == 3 * len(others)
    # every crossfade through ONE maskedmerge, whatever their number
    assert kinds.count("fade") >= 1 and a.count("maskedmerge") == 1
    # the picture segments, each chain's clips, and the narration (one crossfade: its
    # tails/heads need no concat)
    assert a.count("concat=n=") == 2 + 2 + 2 * (kinds.count("fade") > 1)
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


def test_geometry_mirror_lands_every_frame_within_a_fraction_of_a_pixel():
    timeline = golden_timeline()
    errors = []
    for geo, span in zip(timeline_geometry(timeline), clip_spans(timeline), strict=True):
        padded = (geo.pre[0] + 2 * geo.pad[0], geo.pre[1] + 2 * geo.pad[1])
        for n in range(span.length):
            ax, ay, sw, sh, bx, by = geo.params_at(n)
            cw, ch = geo.cut
            # every cut stays inside what it cuts from
            assert 0 <= ax <= padded[0] - cw and 0 <= ay <= padded[1] - ch
            assert 0 <= bx <= sw - 1080 and 0 <= by <= sh - 1920
            if geo.axes is not None:  # at even offsets (4:2:0), never a whole-number ratio
                assert ax % 2 == ay % 2 == bx % 2 == by % 2 == 0
                assert cw / sw > 1.05 and ch / sh > 1.05
            else:
                assert (sw, sh) == (cw, ch)  # a still one is not scaled at all
            errors.append(geo.error_px(n))
            shown, ideal = geo.shown_at(n), geo.window_at(n)
            for k, out in ((0, 1080), (1, 1920)):  # the frame's centre: within BOUND px
                centre = shown[k] + shown[k + 2] / 2 - ideal[k] - ideal[k + 2] / 2
                assert abs(centre * out / ideal[k + 2]) < BOUND + 1e-9
    # RMS over each frame: whole-pixel scale+crop would be ~0.4 px (0.5 px steps), zoompan
    # ~5 px; what is left here is mostly the scaled size's smooth path (<= 0.5 px at the edges).
    assert max(errors) < 0.45 and (sum(e * e for e in errors) / len(errors)) ** 0.5 < 0.16
    first = clip_geometry(timeline.clips[1], 1080, 1920, 100, 30)
    assert first.mode == "move" and first.axes[0].zooming and first.pre[0] < 1600
    pan = clip_geometry(timeline.clips[2], 1080, 1920, 100, 30)
    assert pan.axes[0].moving and not pan.axes[0].zooming and not pan.axes[1].moving
    assert clip_geometry(timeline.clips[0], 1080, 1920, 100, 30).mode == "still"


def test_offset_search_matches_its_ffmpeg_expression(tmp_path: Path):
    """The Python mirror and the expression ffmpeg evaluates pick the same integers."""
    timeline = golden_timeline()
    span = clip_spans(timeline)[1]
    geo = clip_geometry(timeline.clips[1], 1080, 1920, span.length, 30)
    ax, ay = geo.axes
    p = geo.progress_expr()
    exprs = [expr for a in (ax, ay) for expr in (a.expr_first(p), a.expr_second(p),
                                                  a.expr_scaled(p))]
    values = _eval_with_ffmpeg(tmp_path, exprs, span.length)
    assert len(set(ax.picks)) > 10 and len(set(ay.picks)) > 10  # packed picks are read back
    for n in range(span.length):
        e = geo.progress(n)
        assert values[n] == [*ax.offsets(e, n), ax.scaled(e, n),
                             *ay.offsets(e, n), ay.scaled(e, n)], n


def test_packed_picks_read_back_exactly_in_ffmpeg(tmp_path: Path):
    """Every frame's code (scale step and pick, 8 bits), from numbers packing six of them."""
    from ad2video.render.subpixel import BITS, pick_expr

    picks = tuple((n * 37 + n // 7) % (1 << BITS) for n in range(101)) + (191,) * 8
    expr = f"st(5,round(t*30));{pick_expr(picks)};ld(7)"
    assert [v[0] for v in _eval_with_ffmpeg(tmp_path, [expr], len(picks))] == list(picks)
    assert pick_expr((5,) * 9) == "st(7,5)"


def test_shared_chain_expressions_match_the_mirror_for_every_clip(tmp_path: Path):
    """ONE chain moves every clip: per stream frame, ffmpeg picks that clip's integers."""
    timeline = golden_timeline()
    geos = timeline_geometry(timeline)
    assert len({g.cut for g in geos}) == 1
    for chain in range(CHAINS):  # clip i moves in chain i % CHAINS
        own = geos[chain::CHAINS]
        segments = [Segment(g, 0, g.frames + 1) for g in own]
        starts = stream_starts(segments)
        exprs = [e for k in range(2) for e in select_exprs(segments, starts, 30, k)]
        values = _eval_with_ffmpeg(tmp_path, exprs, starts[-1])
        for i, geo in enumerate(own):
            for n in range(segments[i].count):
                ax, ay, sw, sh, bx, by = geo.params_at(n)
                assert values[starts[i] + n] == [ax, sw, bx, ay, sh, by], (chain, i, n)


def test_scale_steps_through_its_source_as_the_plan_models(tmp_path: Path):
    """swscale steps C/s rounded to 16.16 fixed point (`ratio`), not C/s: a 16-bit ramp
    scaled by ffmpeg shows the rounded step, which is off C/s by up to 2^-17 per pixel
    (0.005 px at a 1080-pixel frame's centre)."""
    import subprocess

    import numpy as np
    from PIL import Image

    from ad2video.render.motionchain import MOTION_SCALER
    from ad2video.render.subpixel import ratio

    cut, rows = 1600, 8
    Image.fromarray(np.tile((np.arange(cut) * 40 + 100).astype(np.uint16), (rows, 1))).save(
        tmp_path / "ramp.png")
    for scaled in (1207, 1241, 1273):  # sizes where C/s rounds by > 6.5e-6
        cmd = [str(ff.find_ffmpeg()), "-v", "error", "-i", str(tmp_path / "ramp.png"), "-vf",
               f"scale={scaled}:{rows}:flags={MOTION_SCALER}", "-f", "rawvideo",
               "-pix_fmt", "gray16le", "-"]
        raw = subprocess.run(cmd, capture_output=True, check=True).stdout
        seen = (np.frombuffer(raw, np.uint16).reshape(rows, scaled).mean(0) - 100) / 40
        step = np.polyfit(np.arange(50, scaled - 50), seen[50:scaled - 50], 1)[0]
        assert abs(step - ratio(cut, scaled)) < 2e-6 and abs(step - cut / scaled) > 4.5e-6
    # and the plan places every frame with that step
    geo = timeline_geometry(golden_timeline())[1]
    for n in range(geo.frames):
        for axis, shown in zip(geo.axes, (geo.shown_at(n)[2], geo.shown_at(n)[3]), strict=True):
            e = geo.progress(n)
            assert shown == axis.out * ratio(axis.crop, axis.scaled(e, n))


def _eval_with_ffmpeg(tmp_path: Path, exprs: list[str], frames: int) -> list[list[int]]:
    """Each expression evaluated by ffmpeg per frame (as crop offsets on a numbered strip)."""
    import subprocess

    import numpy as np

    width = 4096
    # a two-row strip: row 0 holds x % 256, row 1 holds x // 256, so a 2x2 crop at offset x
    # shows x in its left column.
    ramp = np.arange(width)
    strip = tmp_path / "strip.yuv"
    chroma = np.full(width // 2, 128, np.uint8)
    strip.write_bytes(np.concatenate([ramp % 256, ramp // 256]).astype(np.uint8).tobytes()
                      + chroma.tobytes() + chroma.tobytes())
    out = []
    for expr in exprs:
        graph = (f"[0:v]loop=loop={frames - 1}:size=1,settb=1/30,setpts=N,"
                 f"crop=w=2:h=2:x='{expr}':y=0:exact=1[v]")
        (tmp_path / "g.txt").write_text(graph, encoding="utf-8")
        cmd = [str(ff.find_ffmpeg()), "-v", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p",
               "-s", f"{width}x2", "-i", str(strip), *ff.filter_script_args(tmp_path / "g.txt"),
               "-map", "[v]", "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "yuv420p",
               "-"]
        raw = subprocess.run(cmd, capture_output=True, check=True).stdout
        px = np.frombuffer(raw, np.uint8).reshape(frames, 6)
        out.append([int(p[0]) + 256 * int(p[2]) for p in px])
    return [list(v) for v in zip(*out, strict=True)]


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


def test_a_pan_picks_a_scale_ratio_whose_candidates_spread_well():
    """A pan keeps one scale ratio for all its frames: near 17/16 or 6/5 its 64 offset
    candidates bunch up, so its prescale is chosen for the widest spread."""
    from ad2video.render.subpixel import HEADROOM, lattice_gap

    window = lambda dx: Rect(x=400 + dx, y=120, w=540, h=960)  # noqa: E731
    clip = VisualClip(kind="photo", start=0, end=4.2, image="p.jpg", image_width=1600,
                      image_height=1200, motion=Motion(kind="pan_right", start=window(-20),
                                                       end=window(20)))
    geo = clip_geometry(clip, 1080, 1920, 126, 30)
    x = geo.axes[0]
    ratio = x.crop / x.scaled(0.0)
    assert x.moving and not x.zooming and not geo.axes[1].moving
    assert ratio >= 1 + HEADROOM
    # the tightest prescale (ratio 1 + HEADROOM, next to 17/16) leaves twice the gap
    assert lattice_gap(ratio) < 0.03 < lattice_gap(1 + HEADROOM)
    centres = _centre_errors(geo)[0]
    # at the tightest prescale the jerk is ~0.11 px/frame^2; nearest candidates: ~0.02
    assert _jerk(centres) < 0.015 and max(abs(c) for c in centres) < 0.1  # output pixels


def test_a_zoom_takes_the_smoothest_path_through_its_candidates():
    """A zoom's scale ratio passes simple fractions (6/5, 7/6) where the candidates bunch up:
    the nearest one per frame jolts by ~0.17 px; the path chosen as a whole stays smooth."""
    window = lambda z, dx: Rect(x=(1600 - 1200 / z * 9 / 16) / 2 + dx,  # noqa: E731
                                y=(1200 - 1200 / z) / 2, w=1200 / z * 9 / 16, h=1200 / z)
    clip = VisualClip(kind="photo", start=0, end=4.2, image="p.jpg", image_width=1600,
                      image_height=1200, motion=Motion(kind="zoom_in", start=window(1.0, 0),
                                                       end=window(1.15, 20)))
    geo = clip_geometry(clip, 1080, 1920, 126, 30)
    for axis, errors in zip(geo.axes, _centre_errors(geo), strict=True):
        nearest = [min(axis.errors(geo.progress(n), axis.scaled(geo.progress(n), n)), key=abs)
                   for n in range(126)]
        assert _jerk(nearest) > 0.04  # what picking frame by frame gives here
        assert _jerk(errors) < 0.02 and max(abs(e) for e in errors) <= BOUND
    # the scaled size: rounded per frame, the frame's edges jolt by ~0.3 px/frame^2
    for k, axis in enumerate(geo.axes):
        rounded = [axis.size_errors(geo.progress(n))[SCALE_STEPS] for n in range(126)]
        edges = [(geo.shown_at(n)[k + 2] / geo.window_at(n)[k + 2] - 1) * geo.out[k] / 2
                 for n in range(126)]
        assert _jerk(rounded) > 0.25 and _jerk(edges) < 0.2
        assert max(abs(e) for e in edges) <= SCALE_BOUND + 1e-9


def _centre_errors(geo) -> tuple[list[float], list[float]]:
    """Per axis, per frame: shown minus ideal centre, in output pixels."""
    errors: tuple[list[float], list[float]] = ([], [])
    for n in range(geo.frames):
        shown, ideal = geo.shown_at(n), geo.window_at(n)
        for k in range(2):
            errors[k].append((shown[k] + shown[k + 2] / 2 - ideal[k] - ideal[k + 2] / 2)
                             * geo.out[k] / ideal[k + 2])
    return errors


def _jerk(values: list[float]) -> float:
    """Standard deviation of the second difference."""
    import numpy as np

    return float(np.diff(np.array(values), 2).std())


def test_a_still_photo_is_cut_at_even_offsets():
    """4:2:0 chroma keeps its alignment: a still window at an odd place is cut at an even one."""
    window = Rect(x=101, y=57, w=540, h=960)
    clip = VisualClip(kind="photo", start=0, end=3, image="p.jpg", image_width=1600,
                      image_height=1200, motion=Motion(kind="still", start=window, end=window))
    geo = clip_geometry(clip, 540, 960, 90, 30)
    assert geo.mode == "still" and all(v % 2 == 0 for v in geo.fixed), geo.fixed
    x, y, _, _ = geo.shown_at(0)
    assert abs(x - geo.start[0]) <= 1 and abs(y - geo.start[1]) <= 1
