"""Renderer benchmark: one run prints speed against the encode floor and moviepy, motion
smoothness against zoompan and a float-exact reference, and peak memory at 30 s and 120 s.

The reference job (benchmarks/bench_job.py): 8 textured 1600x1200 photos per 30 s, 1080x1920
at 30 fps, Ken Burns zoom 1.0<->1.25, 0.5 s crossfades, karaoke captions, espeak narration
with the bundled music ducked under it, libx264 veryfast crf 23, AAC 160k.

The floor: the very frames our graph makes (written to raw yuv and the final audio to WAV
first, untimed) encoded with the same settings. Ratios come from the same run; CPU seconds are
steadier than wall seconds on a shared machine.

    python benchmarks/render_bench.py [--runs 1] [--width 1080 --height 1920]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import smoothness
from bench_job import make_photo, reference_job

from ad2video.contracts import Timeline
from ad2video.render import ffmpeg as ff
from ad2video.render.captions import FONTS_DIR
from ad2video.render.filtergraph import RenderSources, build_graph
from ad2video.render.motionplan import clip_geometry, clip_spans
from ad2video.render.pictures import PictureFeed, canvas_size
from ad2video.stages.render import RenderOptions, encode_args, run

OPTIONS = RenderOptions(encoder="libx264")  # the floor is x264: compare like with like


def _sources(timeline: Timeline, work: Path, out: Path) -> RenderSources:
    return RenderSources(images=tuple(str(work / c.image) for c in timeline.clips),
                         narration=tuple(str(work / a.path) for a in timeline.narration),
                         music=timeline.music.path if timeline.music else None,
                         ass=str(out / "captions.ass"), fonts_dir=str(FONTS_DIR))


def floor_inputs(timeline: Timeline, work: Path, out: Path) -> tuple[Path, Path]:
    """Untimed: our graph's frames to raw yuv420p and its final audio to WAV."""
    plan = build_graph(timeline, _sources(timeline, work, out))
    graph = work / "floor_graph.txt"
    graph.write_text(plan.graph, encoding="utf-8")
    raw, audio = work / "frames.yuv", work / "audio.wav"
    ff.run_ffmpeg(["-y", *plan.input_args(), *ff.filter_script_args(graph),
                   "-map", plan.video_label, "-f", "rawvideo", "-pix_fmt", "yuv420p", str(raw),
                   "-map", plan.audio_label, "-c:a", "pcm_f32le", str(audio)],
                  feed=PictureFeed(plan.pictures, canvas_size(plan.pictures)))
    return raw, audio


def encode_floor(timeline: Timeline, raw: Path, audio: Path, out: Path) -> ff.FFmpegRun:
    plan = build_graph(timeline, _sources(timeline, raw.parent, out))
    settings = encode_args(plan, timeline, OPTIONS)
    settings = settings[settings.index("-c:v"):]  # the same codec settings, minus our -map
    return ff.run_ffmpeg(["-y", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s",
                          f"{timeline.width}x{timeline.height}", "-r", str(timeline.fps),
                          "-i", str(raw), "-i", str(audio), "-map", "0:v", "-map", "1:a",
                          *settings, str(out / "floor.mp4")])


LOAD: list[float] = []  # 1-minute load average sampled before each measurement


def ours(timeline: Timeline, work: Path) -> dict[str, float]:
    """The whole render stage: wall, CPU (ffmpeg runs + this process), ffmpeg's peak RSS."""
    LOAD.append(os.getloadavg()[0])
    before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    result = run(timeline, work, work / "out", OPTIONS)
    after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    cpu = sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime
              for a, b in zip(after, before, strict=True))
    return {"wall": result.wall_s, "cpu": cpu, "main_wall": result.encode_wall_s,
            "main_cpu": result.encode_cpu_s + result.pictures_cpu_s,
            "rss": result.ffmpeg_max_rss_mb, "mb": Path(result.video).stat().st_size / 1e6}


