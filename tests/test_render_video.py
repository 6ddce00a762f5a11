"""Real renders of tiny timelines, checked with ffprobe, decoded frames and ebur128."""

from __future__ import annotations

import re
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ad2video.contracts import (
    AudioClip,
    Caption,
    CaptionWord,
    Card,
    Motion,
    MusicBed,
    Rect,
    Timeline,
    Transition,
    VisualClip,
)
from ad2video.errors import UserError
from ad2video.render import ffmpeg as ff
from ad2video.render.cards import make_card_image
from ad2video.render.motionplan import clip_geometry, clip_spans
from ad2video.render.music import bundled_music
from ad2video.stages.render import RenderOptions, resolve, run

HUES = [(210, 50, 40), (40, 170, 70), (50, 80, 210)]


def make_photo(path: Path, i: int, size=(640, 480)) -> None:
    """Distinct textured photos: own hue, own shapes, grain."""
    rng = np.random.default_rng(i)
    w, h = size
    hue = np.array(HUES[i % 3], np.float32)
    img = hue * np.linspace(0.6, 1.0, w, dtype=np.float32)[None, :, None] + rng.normal(
        0, 8, (h, w, 3))
    pil = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(pil)
    for k in range(5 + i):
        x, y = int(rng.integers(0, w - 120)), int(rng.integers(0, h - 120))
        draw.ellipse([x, y, x + 60 + 10 * k, y + 90], fill=tuple(255 - int(c) for c in hue))
    pil.save(path, quality=92)


def make_voice(path: Path, seconds: float, f0: float) -> None:
    """Speech-like audio: a harmonic voice with syllable envelope and vibrato."""
    rate = 22050
    t = np.arange(int(seconds * rate)) / rate
    phase = 2 * np.pi * f0 * (t + 0.004 * np.sin(2 * np.pi * 5 * t))
    tone = sum(np.sin(k * phase) / k for k in range(1, 9))
    env = (0.5 - 0.5 * np.cos(2 * np.pi * 4 * t)) * np.minimum(1, (seconds - t) * 10)
    pcm = (0.15 * env * tone * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())


def window(iw: int, ih: int, w: int, h: int, zoom: float, dx: float = 0) -> Rect:
    ch = ih if iw / ih > w / h else iw * h / w
    cw, ch = ch * w / h / zoom, ch / zoom
    return Rect(x=(iw - cw) / 2 + dx, y=(ih - ch) / 2, w=cw, h=ch)


def tiny_timeline(run_dir: Path, w: int = 270, h: int = 480, music: bool = True) -> Timeline:
    """Title card, 3 photos (zoom in, pan, zoom out), end card; 2 voices; music."""
    for i in range(3):
        make_photo(run_dir / f"photo{i}.jpg", i)
    make_card_image(Card(kind="title", heading="Título ñ", lines=["Único"], duration=1.5), w, h,
                    run_dir / "photo0.jpg", run_dir / "cards" / "title.png")
    make_card_image(Card(kind="end", heading="Fin", duration=1.5), w, h, None,
                    run_dir / "cards" / "end.png")
    make_voice(run_dir / "v0.wav", 2.4, 140)
    make_voice(run_dir / "v1.wav", 2.0, 190)
    motions = [Motion(kind="zoom_in", start=window(640, 480, w, h, 1.0),
                      end=window(640, 480, w, h, 1.2)),
               Motion(kind="pan_right", start=window(640, 480, w, h, 1.3, -50),
                      end=window(640, 480, w, h, 1.3, 50), easing="linear"),
               Motion(kind="zoom_out", start=window(640, 480, w, h, 1.25),
                      end=window(640, 480, w, h, 1.0))]
    card = Motion(kind="zoom_in", start=Rect(x=0, y=0, w=w, h=h),
                  end=Rect(x=w * 0.02, y=h * 0.02, w=w * 0.96, h=h * 0.96))
    specs = [("card", "cards/title.png", (w, h), card, "cut"),
             *[("photo", f"photo{i}.jpg", (640, 480), motions[i], t)
               for i, t in enumerate(["fade", "slideleft", "wipeleft"])],
             ("card", "cards/end.png", (w, h), card, "fadeblack")]
    starts = [0, 1.5, 3.5, 5.5, 7.5, 9.0]
    clips = [VisualClip(kind=k, start=starts[i], end=starts[i + 1], image=img, image_width=sz[0],
                        image_height=sz[1], motion=m, image_index=i,
                        transition_in=Transition(kind=t, duration=0 if t == "cut" else 0.4))
             for i, (k, img, sz, m, t) in enumerate(specs)]
    words = [CaptionWord(text=t, start=a, end=b) for t, a, b in
             [("Hola", 1.6, 2.0), ("{mundo}", 2.1, 2.9), ("ñandú", 3.0, 3.9)]]
    return Timeline(
        width=w, height=h, fps=30, duration=9.0, clips=clips,
        captions=[Caption(start=1.6, end=3.9, text="Hola {mundo} ñandú", words=words),
                  Caption(start=4.6, end=6.6, text="Segundo título")],
        narration=[AudioClip(path="v0.wav", start=1.6, duration=2.4),
                   AudioClip(path="v1.wav", start=4.6, duration=2.0)],
        music=MusicBed(path=str(bundled_music("calm"))) if music else None)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> tuple[Timeline, Path, object]:
    run_dir = tmp_path_factory.mktemp("render")
    timeline = tiny_timeline(run_dir)
    result = run(timeline, run_dir, run_dir / "out", RenderOptions())
    return timeline, run_dir, result


