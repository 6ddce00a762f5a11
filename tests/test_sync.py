"""Sync: each sentence on the photo that shows its topic, cuts on word starts, captions on the
voice's words, the sync score, and the documented fallback when no photo shows a topic.
Real stages throughout: ingest, heuristic vision, template writer, espeak, timeline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ad2video.contracts import Card, Domain, Scene, Script, Timeline
from ad2video.stages import ingest, narrate, script, timeline, vision
from ad2video.sync import SHOWS, assign_shots, shows, sync_score, topic_key
from tests.conftest import PALETTE, car_listing, make_photo, run_cli

FPS = 30
COLOURS = [*PALETTE, (30, 190, 190), (240, 120, 20), (110, 110, 110)]  # 8 distinct photos
ANGLES = ("front_3_4", "side", "rear", "interior", "dashboard", "trunk", "engine", "wheel")


@pytest.fixture(autouse=True)
def _no_user_lexicon(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AD2VIDEO_LEXICON", raising=False)


def listing(folder: Path, angles: tuple[str, ...]) -> Path:
    images = [{"file": f"{a}.jpg", "view": a} for a in angles]
    for i, img in enumerate(images):
        make_photo(folder / img["file"], COLOURS[i], size=(480, 360), seed=i)
    return car_listing(folder, images=images)


def stages(folder: Path, run_dir: Path, writer_script=None):
    """ingest -> vision -> script (or `writer_script(shots)`) -> sync -> narrate -> timeline."""
    ing = ingest.run(folder, run_dir, ingest.IngestOptions())
    shots = vision.run(ing, run_dir, vision.VisionOptions())
    if writer_script is None:
        scr = script.run(ing.listing, shots, script.ScriptOptions(locale="en"))
    else:
        scr = writer_script(shots)
    plan = assign_shots(scr, shots, ing.listing.domain)
    nar = narrate.run(plan.script, run_dir, narrate.NarrateOptions(cache_dir=run_dir / "cache"))
    opts = timeline.TimelineOptions(width=270, height=480, fps=FPS)
    tl = timeline.run(ing, shots, plan.script, nar, run_dir, opts)
    return shots, plan, nar, tl


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("sync")
    return stages(listing(root / "listing", ANGLES), root / "run")


def scene_clips(tl: Timeline, scene: int):
    return [c for c in tl.clips if c.kind == "photo" and c.scene == scene]


def test_every_topic_on_its_photo_scores_one(full) -> None:
    shots, plan, _, tl = full
    angle = {s.image: s.angle for s in shots.shots}
    assert sorted(angle.values()) == sorted(ANGLES) and not shots.dropped
    assert plan.fallbacks == []
    # The template merges a photo it has nothing to say about into the scene before it
    # (trunk into dashboard): sync takes it out again rather than show it under that sentence.
    for note in plan.corrected:
        before, after = (json.loads(p) for p in note.split(": photos ")[1].split(" -> "))
        assert set(after) < set(before)
    assert sync_score(tl, plan.script, shots, Domain.car) == 1.0
    topics = set()
    for scene in plan.script.scenes:
        clips = scene_clips(tl, scene.index)
        assert clips, scene
        for clip in clips:  # every photo of a scene shows its topic
            assert shows(scene.topic, angle[clip.image_index], Domain.car), (scene, clip)
        topics.add(scene.topic)
    assert {"intro", "side", "rear", "interior", "dashboard", "engine"} <= topics


def test_cuts_on_word_starts_and_no_photo_under_min_shot(full) -> None:
    _, plan, nar, tl = full
    photos = [c for c in tl.clips if c.kind == "photo"]
    assert all(c.end - c.start >= 1.5 - 1e-6 for c in photos)
    for scene, audio, clip in zip(plan.script.scenes, nar.scenes, tl.narration, strict=True):
        starts = {round(clip.start + w.start, 6) for w in audio.words}
        inner = scene_clips(tl, scene.index)[1:]
        assert all(c.start in starts for c in inner), (scene.index, [c.start for c in inner])


def test_captions_within_one_frame_of_word_timings(full) -> None:
    _, plan, nar, tl = full
    frame = 1 / FPS
    spoken = [(clip.start + w.start, clip.start + w.end, scene.narration[w.char_start:w.char_end])
              for scene, audio, clip in zip(plan.script.scenes, nar.scenes, tl.narration,
                                            strict=True)
              for w in audio.words]
    shown = [cw for cap in tl.captions for cw in cap.words]
    assert len(shown) == len(spoken) > 20
    for cw, (start, end, text) in zip(shown, spoken, strict=True):
        assert cw.text == text
        assert abs(cw.start - start) <= frame and abs(cw.end - end) <= frame
    for cap in tl.captions:
        assert cap.start <= cap.words[0].start and cap.words[-1].end <= cap.end + frame


def llm_script(shots) -> Script:
    """A script as an LLM might write it: right topics, wrong or invented shot numbers."""
    scenes = [("intro", [1], "A clean 2019 Peugeot 208 with one owner."),
              ("trunk", [0], "The trunk takes a week of luggage."),
              ("interior", [0, 99], "Inside, the seats are like new.")]
    return Script(
        listing_id="test-car-1", locale="en", writer="llm-like",
        title_card=Card(kind="title", heading="Peugeot 208", duration=2.5),
        end_card=Card(kind="end", heading="Thanks", duration=2.5),
        scenes=[Scene(index=i, topic=t, shots=s, narration=n)
                for i, (t, s, n) in enumerate(scenes)],
    )


def test_wrong_shots_corrected_and_fallback_when_no_photo_shows_the_topic(
    tmp_path: Path,
) -> None:
    folder = listing(tmp_path / "listing", ("front_3_4", "interior", "rear"))
    shots, plan, nar, tl = stages(folder, tmp_path / "run", llm_script)
    assert [s.shots for s in plan.script.scenes] == [[0], [2], [1]]
    assert plan.corrected == ["scene 0 (intro): photos [1] -> [0]",
                              "scene 2 (interior): photos [0, 99] -> [1]"]
    # No trunk photo: the nearest related photo (the rear) carries the sentence, reported.
    assert plan.fallbacks == ["scene 1 talks about 'trunk' but no photo shows it: spoken over "
                              "photo 2 (rear)"]
    durations = [a.duration for a in nar.scenes]
    expected = round((durations[0] + durations[2]) / sum(durations), 4)
    assert sync_score(tl, plan.script, shots, Domain.car) == expected
    assert 0.3 < expected < 0.9


def test_fallback_without_related_photo_uses_writer_shots_then_hero() -> None:
    from ad2video.contracts import Shot, Shots

    shots = Shots(backend="t", storyboard=[0, 1], shots=[
        Shot(image=0, angle="front_3_4", confidence=1, source="hint"),
        Shot(image=1, angle="interior", confidence=1, source="hint")])
    scr = llm_script(shots).model_copy(update={"scenes": [
        Scene(index=0, topic="floor_plan", shots=[1], narration="Plan."),
        Scene(index=1, topic="price talk", shots=[7], narration="Cheap.")]})
    plan = assign_shots(scr, shots, Domain.car)
    assert [s.shots for s in plan.script.scenes] == [[1], [0]]
    assert [f.split(":")[1] for f in plan.fallbacks] == [
        " spoken over photo 1 (interior)", " spoken over photo 0 (front_3_4)"]


def test_topic_table() -> None:
    assert shows("interior", "dashboard", Domain.car)
    assert shows("dashboard", "interior", Domain.car)
    assert not shows("interior", "front", Domain.car)
    assert shows("wrap_up", "trunk", Domain.car) and shows("wrap_up", "unknown", Domain.car)
    assert topic_key("seats", Domain.car) == "interior"  # an LLM's word for the topic
    assert topic_key("asientos traseros", Domain.car) == "rear_seats"
    assert topic_key("price", Domain.car) is None
    assert shows("kitchen", "dining", Domain.real_estate)
    assert not shows("bathroom", "bedroom", Domain.real_estate)
    assert all("intro" in table and "wrap_up" in table for table in SHOWS.values())


def test_manifest_records_score_and_fallbacks(tmp_path: Path) -> None:
    # Only inside photos: the intro has no exterior hero to stand on (the documented fallback).
    folder = listing(tmp_path / "listing", ("interior", "dashboard"))
    out = tmp_path / "run"
    res = run_cli("render", str(folder), "-o", str(out), "--size", "128x224", "--locale", "en",
                  "--music", "none", "--fps", "10")
    assert res.returncode == 0, res.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sync_fallbacks"] == ["scene 0 talks about 'intro' but no photo shows it: "
                                          "spoken over photo 0 (interior)"]
    assert 0 < manifest["sync_score"] < 1
    assert "warning: scene 0 talks about 'intro'" in res.stderr
    assert manifest["options"]["tts"] == "espeak"
    bad = run_cli("render", str(folder), "-o", str(out), "--tts", "nope")
    assert (bad.returncode, bad.stderr.strip()) == (
        2, "error: unknown tts 'nope' (choose one of: espeak, piper, openai)")