def moviepy(timeline: Timeline, work: Path) -> dict[str, float] | None:
    """moviepy_ref.py on the same timeline, in a child process (wall, CPU incl. its ffmpeg)."""
    try:
        import moviepy as _
    except ImportError:
        return None
    spec = work / "timeline.json"
    spec.write_text(timeline.model_dump_json(), encoding="utf-8")
    script = Path(__file__).resolve().parent / "moviepy_ref.py"
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(script), str(spec), str(work),
                            str(work / "moviepy.mp4")])
    _, status, usage = os.wait4(proc.pid, 0)
    if status:
        raise SystemExit("moviepy_ref.py failed")
    return {"wall": time.perf_counter() - started, "cpu": usage.ru_utime + usage.ru_stime,
            "rss": usage.ru_maxrss / 1024}


def window_error(timeline: Timeline) -> tuple[float, float]:
    """RMS and max over all frames of our frames' distance (px) from their ideal window."""
    errors = []
    for clip, span in zip(timeline.clips, clip_spans(timeline), strict=True):
        geo = clip_geometry(clip, timeline.width, timeline.height, span.length, timeline.fps)
        errors += [geo.error_px(n) for n in range(span.length)]
    return statistics.fmean(e * e for e in errors) ** 0.5, max(errors)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="runs of the 30 s job (medians)")
    parser.add_argument("--width", type=int, default=1080)
    parser.add_argument("--height", type=int, default=1920)
    parser.add_argument("--moviepy-seconds", type=float, default=7.5,
                        help="length of the slice moviepy renders (0: skip moviepy)")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the jobs here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ad2video-bench-") as tmp:
        work = args.workdir or Path(tmp)
        size = (args.width, args.height)
        figures = _run_all(work, size, args)
    LOAD.append(os.getloadavg()[0])
    from bench_report import report

    report(figures, size, args.runs, LOAD)
    return 0


def _job(work: Path, size: tuple[int, int], seconds: float, photos: int) -> Timeline:
    work.mkdir(parents=True, exist_ok=True)
    return reference_job(work, *size, seconds, photos)


def _run_all(work: Path, size: tuple[int, int], args: argparse.Namespace) -> dict:
    main_dir = work / "30s"
    timeline = _job(main_dir, size, 30, 8)
    rows = []
    for i in range(args.runs):
        mine = ours(timeline, main_dir)
        raw, audio = floor_inputs(timeline, main_dir, main_dir / "out")
        floor = encode_floor(timeline, raw, audio, main_dir / "out")
        raw.unlink()
        rows.append({**mine, "floor_wall": floor.wall_s, "floor_cpu": floor.cpu_s,
                     "floor_rss": floor.max_rss_mb,
                     "floor_mb": (main_dir / "out" / "floor.mp4").stat().st_size / 1e6})
        print(f"run {i + 1}: ours {mine['wall']:.1f} s ({mine['cpu']:.1f} CPU s), floor "
              f"{floor.wall_s:.1f} s ({floor.cpu_s:.1f} CPU s)", flush=True)
    long = ours(_job(work / "120s", size, 120, 32), work / "120s")
    print(f"120 s job: {long['wall']:.1f} s, peak RSS {long['rss']:.0f} MB", flush=True)
    # the same 8 photos, each on screen 4x longer: memory against duration alone
    stretched = ours(_job(work / "120s-8", size, 120, 8), work / "120s-8")
    figures = {"rows": rows, "long": long, "stretched": stretched,
               "error": window_error(timeline)}
    if args.moviepy_seconds > 0:
        photos = max(1, round(8 * args.moviepy_seconds / 30))
        short = _job(work / "slice", size, args.moviepy_seconds, photos)
        figures["slice"] = {"seconds": args.moviepy_seconds, "ours": ours(short, work / "slice"),
                            "moviepy": moviepy(short, work / "slice")}
        print(f"moviepy slice: {json.dumps(figures['slice'])}", flush=True)
    make_photo(work / "texture.jpg", seed=7)
    figures["smooth"] = smoothness.measure(work / "texture.jpg", *size)
    return figures


if __name__ == "__main__":
    sys.exit(main())
