"""The renderer benchmark's reference job: textured photos, espeak narration, captions, music.

8 photos 1600x1200 per 30 s (the 120 s job has 32), 1080x1920 at 30 fps, Ken Burns zoom
1.0<->1.25 on each photo, 0.5 s crossfades, a karaoke caption per photo, narration with the
bundled music ducked under it.
"""

from __future__ import annotations

import sys
import wave
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

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
from ad2video.render.music import bundled_music

PHOTOS = 8
SENTENCES = [
    "Here is the front of the car, clean and straight.", "The side profile shows no dents.",
    "Alloy wheels with good tyres all round.", "A tidy rear with both lights intact.",
    "The cabin is bright and well kept.", "Comfortable seats with no wear at all.",
    "The dashboard has a modern touch screen.", "One owner, always kept in a garage.",
]


def make_photo(path: Path, seed: int, size: tuple[int, int] = (1600, 1200)) -> None:
    """Photo-like texture: multi-octave noise, shapes, fine grain (x264 gets real work)."""
    rng = np.random.default_rng(seed)
    w, h = size
    img = np.zeros((h, w, 3), np.float32)
    for octave in range(1, 7):
        cells = 2**octave
        small = (rng.random((int(cells * h / w) + 2, cells + 1, 3)) * 255).astype(np.uint8)
        layer = Image.fromarray(small).resize((w, h), Image.Resampling.BICUBIC)
        img += np.asarray(layer, np.float32) * 0.6**octave
    pil = Image.fromarray((img * 255 / img.max()).astype(np.uint8))
    draw = ImageDraw.Draw(pil)
    for _ in range(60):
        x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
        box = [x0, y0, x0 + int(rng.integers(20, 400)), y0 + int(rng.integers(20, 300))]
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            draw.rectangle(box, outline=colour, width=int(rng.integers(1, 6)))
        else:
            draw.ellipse(box, fill=colour)
    arr = np.asarray(pil, np.float32) + rng.normal(0, 6, (h, w, 3))
    out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    out.filter(ImageFilter.GaussianBlur(0.6)).save(path, quality=90)


def speak(text: str, path: Path) -> tuple[float, list[tuple[str, float, float]]]:
    """espeak-ng narration with word timings; a voiced-tone stand-in if espeak is missing."""
    try:
        from ad2video.backends.tts_espeak import EspeakTTS

        duration, words = EspeakTTS().synthesize(text, "en-us", 175, path)
        return duration, [(w.text, w.start, w.end) for w in words]
    except Exception as exc:  # the benchmark still measures the renderer without espeak
        print(f"espeak unavailable ({exc}); using a synthetic voice", file=sys.stderr)
    rate, tokens = 22050, text.split()
    seconds = 0.32 * len(tokens)
    t = np.arange(int(seconds * rate)) / rate
    voice = sum(np.sin(2 * np.pi * 130 * k * t) / k for k in range(1, 8))
    pcm = (0.25 * (0.5 - 0.5 * np.cos(2 * np.pi * 3 * t)) * voice * 32767 / 2).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())
    return seconds, [(tok, 0.32 * i, 0.32 * i + 0.28) for i, tok in enumerate(tokens)]


def _window(iw: int, ih: int, width: int, height: int, zoom: float, dx: float) -> Rect:
    aspect = width / height
    ch = ih if iw / ih > aspect else iw / aspect
    cw, ch = ch * aspect / zoom, ch / zoom
    return Rect(x=(iw - cw) / 2 + dx, y=(ih - ch) / 2, w=cw, h=ch)


def reference_job(work: Path, width: int, height: int, seconds: float,
                  photos: int = PHOTOS) -> Timeline:
    """Write the job's media into `work` and return its timeline (paths relative to work)."""
    clips, captions, narration = [], [], []
    step = seconds / photos
    for i in range(photos):
        if not (work / f"photo{i}.jpg").exists():
            make_photo(work / f"photo{i}.jpg", seed=100 + i)
        wide = _window(1600, 1200, width, height, 1.0, 0)
        tight = _window(1600, 1200, width, height, 1.25, 40.0 * (i % 3 - 1))
        start, end = round(i * step, 6), round((i + 1) * step, 6)
        clips.append(VisualClip(
            kind="photo", start=start, end=end, image=f"photo{i}.jpg", image_width=1600,
            image_height=1200,
            motion=Motion(kind="zoom", start=wide if i % 2 == 0 else tight,
                          end=tight if i % 2 == 0 else wide),
            transition_in=Transition(kind="fade" if i else "cut", duration=0.5 if i else 0)))
        said, words = speak(SENTENCES[i % len(SENTENCES)], work / f"voice{i}.wav")
        said = min(said, step - 0.3)
        at = start + 0.15
        narration.append(AudioClip(path=f"voice{i}.wav", start=at, duration=said))
        cap_words = [CaptionWord(text=t, start=at + a, end=at + min(b, said))
                     for t, a, b in words if a < said]
        captions.append(Caption(start=at, end=at + said, text=" ".join(w.text for w in cap_words),
                                words=cap_words))
    return Timeline(width=width, height=height, fps=30, duration=seconds, clips=clips,
                    captions=captions, narration=narration,
                    music=MusicBed(path=str(bundled_music("calm")), gain_db=-10))
