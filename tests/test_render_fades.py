"""Many crossfades through the one shared maskedmerge: each mixes the right pair, frame-exact."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest

from ad2video.contracts import Motion, Rect, Timeline, Transition, VisualClip
from ad2video.render.fades import FadeRun, fade_lines, mask_level
from ad2video.stages.render import RenderOptions, run
from tests.conftest import make_photo

W, H, FPS = 96, 160, 30
COLOURS = [(200, 40, 40), (40, 200, 40), (40, 40, 200), (220, 220, 220), (160, 60, 200)]
FADE = 0.4  # 12 frames


def _timeline(run_dir: Path, kinds: list[str]) -> Timeline:
    clips = []
    for i, colour in enumerate(COLOURS):
        make_photo(run_dir / f"c{i}.jpg", colour, size=(W, H))
        whole = Rect(x=0, y=0, w=W, h=H)
        kind = "cut" if i == 0 else kinds[i - 1]
        clips.append(VisualClip(
            kind="photo", start=i * 1.0, end=(i + 1) * 1.0, image=f"c{i}.jpg", image_width=W,
            image_height=H, motion=Motion(kind="still", start=whole, end=whole),
            transition_in=Transition(kind=kind, duration=0 if kind == "cut" else FADE)))
    return Timeline(width=W, height=H, fps=FPS, duration=len(COLOURS) * 1.0, clips=clips)


def _frames(video: Path) -> np.ndarray:
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(video), "-f", "rawvideo",
           "-pix_fmt", "rgb24", "-"]
    raw = subprocess.run(cmd, capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, H, W, 3).astype(np.float32)


@pytest.mark.parametrize("kinds", [["fade"] * 4, ["fade", "wipeleft", "fade", "fade"]])
def test_every_crossfade_mixes_its_own_pair(tmp_path: Path, kinds: list[str]) -> None:
    timeline = _timeline(tmp_path, kinds)
    result = run(timeline, tmp_path, tmp_path / "out", RenderOptions(encoder="libx264", crf=10))
    graph = Path(result.graph).read_text(encoding="utf-8")
    assert graph.count("maskedmerge") == 1 and graph.count("xfade=") == 3 * kinds.count("wipeleft")
    frames = _frames(Path(result.video))
    assert len(frames) == len(COLOURS) * FPS
    means = frames.mean(axis=(1, 2))  # one RGB triple per frame
    fade = round(FADE * FPS)
    for i, kind in enumerate(kinds, start=1):
        start = i * FPS - fade // 2  # transitions are centred on the cut
        # still pictures: the middle of each clip is the picture itself
        before, after = means[i * FPS - FPS // 2], means[i * FPS + FPS // 2]
        assert np.abs(after - before).max() > 60, (i, before, after)  # distinct pictures
        assert np.abs(means[start - 1] - before).max() < 2, (i, means[start - 1])
        assert np.abs(means[start + fade] - after).max() < 2, (i, means[start + fade])
        if kind != "fade":
            continue
        for j in (1, fade // 2, fade - 1):  # progress j / fade, linear in every channel
            want = before + (after - before) * j / fade
            assert np.abs(means[start + j] - want).max() < 3, (i, j, means[start + j], want)


def test_mask_level_is_the_progress_of_each_run() -> None:
    """The mask chain itself, run by ffmpeg, over two runs (4 and 6 frames, fades of 3 and 5)."""
    runs = [FadeRun("t0", "h1", "x1", 4, 3, 3), FadeRun("t1", "h2", "x2", 6, 5, 5)]
    assert "n," in mask_level(runs)
    mask = next(line for line in fade_lines(runs, (8, 8), 30) if line.endswith("[fmask]"))
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-filter_complex", mask,
           "-map", "[fmask]", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"]
    raw = subprocess.run(cmd, capture_output=True, check=True).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(10, 8 * 8 * 3 // 2)
    assert (frames == frames[:, :1]).all()  # uniform, the same level in Y, Cb and Cr
    assert frames[:, 0].tolist() == [0, 85, 170, 255, 0, 51, 102, 153, 204, 255]
