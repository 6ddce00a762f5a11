"""The same timeline rendered the way moviepy-based generators do it (moviepy 2.x).

Ken Burns as a per-frame resize of the whole photo placed on a composite (moviepy's idiom),
0.5 s cross-fades, one caption per narration chunk (no per-word highlight), narration and
looped music mixed (no ducking, no loudness normalisation), libx264 veryfast crf 23, AAC 160k.
It does less than our renderer; it is the speed baseline only.

    python benchmarks/moviepy_ref.py TIMELINE.json WORK_DIR OUT.mp4   (needs ad2video[bench])
"""

from __future__ import annotations

import sys
from pathlib import Path

from ad2video.contracts import Timeline, VisualClip
from ad2video.render.captions import FONTS_DIR


def _kenburns(clip: VisualClip, work: Path, timeline: Timeline, start: float, end: float):
    from moviepy import ImageClip, vfx

    a, b = clip.motion.start, clip.motion.end
    span = max(1e-6, end - start)

    def window(t: float) -> tuple[float, float, float]:
        p = min(max(t / span, 0.0), 1.0)
        e = p * p * (3 - 2 * p)
        return a.x + (b.x - a.x) * e, a.y + (b.y - a.y) * e, a.w + (b.w - a.w) * e

    def scale(t: float) -> float:
        return timeline.width / window(t)[2]

    def position(t: float) -> tuple[float, float]:
        x, y, _ = window(t)
        return -x * scale(t), -y * scale(t)

    picture = ImageClip(str(work / clip.image)).with_duration(span)
    return picture.with_effects([vfx.Resize(scale)]).with_position(position).with_start(start)


def build(timeline: Timeline, work: Path):
    from moviepy import (
        AudioFileClip,
        CompositeAudioClip,
        CompositeVideoClip,
        TextClip,
        afx,
        vfx,
    )

    half = 0.25  # transitions centred on the cuts, like ours
    layers = []
    for i, clip in enumerate(timeline.clips):
        fade = clip.transition_in.kind != "cut" and i > 0
        start = clip.start - (half if fade else 0)
        end = min(timeline.duration, clip.end + half)
        layer = _kenburns(clip, work, timeline, start, end)
        layers.append(layer.with_effects([vfx.CrossFadeIn(2 * half)]) if fade else layer)
    font = str(FONTS_DIR / "Lato-Bold.ttf")
    size = max(8, round(0.07 * min(timeline.width, timeline.height)))
    for cap in timeline.captions:
        text = TextClip(font=font, text=cap.text, font_size=size, color="white",
                        stroke_color="black", stroke_width=max(1, size // 16), method="caption",
                        size=(round(timeline.width * 0.84), None), text_align="center")
        layers.append(text.with_start(cap.start).with_duration(max(0.05, cap.end - cap.start))
                      .with_position(("center", round(timeline.height * 0.62))))
    video = CompositeVideoClip(layers, size=(timeline.width, timeline.height))
    video = video.with_duration(timeline.duration)
    sounds = [AudioFileClip(str(work / a.path)).with_start(a.start) for a in timeline.narration]
    if timeline.music is not None:
        music = AudioFileClip(timeline.music.path).with_effects([
            afx.AudioLoop(duration=timeline.duration), afx.MultiplyVolume(0.3),
            afx.AudioFadeIn(1.0), afx.AudioFadeOut(2.0)])
        sounds.append(music)
    if sounds:
        video = video.with_audio(CompositeAudioClip(sounds).with_duration(timeline.duration))
    return video


def render(timeline: Timeline, work: Path, out: Path) -> None:
    video = build(timeline, work)
    video.write_videofile(str(out), fps=timeline.fps, codec="libx264", preset="veryfast",
                          audio_codec="aac", audio_bitrate="160k", logger=None,
                          temp_audiofile_path=str(out.parent),  # not the current folder
                          ffmpeg_params=["-crf", "23", "-pix_fmt", "yuv420p"])


def main(argv: list[str]) -> int:
    timeline = Timeline.model_validate_json(Path(argv[0]).read_text(encoding="utf-8"))
    render(timeline, Path(argv[1]), Path(argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
