"""Title/end cards and the bundled music beds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ad2video.contracts import Card
from ad2video.errors import UserError
from ad2video.render import ffmpeg as ff
from ad2video.render.cards import make_card_image, pick_font
from ad2video.render.music import MOODS, bundled_music, synthesize


def photo(path: Path) -> Path:
    rng = np.random.default_rng(3)
    Image.fromarray(rng.integers(0, 255, (300, 400, 3), dtype=np.uint8)).save(path)
    return path


def test_card_is_deterministic_sized_and_dark_behind_text(tmp_path: Path):
    card = Card(kind="title", heading="Peugeot 208 — Única dueña", lines=["45.000 km · €12.500"],
                duration=2)
    a = make_card_image(card, 270, 480, photo(tmp_path / "bg.png"), tmp_path / "a.png")
    b = make_card_image(card, 270, 480, tmp_path / "bg.png", tmp_path / "b.png")
    assert a.read_bytes() == b.read_bytes()
    img = np.asarray(Image.open(a).convert("L"), np.float32)
    assert img.shape == (480, 270)
    # blurred, darkened photo: the background is dim and smooth; the text is bright
    assert np.median(img) < 100 and img.max() > 240
    assert np.abs(np.diff(img[:40], axis=1)).mean() < 3  # the top band has no text, only blur


def test_card_text_is_centred_and_shrinks_to_fit(tmp_path: Path):
    long = Card(kind="end", heading=" ".join(["Extraordinariamente"] * 6),
                lines=["una línea bastante larga que tiene que partirse en dos"], duration=2)
    out = make_card_image(long, 1080, 1920, None, tmp_path / "end.png")
    img = np.asarray(Image.open(out).convert("L"), np.float32)
    cols = np.where((img > 200).any(axis=0))[0]
    rows = np.where((img > 200).any(axis=1))[0]
    assert cols.min() >= 1080 * 0.07 and cols.max() <= 1080 * 0.93  # nothing overflows
    assert abs((cols.min() + cols.max()) / 2 - 540) < 30
    assert abs((rows.min() + rows.max()) / 2 - 960) < 120


def test_fallback_font_for_glyphs_lato_lacks():
    assert "Lato" in pick_font(("Lato-Black.ttf", "DejaVuSans-Bold.ttf"), "Ñandú €", 40).path
    assert "DejaVu" in pick_font(("Lato-Black.ttf", "DejaVuSans-Bold.ttf"), "Жук", 40).path


@pytest.mark.parametrize("mood", sorted(MOODS))
def test_bundled_music_is_a_compact_loopable_file(mood: str, ffprobe: str):
    path = bundled_music(mood)
    assert path.stat().st_size < 1_500_000
    info = ff.probe(path, ffprobe)
    stream = info["streams"][0]
    assert stream["codec_name"] == "aac" and stream["sample_rate"] == "48000"
    assert 60 <= float(info["format"]["duration"]) <= 90
    assert "CC0" in (path.parent / "LICENSE.txt").read_text(encoding="utf-8")


def test_music_synthesis_is_deterministic_unclipped_and_seamless():
    a = synthesize("calm", bars=4)
    assert np.array_equal(a, synthesize("calm", bars=4))
    assert a.dtype == np.float32 and a.shape[1] == 2
    assert 0.6 < np.abs(a).max() <= 10 ** (-3 / 20) + 1e-6  # peak at -3 dBFS, never clipping
    # the loop point is as smooth as the rest of the signal (no click when it wraps)
    steps = np.abs(np.diff(a[:, 0]))
    assert abs(a[0, 0] - a[-1, 0]) < 4 * np.percentile(steps, 99.9)


def test_unknown_mood_names_the_known_ones():
    with pytest.raises(UserError, match=r"unknown music mood 'jazz' \(known: calm, upbeat\)"):
        bundled_music("jazz")
