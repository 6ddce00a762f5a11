"""Sub-pixel Ken Burns on real frames: each chain's frames are exactly the planned crop,
scale and crop, and land closer to the ideal float window than a 0.3 px shift of it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from ad2video.contracts import Timeline
from ad2video.render import ffmpeg as ff
from ad2video.render.motionplan import clip_geometry, clip_spans
from tests.test_render_video import tiny_timeline


def _chain_frames(tmp_path: Path, timeline: Timeline, i: int) -> np.ndarray:
    """Raw RGB frames of clip i's motion chain alone (no x264)."""
    from ad2video.render.filtergraph import clip_chain, picture_input
    from ad2video.render.pictures import Picture, PictureFeed, canvas_size

    geo = _geometry(timeline, i)
    pictures = [Picture(str(tmp_path / timeline.clips[i].image), geo)]
    inputs, lines = picture_input(pictures, timeline.fps)
    graph = tmp_path / f"chain{i}.txt"
    graph.write_text(";\n".join([*lines, clip_chain(0, 0, geo)]), encoding="utf-8")
    raw = tmp_path / f"chain{i}.rgb"
    ff.run_ffmpeg(["-y", *inputs[0].args(), *ff.filter_script_args(graph), "-map", "[c0]",
                   "-f", "rawvideo", "-pix_fmt", "rgb24", str(raw)],
                  feed=PictureFeed(pictures, canvas_size(pictures)))
    frames = np.fromfile(raw, np.uint8).reshape(-1, timeline.height, timeline.width, 3)
    return frames.astype(np.float32)


def _geometry(timeline: Timeline, i: int):
    return clip_geometry(timeline.clips[i], timeline.width, timeline.height,
                         clip_spans(timeline)[i].length, timeline.fps)


def _padded_picture(path: Path, geo) -> Image.Image:
    """The clip's prescaled picture with its smeared border, as the graph receives it."""
    from ad2video.render.pictures import Picture, load_picture

    return Image.fromarray(load_picture(Picture(str(path), geo)))


def test_graph_moves_each_frame_exactly_as_planned(tmp_path: Path):
    """Raw frames of the motion chains (no x264) equal the plan's crop, scale, crop."""
    timeline = tiny_timeline(tmp_path, music=False)
    for i in (1, 2, 3):  # zoom in, pan, zoom out
        frames = _chain_frames(tmp_path, timeline, i)
        geo = _geometry(timeline, i)
        assert len(frames) == geo.frames
        padded = _padded_picture(tmp_path / timeline.clips[i].image, geo)
        cw, ch = geo.axes[0].crop, geo.axes[1].crop
        for n in (len(frames) // 4, len(frames) // 2, 3 * len(frames) // 4):
            ax, ay, sw, sh, bx, by = geo.params_at(n)
            scaled = padded.crop((ax, ay, ax + cw, ay + ch)).resize(
                (sw, sh), Image.Resampling.BICUBIC)
            diffs = [float(np.abs(frames[n] - np.asarray(scaled.crop(
                (bx + dx, by + dy, bx + dx + 270, by + dy + 480)), np.float32)).mean())
                for dx, dy in ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1))]
            assert diffs[0] < 0.85 * min(diffs[1:]), (i, n, diffs)


def test_motion_is_sub_pixel(tmp_path: Path):
    """Each frame matches its ideal float window better than that window moved 0.3 px."""
    timeline = tiny_timeline(tmp_path, music=False)
    i = 2  # the linear pan: 100 px of travel at 270x480
    frames = _chain_frames(tmp_path, timeline, i)
    geo = _geometry(timeline, i)
    padded = _padded_picture(tmp_path / timeline.clips[i].image, geo).convert("L")
    mx, my = geo.pad
    unit = geo.window_at(0)[2] / 270  # picture pixels per output pixel
    better = 0
    checked = range(3, len(frames) - 3, 4)
    for n in checked:
        x, y, w, h = geo.window_at(n)
        got = (frames[n] @ np.array([0.299, 0.587, 0.114], np.float32))[8:-8, 8:-8]

        def diff(dx: float, x=x, y=y, w=w, h=h, got=got) -> float:
            box = (mx + x + dx * unit, my + y, mx + x + dx * unit + w, my + y + h)
            ideal = np.asarray(padded.resize((270, 480), Image.Resampling.BICUBIC, box=box),
                               np.float32)[8:-8, 8:-8]
            return float(np.abs(got - ideal).mean())

        exact = diff(0.0)
        better += exact < min(diff(0.3), diff(-0.3))
    # whole-pixel scale+crop lands up to 0.5 px off: it fails this on ~half of the frames
    assert better == len(checked)


def test_feed_falls_back_when_a_picture_is_needed_earlier_than_planned(tmp_path: Path):
    """A picture the plan says is needed much later still comes when ffmpeg waits for it:
    the feed writes it once the output has not moved for STALL seconds (ffmpeg repeating the
    same frame count in its progress lines is not a move)."""
    import time

    from ad2video.render.filtergraph import RenderSources, build_graph
    from ad2video.render.pictures import PictureFeed, canvas_size

    timeline = tiny_timeline(tmp_path, music=False)
    sources = RenderSources(images=tuple(str(tmp_path / c.image) for c in timeline.clips),
                            narration=tuple(str(tmp_path / a.path) for a in timeline.narration))
    plan = build_graph(timeline, sources)
    graph = tmp_path / "graph.txt"
    graph.write_text(plan.graph, encoding="utf-8")
    feed = PictureFeed(plan.pictures, canvas_size(plan.pictures), [10**9] * len(plan.pictures))
    started = time.monotonic()
    run = ff.run_ffmpeg(["-y", *plan.input_args(), *ff.filter_script_args(graph),
                         "-map", plan.video_label, "-f", "null", "-",
                         "-map", plan.audio_label, "-f", "null", "-"], timeout=120, feed=feed)
    waited = time.monotonic() - started
    assert f"frame={plan.frames}" in run.stderr.replace(" ", "")
    # every picture but the first waited about one STALL, no more
    assert waited < 30 + len(plan.pictures) * PictureFeed.STALL * 3
