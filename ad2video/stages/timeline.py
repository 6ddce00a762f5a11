"""Timeline stage: lay the pictures out on the narration's clock.

Audio comes first: every scene lasts exactly as long as its narration (plus a short pause), and
the photos of a scene are cut on word boundaries inside it. Title and end cards frame the scenes.
The result is plain data (the edit decision list) that the renderer compiles to one ffmpeg graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ad2video.contracts import (
    AudioClip,
    Caption,
    CaptionStyle,
    Card,
    IngestResult,
    Logo,
    MusicBed,
    Narration,
    PreparedImage,
    Script,
    Shots,
    Timeline,
    Transition,
    VisualClip,
)
from ad2video.errors import UserError
from ad2video.motion import choose_kind, plan_motion
from ad2video.render.transitions import check_transition, pick_transition
from ad2video.timeline_text import scene_captions

FORMATS: dict[str, tuple[int, int]] = {
    "vertical": (1080, 1920),
    "horizontal": (1920, 1080),
    "square": (1080, 1080),
}


@dataclass(frozen=True)
class TimelineOptions:
    width: int = 1080  # output frame width in pixels
    height: int = 1920  # output frame height in pixels
    fps: int = 30  # output frame rate
    seed: int = 0  # varies motion choices; same seed, same timeline
    transition: str = "fade"  # between clips: an xfade name, "cut", or "auto" (varied by seed)
    transition_duration: float = 0.5  # seconds, centred on each cut
    min_shot: float = 1.5  # no photo is on screen for less than this many seconds
    zoom: float = 1.15  # Ken Burns zoom factor between the wide and the tight window
    music: Path | None = None  # music bed file, None for no music
    music_gain_db: float = -10.0  # music level before ducking under the voice
    caption_style: CaptionStyle = field(default_factory=CaptionStyle)
    captions: bool = True  # burn captions into the video
    logo: Logo | None = None  # picture kept in a corner of every frame


@dataclass
class _Cursor:
    """Mutable state while laying clips out one after another."""

    time: float = 0.0
    clips: list[VisualClip] = field(default_factory=list)
    previous_motion: str | None = None


def run(ingest: IngestResult, shots: Shots, script: Script, narration: Narration,
        run_dir: Path, options: TimelineOptions) -> Timeline:
    """Build the timeline; durations come from the narration, never the other way round."""
    if len(narration.scenes) != len(script.scenes):
        raise UserError("narration and script disagree on the number of scenes")
    check_transition(options.transition)
    images = {img.index: img for img in ingest.images}
    cursor = _Cursor()
    hero = images.get(shots.storyboard[0]) if shots.storyboard else None
    _add_card(cursor, script.title_card, hero, run_dir, options)
    captions: list[Caption] = []
    audio = []
    for scene, said in zip(script.scenes, narration.scenes, strict=True):
        start = cursor.time
        length = said.duration + narration.pause
        words = [(w.start + start, w.end + start) for w in said.words]
        for image_index, a, b in split_scene(scene.shots, start, length, words, options.min_shot):
            _add_photo(cursor, images[image_index], a, b, scene.index, shots, options)
        audio.append(_audio_clip(said.path, start, said.duration))
        if options.captions:
            captions.extend(scene_captions(scene.narration, said.words, start,
                                           options.width, options.height))
        cursor.time = start + length
    _add_card(cursor, script.end_card, None, run_dir, options)
    return Timeline(
        width=options.width, height=options.height, fps=options.fps,
        duration=round(cursor.time, 6), clips=cursor.clips, captions=captions,
        narration=audio, music=_music(options), caption_style=options.caption_style,
        seed=options.seed, logo=options.logo,
    )


Span = tuple[int, float, float]


def split_scene(shot_ids: list[int], start: float, length: float,
                words: list[tuple[float, float]], min_shot: float) -> list[Span]:
    """Share a scene between its photos, cutting on word starts, each at least `min_shot` long.

    Photos that cannot get `min_shot` seconds are left out of this scene (the first ones win).
    """
    count = max(1, min(len(shot_ids), int(length // min_shot)))
    ids = shot_ids[:count]
    cuts = [start]
    for k in range(1, count):
        ideal = start + length * k / count
        latest = start + length - min_shot * (count - k)
        cuts.append(_snap_to_word(ideal, words, cuts[-1] + min_shot, latest))
    cuts.append(start + length)
    return [(ids[i], round(cuts[i], 6), round(cuts[i + 1], 6)) for i in range(count)]


def _snap_to_word(ideal: float, words: list[tuple[float, float]], lo: float, hi: float) -> float:
    """The word start nearest to `ideal` within [lo, hi], else `ideal` clamped to that range."""
    candidates = [w0 for w0, _ in words if lo <= w0 <= hi]
    if not candidates:
        return min(max(ideal, lo), hi)
    return min(candidates, key=lambda t: abs(t - ideal))


def _transition(cursor: _Cursor, options: TimelineOptions, card: bool = False) -> Transition:
    if not cursor.clips or options.transition == "cut" or options.transition_duration <= 0:
        return Transition(kind="cut", duration=0)
    previous = cursor.clips[-1].transition_in.kind
    near_card = card or cursor.clips[-1].kind == "card"
    kind = pick_transition(options.transition, options.seed, len(cursor.clips), previous,
                           near_card)
    return Transition(kind=kind, duration=options.transition_duration)


def _add_photo(cursor: _Cursor, image: PreparedImage, start: float, end: float, scene: int,
               shots: Shots, options: TimelineOptions) -> None:
    subject = next((s.subject for s in shots.shots if s.image == image.index), None)
    aspect = options.width / options.height
    kind = choose_kind(options.seed, len(cursor.clips), image.width, image.height, aspect,
                       cursor.previous_motion, options.zoom)
    motion = plan_motion(kind, image.width, image.height, options.width, options.height,
                         subject, options.zoom)
    cursor.previous_motion = kind
    cursor.clips.append(VisualClip(
        kind="photo", start=start, end=end, image=image.path, image_width=image.width,
        image_height=image.height, motion=motion, transition_in=_transition(cursor, options),
        scene=scene, image_index=image.index,
    ))


def _add_card(cursor: _Cursor, card: Card, hero: PreparedImage | None, run_dir: Path,
              options: TimelineOptions) -> None:
    from ad2video.render.cards import make_card_image  # Pillow text layout, imported lazily

    rel = Path("cards") / f"{card.kind}.png"
    background = run_dir / hero.path if hero is not None else None
    make_card_image(card, options.width, options.height, background, run_dir / rel)
    start = cursor.time
    motion = plan_motion("zoom_in", options.width, options.height, options.width,
                         options.height, None, 1.04)
    cursor.clips.append(VisualClip(
        kind="card", start=round(start, 6), end=round(start + card.duration, 6),
        image=rel.as_posix(), image_width=options.width, image_height=options.height,
        motion=motion, transition_in=_transition(cursor, options, card=True),
    ))
    cursor.time = start + card.duration


def _audio_clip(path: str, start: float, duration: float) -> AudioClip:
    return AudioClip(path=path, start=round(start, 6), duration=duration)


def _music(options: TimelineOptions) -> MusicBed | None:
    if options.music is None:
        return None
    return MusicBed(path=str(options.music), gain_db=options.music_gain_db)
