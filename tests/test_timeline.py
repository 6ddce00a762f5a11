"""Timeline rules: motion geometry, cuts on words, minimum shot length, captions, duration fit."""

from __future__ import annotations

import itertools

import pytest

from ad2video.contracts import Box, WordTiming
from ad2video.errors import UserError
from ad2video.motion import MOTION_KINDS, choose_kind, cover_size, plan_motion
from ad2video.stages.timeline import split_scene
from ad2video.timeline_text import chunk_words, scene_captions


@pytest.mark.parametrize("kind", MOTION_KINDS)
@pytest.mark.parametrize(("img", "out"), [((1600, 1200), (1080, 1920)),
                                          ((1600, 1200), (1920, 1080)),
                                          ((900, 1600), (1080, 1080))])
def test_motion_windows_stay_inside_and_keep_aspect(kind, img, out) -> None:
    motion = plan_motion(kind, *img, *out)
    for r in (motion.start, motion.end):
        assert r.x >= 0 and r.y >= 0
        assert r.x + r.w <= img[0] + 1e-6 and r.y + r.h <= img[1] + 1e-6
        assert r.w / r.h == pytest.approx(out[0] / out[1], rel=1e-3)


@pytest.mark.parametrize("kind", MOTION_KINDS)
def test_subject_stays_inside_the_vertical_crop(kind) -> None:
    subject = Box(x=0.70, y=0.45, w=0.22, h=0.3)  # a car on the right of a landscape photo
    motion = plan_motion(kind, 1600, 1200, 1080, 1920, subject)
    cx, cy = (subject.x + subject.w / 2) * 1600, (subject.y + subject.h / 2) * 1200
    for r in (motion.start, motion.end):
        assert r.x <= cx <= r.x + r.w and r.y <= cy <= r.y + r.h


def test_motion_choice_is_deterministic_and_varies() -> None:
    kinds = [choose_kind(7, i, 1600, 1200, 9 / 16) for i in range(12)]
    assert kinds == [choose_kind(7, i, 1600, 1200, 9 / 16) for i in range(12)]
    assert len(set(kinds)) > 1
    previous = None
    for i in range(30):
        kind = choose_kind(3, i, 1600, 1200, 9 / 16, previous)
        assert kind != previous
        previous = kind


def test_cover_size() -> None:
    assert cover_size(1600, 1200, 9 / 16) == (675.0, 1200)
    assert cover_size(1600, 1200, 16 / 9) == (1600, 900.0)


WORDS = [(10.0 + 0.4 * i, 10.3 + 0.4 * i) for i in range(15)]  # 15 words from t=10 s


def test_split_scene_cuts_on_word_starts_and_respects_min_shot() -> None:
    spans = split_scene([4, 5, 6], 10.0, 6.0, WORDS, 1.5)
    assert [s[0] for s in spans] == [4, 5, 6]
    assert spans[0][1] == 10.0 and spans[-1][2] == 16.0
    starts = {round(w0, 6) for w0, _ in WORDS}
    for (_, _, end), (_, nxt, _) in itertools.pairwise(spans):
        assert end == nxt and round(end, 6) in starts
    assert all(b - a >= 1.5 - 1e-9 for _, a, b in spans)


def test_split_scene_drops_photos_that_would_flash() -> None:
    spans = split_scene([1, 2, 3, 4], 0.0, 3.2, [(0.0, 0.5), (1.6, 2.0)], 1.5)
    assert [s[0] for s in spans] == [1, 2]
    assert all(b - a >= 1.5 for _, a, b in spans)


def _words(text: str, step: float = 0.3) -> list[WordTiming]:
    out, pos = [], 0
    for i, token in enumerate(text.split()):
        start = text.index(token, pos)
        pos = start + len(token)
        out.append(WordTiming(text=token.strip(".,"), start=i * step, end=i * step + 0.25,
                              char_start=start, char_end=pos))
    return out


def test_captions_follow_word_timings_exactly() -> None:
    text = "It has done 45,000 km, runs on petrol and has a manual gearbox with five gears."
    words = _words(text)
    caps = scene_captions(text, words, 12.5, 1080, 1920)
    flat = [w for c in caps for w in c.words]
    assert [w.start for w in flat] == [pytest.approx(12.5 + w.start) for w in words]
    assert all(len(c.text) <= 30 for c in caps)
    assert " ".join(c.text for c in caps) == text
    assert caps[0].text.endswith("km,")  # breaks at punctuation


def test_chunking_never_loses_words() -> None:
    text = "Supercalifragilisticexpialidocious antidisestablishmentarianism word."
    words = _words(text)
    chunks = chunk_words(text, words, 10)
    assert [w for c in chunks for w in c] == words


def test_fit_duration_drops_trailing_scenes_but_keeps_the_end() -> None:
    from ad2video.contracts import Card, Narration, Scene, SceneAudio, Script
    from ad2video.pipeline import fit_duration

    scenes = [Scene(index=i, topic="side", shots=[i], narration=f"Scene {i}.") for i in range(4)]
    script = Script(listing_id="x", locale="en", writer="template", scenes=scenes,
                    title_card=Card(kind="title", heading="T", duration=2.5),
                    end_card=Card(kind="end", heading="E", duration=2.5))
    audio = [SceneAudio(scene=i, path=f"a{i}.wav", duration=4.0, words=[],
                        timing_method="x") for i in range(4)]
    narration = Narration(engine="espeak", voice="en-us", sample_rate=22050, pause=0.5,
                          scenes=audio)
    warnings: list[str] = []
    s2, n2 = fit_duration(script, narration, 15.0, warnings)
    assert [s.index for s in s2.scenes] == [0, 3]
    assert 5 + sum(a.duration + 0.5 for a in n2.scenes) <= 15.0
    assert warnings == ["dropped 2 scene(s) to fit --max-duration 15"]
    with pytest.raises(UserError, match="shorter than the shortest possible video"):
        fit_duration(script, narration, 6.0, [])