def frame_at(video: Path, index: int, w: int, h: int) -> np.ndarray:
    """Decode frame number `index` exactly (select by number, not by seeking)."""
    cmd = [str(ff.find_ffmpeg()), "-v", "error", "-i", str(video), "-vf",
           f"select=eq(n\\,{index})", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    raw = subprocess.run(cmd, capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(h, w, 3).astype(np.float32)


def ideal_frame(run_dir: Path, timeline: Timeline, i: int, n: int) -> np.ndarray:
    """What clip i's stream frame n should show: its window cut from the source, float exact."""
    clip = timeline.clips[i]
    geo = clip_geometry(clip, timeline.width, timeline.height, clip_spans(timeline)[i].length,
                        timeline.fps)
    x, y, w, h = geo.window_at(n)
    sx, sy = geo.crop[2] / geo.pre[0], geo.crop[3] / geo.pre[1]
    box = (geo.crop[0] + x * sx, geo.crop[1] + y * sy, geo.crop[0] + (x + w) * sx,
           geo.crop[1] + (y + h) * sy)
    with Image.open(resolve(run_dir, clip.image)) as src:
        img = src.convert("RGB").resize((timeline.width, timeline.height),
                                        Image.Resampling.BICUBIC, box=box)
    return np.asarray(img, np.float32)


def test_video_and_audio_streams(rendered, ffprobe):
    timeline, _, result = rendered
    info = ff.probe(result.video, ffprobe)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert (video["codec_name"], video["pix_fmt"]) == ("h264", "yuv420p")
    assert (video["width"], video["height"]) == (270, 480)
    assert video["r_frame_rate"] == "30/1" and video.get("sample_aspect_ratio", "1:1") == "1:1"
    assert int(video["nb_frames"]) == round(timeline.duration * 30) == result.frames
    assert abs(float(info["format"]["duration"]) - timeline.duration) < 0.1
    assert abs(float(video["duration"]) - timeline.duration) < 0.1
    assert (audio["codec_name"], audio["sample_rate"], audio["channels"]) == ("aac", "48000", 2)
    assert abs(float(audio["duration"]) - timeline.duration) < 0.1


def test_faststart_puts_moov_before_mdat(rendered):
    data = Path(rendered[2].video).read_bytes()
    boxes, pos = [], 0
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos:pos + 4], "big")
        boxes.append(data[pos + 4:pos + 8].decode("latin-1"))
        pos += size if size >= 8 else len(data)
    assert boxes.index("moov") < boxes.index("mdat")


def test_each_clip_midpoint_shows_its_own_picture_in_the_planned_window(rendered):
    timeline, run_dir, result = rendered
    spans = clip_spans(timeline)
    for i, c in enumerate(timeline.clips):
        k = round((c.start + c.end) / 2 * timeline.fps)
        got = frame_at(Path(result.video), k, timeline.width, timeline.height)
        n = k - spans[i].first
        own = np.abs(got - ideal_frame(run_dir, timeline, i, n)).mean()
        others = [np.abs(got - ideal_frame(run_dir, timeline, j, 0)).mean()
                  for j in range(len(timeline.clips)) if j != i]
        assert own < 12, (i, own)
        assert own * 3 < min(others), (i, own, others)
        if c.kind == "photo":  # the window is where planned, not merely close
            shifted = ideal_frame(run_dir, timeline, i, 0 if n > spans[i].length / 2 else
                                  spans[i].length - 1)
            assert own < np.abs(got - shifted).mean(), i


