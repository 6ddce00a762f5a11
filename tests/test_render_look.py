"""What the viewer sees, checked on real renders: glyphs, caption safe area and karaoke timing,
caption style, logo, and the subject kept in frame by every motion."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ad2video.contracts import (
    Box,
    Caption,
    CaptionStyle,
    CaptionWord,
    Logo,
    Motion,
    Rect,
    Timeline,
    Transition,
    VisualClip,
)
from ad2video.motion import MOTION_KINDS, plan_motion
from ad2video.render import captions as cap
from ad2video.render.filtergraph import logo_margins
from ad2video.stages.render import RenderOptions, run
from tests.test_render_video import frame_at

W, H, FPS = 216, 384, 30
GLYPHS = "áñçãõü€"
BARE = {"á": "a", "ñ": "n", "ç": "c", "ã": "a", "õ": "o", "ü": "u"}
GREEN = "#00FF00"


def solid_card(run_dir: Path, colour=(20, 40, 160), size=(W, H)) -> str:
    Image.new("RGB", size, colour).save(run_dir / "card.png")
    return "card.png"


def card_timeline(run_dir: Path, seconds: float, captions: list[Caption],
                  style: CaptionStyle, logo: Logo | None = None) -> Timeline:
    rect = Rect(x=0, y=0, w=W, h=H)
    clip = VisualClip(kind="card", start=0, end=seconds, image=solid_card(run_dir),
                      image_width=W, image_height=H,
                      motion=Motion(kind="still", start=rect, end=rect))
    return Timeline(width=W, height=H, fps=FPS, duration=seconds, clips=[clip],
                    captions=captions, caption_style=style, logo=logo)


KARAOKE = [("uno", 2.10, 2.50), ("dos", 2.60, 3.05), ("tres", 3.20, 3.70)]


@pytest.fixture(scope="module")
def bottom(tmp_path_factory) -> tuple[Timeline, Path]:
    """Glyph captions, a karaoke caption, then a long caption, at the bottom."""
    run_dir = tmp_path_factory.mktemp("look")
    glyphs = [Caption(start=0.2 * k, end=0.2 * k + 0.2, text=g) for k, g in enumerate(GLYPHS)]
    words = [CaptionWord(text=t, start=a, end=b) for t, a, b in KARAOKE]
    long = " ".join(["palabra"] * 12)
    captions = [*glyphs, Caption(start=2.1, end=3.7, text="uno dos tres", words=words),
                Caption(start=4.0, end=4.9, text=long)]
    style = CaptionStyle(size=0, highlight_colour=GREEN)
    timeline = card_timeline(run_dir, 5.0, captions, style)
    result = run(timeline, run_dir, run_dir / "out", RenderOptions(quality="draft", crf=16))
    return timeline, Path(result.video)


def ink(frame: np.ndarray, background=(20, 40, 160)) -> np.ndarray:
    """Pixels that differ from the plain card: caption text, outline and shadow."""
    return np.abs(frame - np.array(background, np.float32)).max(axis=2) > 40


def mask_shape(mask: np.ndarray, size: int = 40) -> np.ndarray:
    ys, xs = np.nonzero(mask)
    crop = mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    img = Image.fromarray((crop * 255).astype(np.uint8)).resize((size, size))
    return np.asarray(img) > 127


def pillow_glyph(char: str, px: int) -> np.ndarray:
    font = cap._measure_font(px)
    img = Image.new("L", (px * 3, px * 3))
    ImageDraw.Draw(img).text((px, px), char, font=font, fill=255)
    return np.asarray(img) > 127


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))


def test_accented_glyphs_and_euro_render_with_the_bundled_font(tmp_path: Path):
    """Each glyph, drawn big by libass, has the shape Pillow draws with the same font file,
    and not the shape of the font's missing-glyph box."""
    run_dir = tmp_path
    size = 120
    glyphs = [Caption(start=0.2 * k, end=0.2 * k + 0.2, text=g)
              for k, g in enumerate(GLYPHS + "\u0378")]  # last: unassigned, drawn as tofu
    style = CaptionStyle(size=size, position="middle")
    timeline = card_timeline(run_dir, 0.2 * len(glyphs), glyphs, style)
    video = Path(run(timeline, run_dir, run_dir / "out", RenderOptions(crf=12)).video)
    shapes = []
    for k in range(len(glyphs)):
        frame = frame_at(video, 6 * k + 3, W, H)
        white = frame.min(axis=2) > 200  # the glyph's fill (outline and shadow are dark)
        assert white.sum() > 200, GLYPHS[k] if k < len(GLYPHS) else "tofu"
        shapes.append(mask_shape(white))
    tofu = shapes[-1]
    for char, shape in zip(GLYPHS, shapes, strict=False):
        same = iou(shape, mask_shape(pillow_glyph(char, size)))
        bare = iou(shape, mask_shape(pillow_glyph(BARE.get(char, char), size)))
        assert same > 0.6, (char, same)
        assert iou(shape, tofu) < same - 0.2, char
        if char in BARE:  # the accent is drawn: closer to "á" than to "a"
            assert bare < same - 0.05, (char, same, bare)


def test_captions_keep_clear_of_the_bottom_ui_band_and_the_sides(bottom):
    timeline, video = bottom
    frame = frame_at(video, round(4.5 * FPS), W, H)
    rows = np.nonzero(ink(frame).any(axis=1))[0]
    cols = np.nonzero(ink(frame).any(axis=0))[0]
    assert len(rows) and rows.max() < 0.80 * H  # 9:16 apps cover the bottom ~20%
    assert rows.max() - rows.min() > 2 * cap.font_size(W, H)  # it wrapped onto 2-3 lines
    margin = cap.layout(timeline.caption_style, W, H).margin_h
    assert cols.min() >= margin * 0.8 and cols.max() <= W - margin * 0.8


