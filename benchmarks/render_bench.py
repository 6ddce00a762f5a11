"""Renderer benchmark: our one-graph render vs the x264 encode floor of the same frames.

The reference job of RENDER_FACTS.md: 8 textured 1600x1200 photos, 30 s at 1080x1920/30 fps,
Ken Burns zoom 1.0<->1.25 on each photo, 0.5 s crossfades, a caption per photo, espeak
narration with the bundled music ducked under it, loudnorm, libx264 veryfast crf 23, AAC 160k.

The floor: the very frames our graph makes (written to raw yuv and the final audio to WAV
first, untimed) encoded with the same settings. Ratio = ours / floor, per run, median of runs.

    python benchmarks/render_bench.py --runs 1 [--width 1080 --height 1920 --seconds 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
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
from ad2video.render import ffmpeg as ff
from ad2video.render.filtergraph import RenderSources, build_graph
from ad2video.render.motionplan import clip_geometry, clip_spans
from ad2video.render.music import bundled_music
from ad2video.stages.render import RenderOptions, encode_args, run

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


def reference_job(work: Path, width: int, height: int, seconds: float) -> Timeline:
    """Write the job's media into `work` and return its timeline (paths relative to work)."""
    clips, captions, narration = [], [], []
    step = seconds / PHOTOS
    for i in range(PHOTOS):
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
        said, words = speak(SENTENCES[i], work / f"voice{i}.wav")
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


def floor_inputs(timeline: Timeline, work: Path, out: Path) -> tuple[Path, Path]:
    """Untimed: our graph's frames to raw yuv420p and its final audio to WAV."""
    plan = build_graph(timeline, _sources(timeline, work, out))
    graph = work / "floor_graph.txt"
    graph.write_text(plan.graph, encoding="utf-8")
    raw, audio = work / "frames.yuv", work / "audio.wav"
    ff.run_ffmpeg(["-y", *plan.input_args(), *ff.filter_script_args(graph),
                   "-map", plan.video_label, "-f", "rawvideo", "-pix_fmt", "yuv420p", str(raw),
                   "-map", plan.audio_label, "-c:a", "pcm_f32le", str(audio)])
    return raw, audio


def _sources(timeline: Timeline, work: Path, out: Path) -> RenderSources:
    from ad2video.render.captions import FONTS_DIR

    return RenderSources(images=tuple(str(work / c.image) for c in timeline.clips),
                         narration=tuple(str(work / a.path) for a in timeline.narration),
                         music=timeline.music.path if timeline.music else None,
                         ass=str(out / "captions.ass"), fonts_dir=str(FONTS_DIR))


def encode_floor(timeline: Timeline, raw: Path, audio: Path, out: Path) -> ff.FFmpegRun:
    plan = build_graph(timeline, _sources(timeline, raw.parent, out))
    settings = encode_args(plan, timeline, RenderOptions())
    settings = settings[settings.index("-c:v"):]  # the same codec settings, minus our -map
    return ff.run_ffmpeg(["-y", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s",
                          f"{timeline.width}x{timeline.height}", "-r", str(timeline.fps),
                          "-i", str(raw), "-i", str(audio), "-map", "0:v", "-map", "1:a",
                          *settings, str(out / "floor.mp4")])


def _rms_error(actual: tuple[float, ...], ideal: tuple[float, ...], out: tuple[int, int]) -> float:
    """RMS displacement over the frame (output px) between two windows of one picture."""
    total = 0.0
    for k in range(2):
        unit = out[k] / ideal[k + 2]
        a = (actual[k] - ideal[k]) * unit
        b = (actual[k + 2] - ideal[k + 2]) / out[k] * unit
        total += a * a + a * b * out[k] + b * b * out[k] ** 2 / 3
    return total**0.5


