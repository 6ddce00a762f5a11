"""Render stage: Timeline -> video.mp4 (+ captions.srt/.vtt/.ass, poster.jpg).

One ffmpeg process with one filtergraph renders the whole video (see render/filtergraph.py);
the graph is kept beside the run as render/filtergraph.txt so a render can be inspected.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from ad2video.contracts import Timeline
from ad2video.errors import UserError
from ad2video.fsutil import atomic_path, write_text
from ad2video.render import captions as cap
from ad2video.render import ffmpeg as ff
from ad2video.render.encoders import check_choice, resolve_encoder, video_args
from ad2video.render.filtergraph import (
    RenderPlan,
    RenderSources,
    build_graph,
    build_loudness_probe,
    check_transitions,
)
from ad2video.render.motionplan import clip_spans
from ad2video.render.pictures import PictureFeed, canvas_size


@dataclass(frozen=True)
class RenderOptions:
    ffmpeg: Path | None = None  # ffmpeg binary; None: $AD2VIDEO_FFMPEG, imageio-ffmpeg, PATH
    encoder: str = "auto"  # auto (NVENC if it works here, else libx264) or an encoder name
    quality: str = "standard"  # draft, standard or high: the encoder's preset and quality
    preset: str | None = None  # overrides the quality's speed preset (x264: veryfast, ...)
    crf: int | None = None  # overrides the quality's constant quality (x264 crf, NVENC cq)
    audio_bitrate: str = "160k"  # AAC bitrate
    threads: int = 0  # encoder threads; 0 lets ffmpeg/x264 decide


class RenderResult(BaseModel):
    video: str  # paths of what was written
    srt: str
    vtt: str
    ass: str
    poster: str
    graph: str  # the filtergraph text file used
    width: int
    height: int
    fps: int
    frames: int
    duration: float
    wall_s: float  # the whole stage
    encode_wall_s: float  # the main ffmpeg run only
    encode_cpu_s: float  # its CPU time (user + system): steadier than wall on a busy machine
    pictures_cpu_s: float  # CPU time preparing the pictures it reads (a thread of this process)
    ffmpeg_max_rss_mb: float  # peak memory of that ffmpeg process
    ffmpeg_version: str
    encoder: str  # the video encoder used (auto resolved)
    command: str  # short summary of the ffmpeg command


def resolve(run_dir: Path, path: str) -> Path:
    """Timeline paths are relative to the run folder unless absolute."""
    p = Path(path)
    return p if p.is_absolute() else run_dir / p


def _existing(run_dir: Path, path: str, what: str) -> str:
    resolved = resolve(run_dir, path)
    if not resolved.is_file():
        raise UserError(f"{what} not found: {resolved}")
    return str(resolved.resolve())


def _needed_filters(timeline: Timeline) -> list[str]:
    names = ["loop", "scale", "crop", "settb", "setpts", "format", "setsar", "concat", "null",
             "split", "trim", "anullsrc", "aformat", "aresample", "apad", "atrim"]
    if any(c.transition_in.kind != "cut" for c in timeline.clips[1:]):
        names += ["xfade", "extractplanes", "mergeplanes"]
    if timeline.captions:
        names.append("ass")
    if timeline.logo is not None:
        names.append("overlay")
    if timeline.narration or timeline.music:
        names += ["ebur128", "volume", "alimiter", "amix", "afade"]
    if timeline.music and timeline.music.duck and timeline.narration:
        names += ["sidechaincompress", "asplit"]
    return names


def check_ffmpeg(timeline: Timeline, options: RenderOptions) -> None:
    missing = [k for k, ok in ff.has_filters(_needed_filters(timeline), options.ffmpeg).items()
               if not ok]
    if missing:
        exe = ff.find_ffmpeg(options.ffmpeg)
        raise UserError(f"ffmpeg at {exe} lacks filters: {', '.join(missing)}")


def sources_for(timeline: Timeline, run_dir: Path, ass: Path | None) -> RenderSources:
    """Every file the graph reads, resolved against the run folder; one-line error if missing."""
    music = logo = None
    if timeline.music is not None:
        music = _existing(run_dir, timeline.music.path, "music file")
    if timeline.logo is not None:
        logo = _existing(run_dir, timeline.logo.path, "logo")
    return RenderSources(
        images=tuple(_existing(run_dir, c.image, f"image of clip {i}")
                     for i, c in enumerate(timeline.clips)),
        narration=tuple(_existing(run_dir, a.path, "narration audio") for a in timeline.narration),
        music=music, ass=str(ass.resolve()) if ass else None, fonts_dir=str(cap.FONTS_DIR),
        logo=logo,
    )


def encode_args(plan: RenderPlan, timeline: Timeline, options: RenderOptions,
                encoder: str = "libx264") -> list[str]:
    """Output options: H.264 yuv420p BT.709 limited range, AAC 48 kHz, moov up front.

    encoder: the resolved encoder (`resolve_encoder(options.encoder, ...)`).
    """
    video = video_args(encoder, options.quality, options.preset, options.crf)
    if options.threads:
        video += ["-threads", str(options.threads)]
    return [
        "-map", plan.video_label, "-map", plan.audio_label, *video,
        "-pix_fmt", "yuv420p", "-r", str(timeline.fps), "-colorspace", "bt709",
        "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
        "-c:a", "aac", "-b:a", options.audio_bitrate, "-ar", "48000", "-ac", "2",
        "-movflags", "+faststart", "-f", "mp4",
    ]


def _loudness_gain(timeline: Timeline, sources: RenderSources, run_dir: Path,
                   options: RenderOptions) -> float | None:
    """Gain (dB) that brings the mix to the target loudness, from an audio-only ebur128 pass.

    Measuring first (~1 s for 30 s of audio) lets the render apply a plain gain and a limiter
    instead of loudnorm, which held ~95 MB and ran at 192 kHz inside the main ffmpeg.
    """
    probe = build_loudness_probe(timeline, sources)
    if probe is None:
        return None
    script = run_dir / "render" / "loudness.txt"
    write_text(script, probe.graph)
    done = ff.run_ffmpeg(["-nostats", *probe.input_args(),
                          *ff.filter_script_args(script, options.ffmpeg),
                          "-map", probe.audio_label, "-f", "null", "-"], options.ffmpeg)
    integrated, _ = ff.ebur128_summary(done.stderr)
    if integrated < -69:  # silence: ebur128's floor is -70 LUFS; nothing to normalise
        return 0.0
    return max(-40.0, min(40.0, timeline.loudness_lufs - integrated))


def _poster_time(timeline: Timeline) -> float:
    photos = [c for c in timeline.clips if c.kind == "photo"] or timeline.clips
    return (photos[0].start + photos[0].end) / 2


def _publish(path: Path) -> None:
    # atomic temp files are created 0600; finished outputs follow the user's umask.
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o666 & ~umask)


def _write_captions(timeline: Timeline, out_dir: Path) -> tuple[Path, Path, Path]:
    srt, vtt, ass = out_dir / "captions.srt", out_dir / "captions.vtt", out_dir / "captions.ass"
    write_text(srt, cap.srt_text(timeline.captions))
    write_text(vtt, cap.vtt_text(timeline.captions))
    write_text(ass, cap.ass_text(timeline))
    return srt, vtt, ass


def run(timeline: Timeline, run_dir: Path, out_dir: Path,
        options: RenderOptions | None = None) -> RenderResult:
    """Render the timeline with one ffmpeg run; outputs appear in out_dir atomically."""
    options = options or RenderOptions()
    started = time.perf_counter()
    check_choice(options.encoder, options.quality)
    check_transitions(timeline)
    clip_spans(timeline)  # timing errors surface before anything is written
    check_ffmpeg(timeline, options)
    encoder = resolve_encoder(options.encoder, ff.find_ffmpeg(options.ffmpeg))
    ass = out_dir / "captions.ass"
    sources = sources_for(timeline, run_dir, ass if timeline.captions else None)
    srt, vtt, ass = _write_captions(timeline, out_dir)
    plan = build_graph(timeline, sources, _loudness_gain(timeline, sources, run_dir, options))
    graph = run_dir / "render" / "filtergraph.txt"
    write_text(graph, plan.graph)
    video, poster = out_dir / "video.mp4", out_dir / "poster.jpg"
    args = ["-y", *plan.input_args(), *ff.filter_script_args(graph, options.ffmpeg),
            *encode_args(plan, timeline, options, encoder)]
    feed = PictureFeed(plan.pictures, canvas_size(plan.pictures), plan.needs)
    with atomic_path(video) as tmp:
        encoded = ff.run_ffmpeg([*args, str(tmp)], options.ffmpeg, feed=feed)
    with atomic_path(poster) as tmp:
        ff.run_ffmpeg(["-y", "-ss", f"{_poster_time(timeline):.3f}", "-i", str(video),
                       "-frames:v", "1", "-q:v", "3", "-update", "1", "-f", "image2", str(tmp)],
                      options.ffmpeg)
    for path in (video, poster, srt, vtt, ass):
        _publish(path)
    return RenderResult(
        video=str(video), srt=str(srt), vtt=str(vtt), ass=str(ass), poster=str(poster),
        graph=str(graph), width=timeline.width, height=timeline.height, fps=timeline.fps,
        frames=plan.frames, duration=plan.frames / timeline.fps,
        wall_s=round(time.perf_counter() - started, 3), encode_wall_s=round(encoded.wall_s, 3),
        encode_cpu_s=round(encoded.cpu_s, 3), pictures_cpu_s=round(feed.cpu_s, 3),
        ffmpeg_max_rss_mb=round(encoded.max_rss_mb, 1),
        ffmpeg_version=ff.ffmpeg_version(options.ffmpeg), encoder=encoder,
        command=_summary(encoded.args[:-1], len(plan.inputs)) + f" {video}",
    )


def _summary(args: tuple[str, ...], inputs: int) -> str:
    """The command without its long input list: enough to reproduce the settings."""
    tail = list(args[args.index("-map"):]) if "-map" in args else list(args)
    return f"{Path(args[0]).name} [{inputs} inputs] -/filter_complex <graph> " + " ".join(tail)