@pytest.mark.parametrize(("position", "band"), [("top", (0.0, 0.35)), ("middle", (0.3, 0.7))])
def test_caption_position_option(tmp_path: Path, position: str, band: tuple[float, float]):
    captions = [Caption(start=0, end=1, text="Hola mundo")]
    timeline = card_timeline(tmp_path, 1.0, captions, CaptionStyle(position=position, size=24))
    video = Path(run(timeline, tmp_path, tmp_path / "out", RenderOptions(quality="draft")).video)
    rows = np.nonzero(ink(frame_at(video, 15, W, H)).any(axis=1))[0]
    assert band[0] * H <= rows.min() and rows.max() <= band[1] * H, (rows.min(), rows.max())


def test_karaoke_highlight_moves_on_each_word_start_within_a_frame(bottom):
    """The highlighted (green) word changes on the frame of each word's start, +-1."""
    _, video = bottom
    first, last = round(2.0 * FPS), round(3.8 * FPS)
    centres = []
    for k in range(first, last):
        frame = frame_at(video, k, W, H)
        green = (frame[..., 1] > 170) & (frame[..., 0] < 110) & (frame[..., 2] < 110)
        centres.append(np.nonzero(green)[1].mean() if green.sum() > 15 else None)
    # which word is green in each frame, by the highlight's position, left to right
    word_of = [None if c is None else int(np.digitize(c, _splits(centres))) for c in centres]
    assert sorted({w for w in word_of if w is not None}) == [0, 1, 2]
    for index, (_, start, _) in enumerate(KARAOKE):
        onset = next(first + i for i, w in enumerate(word_of) if w == index)
        assert abs(onset - start * FPS) <= 1, (index, onset, start * FPS)


def _splits(centres: list[float | None]) -> list[float]:
    """Two x positions separating the three words' highlight centres."""
    values = sorted(c for c in centres if c is not None)
    gaps = sorted(range(1, len(values)), key=lambda i: values[i] - values[i - 1])[-2:]
    return sorted((values[i] + values[i - 1]) / 2 for i in gaps)


@pytest.mark.parametrize("position", ["top-right", "bottom-left"])
def test_logo_sits_in_its_corner_with_alpha(tmp_path: Path, position: str):
    logo = Image.new("RGBA", (100, 50), (0, 0, 0, 0))
    ImageDraw.Draw(logo).rectangle([0, 0, 49, 49], fill=(255, 0, 0, 255))  # right half clear
    logo.save(tmp_path / "logo.png")
    spec = Logo(path=str(tmp_path / "logo.png"), position=position, width=0.4)
    timeline = card_timeline(tmp_path, 1.0, [], CaptionStyle(), spec)
    video = Path(run(timeline, tmp_path, tmp_path / "out", RenderOptions(crf=12)).video)
    frame = frame_at(video, 10, W, H)
    red = (frame[..., 0] > 180) & (frame[..., 2] < 100)
    ys, xs = np.nonzero(red)
    side, top, bottom = logo_margins(spec, W, H)
    lw = round(0.4 * W / 2) * 2
    left = W - side - lw if position.endswith("right") else side
    y0 = top if position.startswith("top") else H - bottom - lw // 2
    # (the scaled logo's edges blend over a pixel or two)
    assert abs(xs.min() - left) <= 3 and abs(xs.max() - (left + lw // 2)) <= 3
    assert abs(ys.min() - y0) <= 3 and abs(ys.max() - (y0 + lw // 2)) <= 3
    clear = frame[y0 + 5:y0 + lw // 2 - 5, left + lw // 2 + 5:left + lw - 5]
    assert np.abs(clear - np.array([20, 40, 160])).max() < 25  # transparent: the card shows
    if position.startswith("bottom"):
        assert ys.max() < 0.80 * H  # above the apps' bottom UI band


def subject_photo(path: Path, box: Box, size=(800, 600)) -> None:
    rng = np.random.default_rng(5)
    img = Image.fromarray(rng.integers(60, 140, (size[1], size[0], 3), dtype=np.uint8))
    draw = ImageDraw.Draw(img)
    draw.ellipse([box.x * size[0], box.y * size[1], (box.x + box.w) * size[0],
                  (box.y + box.h) * size[1]], fill=(255, 0, 0))
    img.save(path, quality=95)


def test_every_motion_keeps_the_subject_in_the_vertical_frame(tmp_path: Path):
    """A subject on the right of a landscape photo stays whole in a 9:16 frame, every motion."""
    box = Box(x=0.72, y=0.5, w=0.12, h=0.16)
    subject_photo(tmp_path / "car.jpg", box)
    clips = []
    for k, kind in enumerate(MOTION_KINDS):
        motion = plan_motion(kind, 800, 600, W, H, box, zoom=1.15)
        clips.append(VisualClip(kind="photo", start=k, end=k + 1, image="car.jpg",
                                image_width=800, image_height=600, motion=motion,
                                transition_in=Transition(kind="cut", duration=0)))
    timeline = Timeline(width=W, height=H, fps=FPS, duration=len(clips), clips=clips)
    video = Path(run(timeline, tmp_path, tmp_path / "out", RenderOptions(crf=14)).video)
    for k, clip in enumerate(clips):
        for n in (1, 15, 28):
            frame = frame_at(video, k * FPS + n, W, H)
            red = (frame[..., 0] > 190) & (frame[..., 1] < 90) & (frame[..., 2] < 90)
            ys, xs = np.nonzero(red)
            assert len(xs) > 50, (clip.motion.kind, n)
            # whole: the disc touches no edge of the frame
            assert xs.min() > 0 and xs.max() < W - 1 and ys.min() > 0 and ys.max() < H - 1, (
                clip.motion.kind, n)
