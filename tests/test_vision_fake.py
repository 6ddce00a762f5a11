"""The vision stage's combining, threshold, dedupe, auto choice and storyboard, driven by a
queue-driven fake model backend (registered per test, like simonw/llm's FakeLLM)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from ad2video.contracts import Box, Domain, PreparedImage, Shot, Shots
from ad2video.errors import UserError
from ad2video.stages import ingest, vision
from tests.test_vision import listing

Opinion = dict[str, tuple[str, float]]  # file name -> (angle, confidence)


@dataclass
class FakeVision:
    """Answers each tag() call with the next enqueued opinion; records every call."""

    name: str = "fake"
    queue: list[tuple[Opinion, dict[str, Box], dict[str, list[float]]]] = field(
        default_factory=list)
    history: list[tuple[list[str], str]] = field(default_factory=list)
    embeddings: dict[int, np.ndarray] = field(default_factory=dict)
    fail: str | None = None  # load() raises this, like a backend without weights

    def enqueue(self, tags: Opinion, subjects: dict[str, Box] | None = None,
                vectors: dict[str, list[float]] | None = None) -> None:
        self.queue.append((tags, subjects or {}, vectors or {}))

    def load(self) -> None:
        if self.fail:
            raise UserError(self.fail)

    def tag(self, images: list[PreparedImage], domain: Domain | str, run_dir: Path) -> list[Shot]:
        self.history.append(([img.source for img in images], str(domain)))
        tags, subjects, vectors = self.queue.pop(0)
        self.embeddings = {}
        for img in images:
            if img.source in vectors:
                v = np.asarray(vectors[img.source], dtype=np.float32)
                self.embeddings[img.index] = v / np.linalg.norm(v)
        return [
            Shot(image=img.index, angle=tags.get(img.source, ("unknown", 0.0))[0],
                 confidence=tags.get(img.source, ("unknown", 0.0))[1], source=self.name,
                 subject=subjects.get(img.source))
            for img in images
        ]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeVision]:
    backend = FakeVision()
    monkeypatch.setitem(vision.BACKENDS, "fake", lambda _options: backend)
    yield backend
    assert backend.queue == [], "every enqueued answer is used"


def see(tmp_path: Path, images: list, domain: str = "car", **opts) -> tuple[list[str], Shots]:
    src = listing(tmp_path / "l", images, domain)
    ing = ingest.run(src, tmp_path / "run", ingest.IngestOptions())
    shots = vision.run(ing, tmp_path / "run", vision.VisionOptions(**opts))
    return [img.source for img in ing.images], shots


def test_threshold_turns_low_confidence_into_unknown(tmp_path: Path, fake: FakeVision) -> None:
    names = ["IMG_1.jpg", "IMG_2.jpg", "IMG_3.jpg"]
    answer = {"IMG_1.jpg": ("side", 0.9), "IMG_2.jpg": ("engine", 0.29),
              "IMG_3.jpg": ("trunk", 0.3)}
    fake.enqueue(answer)
    _, shots = see(tmp_path, names, backend="fake", threshold=0.3)
    assert [(s.angle, s.confidence, s.source) for s in shots.shots] == [
        ("side", 0.9, "fake"), ("unknown", 0.29, "fake"), ("trunk", 0.3, "fake")
    ]
    assert shots.backend == "fake" and shots.backend_reason == "--vision fake"
    assert fake.history == [(names, "car")]
    fake.enqueue(answer)
    _, lenient = see(tmp_path / "b", names, backend="fake", threshold=0.1)
    assert [s.angle for s in lenient.shots] == ["side", "engine", "trunk"]


def test_listing_hints_win_and_agreement_raises_confidence(tmp_path: Path,
                                                           fake: FakeVision) -> None:
    fake.enqueue({"a.jpg": ("front", 0.99), "motor.jpg": ("engine", 0.97),
                  "c.jpg": ("wheel", 0.99)})
    _, shots = see(tmp_path, [{"file": "a.jpg", "view": "trasera"}, "motor.jpg",
                              {"file": "c.jpg", "caption": "el baúl"}], backend="fake")
    assert [(s.angle, s.confidence, s.source) for s in shots.shots] == [
        ("rear", 0.95, "hint"),  # the seller said rear: the model does not overrule that
        ("engine", 0.97, "filename"),  # the model agrees: more confident, still the name's tag
        ("trunk", 0.8, "caption"),
    ]


def test_first_photo_hero_guess_gives_way_to_a_model_hero(tmp_path: Path,
                                                          fake: FakeVision) -> None:
    names = ["IMG_1.jpg", "IMG_2.jpg"]
    fake.enqueue({"IMG_1.jpg": ("interior", 0.1)})
    _, unsure = see(tmp_path, names, backend="fake")
    assert [(s.angle, s.source) for s in unsure.shots] == [("front_3_4", "order"),
                                                           ("unknown", "fake")]
    fake.enqueue({"IMG_2.jpg": ("front_3_4", 0.8)})
    _, found = see(tmp_path / "b", names, backend="fake")
    assert [(s.angle, s.source) for s in found.shots] == [("unknown", "none"),
                                                          ("front_3_4", "fake")]
    assert found.storyboard == [1, 0]


def test_subject_box_and_embedding_duplicates(tmp_path: Path, fake: FakeVision) -> None:
    box = Box(x=0.1, y=0.2, w=0.5, h=0.6)
    same = [1.0, 0.0, 0.0]
    fake.enqueue({"lateral.jpg": ("side", 0.9)}, subjects={"lateral.jpg": box},
                 vectors={"lateral.jpg": same, "IMG_2.jpg": [0.99, 0.1, 0.0],
                          "IMG_3.jpg": [0.0, 1.0, 0.0]})
    _, shots = see(tmp_path, ["lateral.jpg", "IMG_2.jpg", "IMG_3.jpg"], backend="fake",
                   duplicate_similarity=0.97)
    assert shots.shots[0].subject == box and shots.shots[1].subject is None
    # The two alike photos are one shot: the better one (an earlier one on a tie) is kept.
    first, second = (vision.quality_score(s.quality) for s in shots.shots[:2])
    keep, drop = (1, 0) if second > first else (0, 1)
    assert [s.duplicate_of for s in shots.shots] == [keep if i == drop else None for i in range(3)]
    assert [(d.image, d.reason) for d in shots.dropped] == [
        (drop, f"near-duplicate of image {keep}")
    ]
    assert len(shots.storyboard) == 2


def test_embedding_duplicate_keeps_the_better_photo(tmp_path: Path, fake: FakeVision) -> None:
    from PIL import Image, ImageFilter

    from tests.test_vision import photo

    folder = tmp_path / "l"
    photo(folder / "IMG_1.jpg", seed=7, size=(640, 480))
    Image.open(folder / "IMG_1.jpg").filter(ImageFilter.GaussianBlur(3)).save(folder / "soft.jpg")
    photo(folder / "IMG_1.jpg", seed=8, size=(640, 480))  # a different, sharp photo
    v = [0.0, 0.0, 1.0]
    fake.enqueue({}, vectors={"soft.jpg": v, "IMG_1.jpg": v})
    _, shots = see(tmp_path, ["soft.jpg", "IMG_1.jpg", "IMG_5.jpg"], backend="fake",
                   min_sharpness=0.0)
    assert [s.duplicate_of for s in shots.shots] == [1, None, None]
    assert [(d.image, d.reason) for d in shots.dropped] == [(0, "near-duplicate of image 1")]


def test_model_tags_drive_the_storyboard_with_gaps(tmp_path: Path, fake: FakeVision) -> None:
    names = [f"IMG_{k}.jpg" for k in range(6)]
    fake.enqueue({"IMG_0.jpg": ("engine", 0.8), "IMG_1.jpg": ("interior", 0.7),
                  "IMG_2.jpg": ("side", 0.9), "IMG_3.jpg": ("front_3_4", 0.6),
                  "IMG_4.jpg": ("wheel", 0.5), "IMG_5.jpg": ("trunk", 0.2)})
    order, shots = see(tmp_path, names, backend="fake")
    # No rear or dashboard photos: those places are simply skipped; the unsure one goes last.
    assert [order[i] for i in shots.storyboard] == [
        "IMG_3.jpg", "IMG_2.jpg", "IMG_1.jpg", "IMG_0.jpg", "IMG_4.jpg", "IMG_5.jpg"
    ]


def test_home_storyboard_from_model_tags(tmp_path: Path, fake: FakeVision) -> None:
    names = ["a.jpg", "b.jpg", "c.jpg", "d.jpg"]
    fake.enqueue({"a.jpg": ("bathroom", 0.9), "b.jpg": ("exterior", 0.9),
                  "c.jpg": ("engine", 0.9), "d.jpg": ("kitchen", 0.9)})
    order, shots = see(tmp_path, names, domain="real_estate", backend="fake")
    assert fake.history[0][1] == "real_estate"
    # 'engine' is no home tag: it is kept but placed with the untagged photos.
    assert [order[i] for i in shots.storyboard] == ["b.jpg", "d.jpg", "a.jpg", "c.jpg"]


def test_auto_falls_back_to_heuristic_with_the_reason(tmp_path: Path, fake: FakeVision,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vision, "AUTO", ("fake",))
    fake.fail = "fake weights not found"
    _, shots = see(tmp_path, ["motor.jpg"], backend="auto")
    assert shots.backend == "heuristic"
    assert shots.backend_reason == "auto chose heuristic; fake skipped: fake weights not found"
    assert fake.history == []
    fake.fail = None
    fake.enqueue({"motor.jpg": ("wheel", 0.9)})
    _, ran = see(tmp_path / "b", ["motor.jpg"], backend="auto")
    assert (ran.backend, ran.backend_reason) == ("fake", "auto chose fake")
    assert [(s.angle, s.source) for s in ran.shots] == [("engine", "filename")]


def test_explicit_backend_that_cannot_load_is_an_error(tmp_path: Path, fake: FakeVision) -> None:
    fake.fail = "fake weights not found"
    with pytest.raises(UserError) as err:
        see(tmp_path, ["a.jpg"], backend="fake")
    assert str(err.value) == "fake weights not found"


def test_threshold_option_is_checked() -> None:
    with pytest.raises(UserError) as err:
        vision.VisionOptions(threshold=1.5)
    assert str(err.value) == "vision threshold must be between 0 and 1 (got 1.5)"


def test_every_tag_has_a_prompt_ensemble() -> None:
    from ad2video.vision_prompts import check_prompts, prompts

    assert check_prompts() == []
    car = prompts("car")
    assert list(car)[:3] == ["front_3_4", "front", "side"]
    assert all(len(texts) >= 4 for texts in car.values())  # descriptions x templates


def test_vision_eval_scores_labelled_listings(capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util
    import sys

    repo = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("vision_eval", repo / "benchmarks" /
                                                  "vision_eval.py")
    assert spec is not None and spec.loader is not None
    vision_eval = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "vision_eval", vision_eval)  # dataclasses look it up
    spec.loader.exec_module(vision_eval)
    examples = repo / "examples"
    assert vision_eval.main([str(examples), "--vision", "heuristic", "--no-blind"]) == 0
    out = capsys.readouterr().out
    assert "2 listings, 13 images, 4 labelled" in out
    assert "front_3_4         1.00    1.00    1" in out
    assert "storyboard order accuracy: 0.67 (2/3 labelled pairs)" in out
    assert "images/s" in out
    assert vision_eval.main([str(examples), "--vision", "sam"]) == 2
