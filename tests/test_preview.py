"""`ad2video preview`: one frame, or a contact sheet, without rendering the video."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import car_listing, run_cli
from tests.test_render_video import frame_at

W, H = 216, 384
LOOK = ["--size", f"{W}x{H}", "--locale", "en", "--transition", "auto", "--seed", "3",
        "--caption-highlight", "#00FF66"]


@pytest.fixture(scope="module")
def listing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return car_listing(tmp_path_factory.mktemp("preview") / "listing")


@pytest.fixture(scope="module")
def video(listing: Path) -> Path:
    out = listing.parent / "run"
    res = run_cli("render", str(listing), "-o", str(out), "--music", "none",
                  "--quality", "draft", "--crf", "18", *LOOK)
    assert res.returncode == 0, res.stderr
    return out


def _png(path: Path) -> np.ndarray:
    with Image.open(path) as img:
        assert img.format == "PNG"
        return np.asarray(img.convert("RGB"), np.float32)


def test_preview_frame_is_the_videos_frame(video: Path, listing: Path, tmp_path: Path):
    timeline = json.loads((video / "timeline.json").read_text(encoding="utf-8"))
    clips = timeline["clips"]
    # a body frame and a frame inside a transition (the second cut is not a card's)
    fade = clips[2]["transition_in"]
    assert fade["kind"] != "cut"
    for seconds in ((clips[1]["start"] + clips[1]["end"]) / 2, clips[2]["start"] + 0.05):
        out = tmp_path / f"at{seconds:.2f}.png"
        res = run_cli("preview", str(listing), "--at", f"{seconds:.3f}", "-o", str(out), *LOOK)
        assert res.returncode == 0, res.stderr
        assert res.stdout.strip() == str(out)
        still = _png(out)
        assert still.shape == (H, W, 3)
        k = int(seconds * 30 + 1e-6)
        same = np.abs(still - frame_at(video / "video.mp4", k, W, H)).mean()
        later = np.abs(still - frame_at(video / "video.mp4", k + 20, W, H)).mean()
        assert same < 3.0 and same * 3 < later, (seconds, same, later)


def test_preview_frame_is_exactly_the_rendered_frame_before_encoding(video: Path,
                                                                   tmp_path: Path):
    """The preview graph's frame equals, pixel for pixel, the frame the render's own graph
    hands to the encoder (a body frame and a frame inside a transition)."""
    from ad2video.contracts import Timeline
    from ad2video.render import ffmpeg as ff
    from ad2video.render.filtergraph import build_graph
    from ad2video.render.pictures import PictureFeed, canvas_size
    from ad2video.render.stillframe import TO_RGB, frame_graph
    from ad2video.stages.render import sources_for

    timeline = Timeline.model_validate_json((video / "timeline.json").read_text("utf-8"))
    sources = sources_for(timeline, video, video / "captions.ass")
    clips = timeline.clips
    for k in (round((clips[1].start + clips[1].end) * 15), round(clips[2].start * 30) + 1):
        full, one = build_graph(timeline, sources), frame_graph(timeline, sources, k)
        shots = []
        for name, plan, last, extra in (
                ("full", full, f"[vout]{TO_RGB}[rgb]", ["-map", full.audio_label, "-f", "null",
                                                        "-"]),
                ("one", one, "", [])):
            graph = tmp_path / f"{name}.txt"
            graph.write_text(plan.graph + (";\n" + last if last else ""), encoding="utf-8")
            label = "[rgb]" if last else plan.video_label
            png = tmp_path / f"{name}{k}.png"
            ff.run_ffmpeg(["-y", *plan.input_args(), *ff.filter_script_args(graph), "-map",
                           label, "-frames:v", str(k + 1 if last else 1), "-update", "1",
                           str(png), *extra],
                          feed=PictureFeed(plan.pictures, canvas_size(plan.pictures),
                                           plan.needs))
            shots.append(_png(png))
        diff = np.abs(shots[0] - shots[1])
        assert np.array_equal(shots[0], shots[1]), (k, diff.max(), np.argwhere(diff > 0)[:5])


def test_contact_sheet_has_a_labelled_frame_per_scene(video: Path, listing: Path,
                                                    tmp_path: Path):
    out = tmp_path / "sheet.png"
    res = run_cli("preview", str(listing), "--contact-sheet", "-o", str(out), *LOOK)
    assert res.returncode == 0, res.stderr
    sheet = _png(out)
    script = json.loads((video / "script.json").read_text(encoding="utf-8"))
    tiles = len(script["scenes"]) + 2  # title card, scenes, end card
    cols = min(4, tiles)
    tile_w, tile_h, label_h = W, H, max(16, W // 12)
    assert sheet.shape == (-(-tiles // cols) * (tile_h + label_h), cols * tile_w, 3)
    frames = [sheet[r * (tile_h + label_h) + label_h:(r + 1) * (tile_h + label_h),
                    c * tile_w:(c + 1) * tile_w] for r, c in
              (divmod(k, cols) for k in range(tiles))]
    # every tile holds a picture, and no two tiles are the same frame
    assert all(f.std() > 10 for f in frames)
    assert min(np.abs(a - b).mean() for i, a in enumerate(frames) for b in frames[i + 1:]) > 5


def test_preview_errors_are_one_line(listing: Path, tmp_path: Path):
    res = run_cli("preview", str(listing), "-o", str(tmp_path / "x.png"))
    assert res.returncode == 2
    assert res.stderr.strip() == "error: preview needs exactly one of --at SECONDS or " \
                                 "--contact-sheet"
    res = run_cli("preview", str(listing), "--at", "999", "-o", str(tmp_path / "x.png"),
                  "--size", f"{W}x{H}")
    assert res.returncode == 2
    assert res.stderr.startswith("error: --at 999 is outside the video (0 to ")
    assert not (tmp_path / "x.png").exists()