def jitter(timeline: Timeline) -> dict[str, float]:
    """Motion error of our scale+crop vs a zoompan model (even-snapped integer source crop)."""
    ours, zoompan = [], []
    out = (timeline.width, timeline.height)
    for clip, span in zip(timeline.clips, clip_spans(timeline), strict=True):
        geo = clip_geometry(clip, timeline.width, timeline.height, span.length, timeline.fps)
        scale = (geo.pre[0] / geo.crop[2], geo.pre[1] / geo.crop[3])
        for n in range(span.length):
            ours.append(geo.error_px(n))
            ideal = geo.window_at(n)
            src = tuple(ideal[k] / scale[k % 2] for k in range(4))  # source px in the crop
            zoom = geo.crop[2] / src[2]
            w, h = int(geo.crop[2] / zoom), int(geo.crop[3] / zoom)
            x, y = int(src[0]) & ~1, int(src[1]) & ~1
            zoompan.append(_rms_error((x, y, w, h), src, out))
    rms = lambda v: float(np.sqrt(np.mean(np.square(v))))  # noqa: E731
    return {"ours_rms": rms(ours), "ours_max": max(ours), "zoompan_rms": rms(zoompan),
            "zoompan_max": max(zoompan)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs; medians are reported")
    parser.add_argument("--width", type=int, default=1080)
    parser.add_argument("--height", type=int, default=1920)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workdir", type=Path, default=None, help="keep the job here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ad2video-bench-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        out = work / "out"
        timeline = reference_job(work, args.width, args.height, args.seconds)
        rows = []
        for i in range(args.runs):
            result = run(timeline, work, out, RenderOptions())
            raw, audio = floor_inputs(timeline, work, out)
            floor = encode_floor(timeline, raw, audio, out)
            raw.unlink()
            rows.append((result.wall_s, result.encode_wall_s, result.encode_cpu_s,
                         result.ffmpeg_max_rss_mb, floor.wall_s, floor.cpu_s, floor.max_rss_mb))
            print(f"run {i + 1}: ours {result.wall_s:.2f} s (main ffmpeg "
                  f"{result.encode_wall_s:.2f} s, {result.encode_cpu_s:.1f} CPU s), floor "
                  f"{floor.wall_s:.2f} s ({floor.cpu_s:.1f} CPU s), "
                  f"ratio {result.wall_s / floor.wall_s:.2f}", flush=True)
        _report(rows, jitter(timeline), out, args)
    return 0


def _report(rows: list[tuple[float, ...]], jit: dict[str, float], out: Path,
            args: argparse.Namespace) -> None:
    stage, main_wall, main_cpu, rss, floor, floor_cpu, floor_rss = (
        statistics.median(col) for col in zip(*rows, strict=True))
    ratio = statistics.median(r[0] / r[4] for r in rows)  # whole stage: probe, poster too
    cpu_ratio = statistics.median(r[2] / r[5] for r in rows)
    mb = lambda p: (out / p).stat().st_size / 1e6  # noqa: E731
    print(f"\n{args.width}x{args.height}, {args.seconds:g} s, {PHOTOS} photos, "
          f"median of {len(rows)} run(s), ffmpeg {ff.ffmpeg_version()}")
    print(f"{'approach':<34}{'wall s':>8}{'x floor':>9}{'CPU s':>7}{'x':>6}{'peak RSS':>10}"
          f"{'MB':>6}{'jitter rms/max px':>19}")
    print(f"{'encode floor (raw yuv, same frames)':<34}{floor:>8.2f}{1:>9.2f}{floor_cpu:>7.1f}"
          f"{1:>6.2f}{floor_rss:>7.0f} MB{mb('floor.mp4'):>6.1f}{'0 / 0':>19}")
    print(f"{'ours: render stage, all of it':<34}{stage:>8.2f}{ratio:>9.2f}{'':>13}{rss:>7.0f} MB"
          f"{mb('video.mp4'):>6.1f}{jit['ours_rms']:>12.2f} / {jit['ours_max']:.2f}")
    print(f"{'  its one-graph ffmpeg run':<34}{main_wall:>8.2f}{main_wall / floor:>9.2f}"
          f"{main_cpu:>7.1f}{cpu_ratio:>6.2f}")
    print(f"{'zoompan model, same windows':<34}{'':>39}{'':>6}"
          f"{jit['zoompan_rms']:>12.2f} / {jit['zoompan_max']:.2f}")
    print("jitter: RMS over the frame of the distance (output px) between the rendered and the "
          "ideal float window, all frames; 'zoompan model' applies zoompan's even-pixel snap.")


if __name__ == "__main__":
    sys.exit(main())