def test_loudness_and_true_peak(rendered):
    timeline, _, result = rendered
    done = ff.run_ffmpeg(["-nostats", "-i", result.video, "-filter_complex", "ebur128=peak=true",
                          "-f", "null", "-"])
    summary = done.stderr[done.stderr.rindex("Summary:"):]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"True peak:\s+Peak:\s+(-?[\d.]+) dBFS", summary).group(1))
    assert abs(integrated - timeline.loudness_lufs) <= 1.0
    assert peak <= timeline.true_peak_db


def test_side_outputs(rendered):
    _, run_dir, result = rendered
    out = run_dir / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        "captions.ass", "captions.srt", "captions.vtt", "poster.jpg", "video.mp4"]
    with Image.open(result.poster) as poster:
        assert poster.format == "JPEG" and poster.size == (270, 480)
    assert "Hola {mundo} ñandú" in Path(result.srt).read_text(encoding="utf-8")
    assert Path(result.vtt).read_text(encoding="utf-8").startswith("WEBVTT")
    graph = Path(result.graph).read_text(encoding="utf-8")
    # the crossfade through the shared maskedmerge, the other three through xfade
    assert graph.count("maskedmerge") == 1 and graph.count("mergeplanes=") == 3
    assert result.ffmpeg_max_rss_mb > 0 and result.encode_wall_s <= result.wall_s
    assert "-c:v libx264 -preset veryfast -crf 23" in result.command


@pytest.mark.parametrize("size", [(216, 384), (384, 216), (216, 216)])
def test_output_geometries(tmp_path: Path, ffprobe, size):
    w, h = size
    # an awkward folder name: the captions path must survive filtergraph escaping
    run_dir = tmp_path / "it's, [a]; b:c"
    run_dir.mkdir()
    make_photo(run_dir / "a.jpg", 0)
    make_photo(run_dir / "b.jpg", 2, size=(480, 640))
    clips = [VisualClip(kind="photo", start=0, end=1.5, image="a.jpg", image_width=640,
                        image_height=480, motion=Motion(kind="zoom_in",
                        start=window(640, 480, w, h, 1), end=window(640, 480, w, h, 1.2))),
             VisualClip(kind="photo", start=1.5, end=3, image="b.jpg", image_width=480,
                        image_height=640, transition_in=Transition(kind="zoomin", duration=0.3),
                        motion=Motion(kind="still", start=window(480, 640, w, h, 1),
                                      end=window(480, 640, w, h, 1)))]
    timeline = Timeline(width=w, height=h, fps=30, duration=3, clips=clips,
                        captions=[Caption(start=0.2, end=2.8, text="Geometría")])
    result = run(timeline, run_dir, tmp_path / "out")
    video = ff.probe(result.video, ffprobe)["streams"][0]
    assert (video["width"], video["height"], int(video["nb_frames"])) == (w, h, 90)
    for i, k in ((0, 22), (1, 67)):
        got = frame_at(Path(result.video), k, w, h)
        n = k - clip_spans(timeline)[i].first
        own = np.abs(got - ideal_frame(run_dir, timeline, i, n)).mean()
        other = np.abs(got - ideal_frame(run_dir, timeline, 1 - i, 0)).mean()
        assert own < 14 and own * 3 < other, (i, own, other)


def test_bad_inputs_are_one_line_user_errors(tmp_path: Path):
    timeline = tiny_timeline(tmp_path, music=False)
    missing = timeline.model_copy(deep=True)
    missing.clips[2].image = "nope.jpg"
    with pytest.raises(UserError, match=r"^image of clip 2 not found: .*nope\.jpg$"):
        run(missing, tmp_path, tmp_path / "out")
    odd = timeline.model_copy(deep=True)
    odd.clips[1].transition_in = Transition(kind="spin", duration=0.5)
    with pytest.raises(UserError, match=r"^clip 1: unknown transition 'spin' \(known: cut, "):
        run(odd, tmp_path, tmp_path / "out")
    assert not (tmp_path / "out" / "video.mp4").exists()


def test_fade_is_a_true_colour_blend_at_its_midpoint(rendered):
    """The plane-by-plane xfade mixes the two pictures, in colour, half and half."""
    timeline, run_dir, result = rendered
    spans = clip_spans(timeline)
    k = spans[1].first + spans[1].fade // 2  # halfway through title card -> photo 0 (fade)
    got = frame_at(Path(result.video), k, timeline.width, timeline.height)
    a = ideal_frame(run_dir, timeline, 0, k - spans[0].first)
    b = ideal_frame(run_dir, timeline, 1, k - spans[1].first)
    mixed = np.abs(got - (a + b) / 2).mean()
    assert mixed < 10 and mixed * 2 < min(np.abs(got - a).mean(), np.abs(got - b).mean())
