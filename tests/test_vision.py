"""Vision: multilingual tagging, quality, near-duplicates and the storyboard, on real files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from ad2video.backends.vision_heuristic import HeuristicVision
from ad2video.contracts import IngestResult, Shots
from ad2video.errors import UserError
from ad2video.stages import ingest, vision
from ad2video.taxonomy import CAR_ORDER, HOME_ORDER, match_angle

REPO = Path(__file__).resolve().parent.parent


def photo(path: Path, seed: int, size: tuple[int, int] = (320, 240)) -> Path:
    """A distinct test photo: random colour blobs (the layout differs by seed), shapes, grain."""
    rng = np.random.default_rng(seed)
    blobs = Image.fromarray(rng.integers(30, 226, (3, 4, 3), dtype=np.uint8))
    img = blobs.resize(size, Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(img)
    for _ in range(3):
        x, y = rng.integers(0, size[0] - 40), rng.integers(0, size[1] - 40)
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        draw.ellipse([x, y, x + size[0] // 5, y + size[1] // 5], fill=colour)
    arr = np.asarray(img, dtype=np.float32) + rng.normal(0, 6, (size[1], size[0], 3))
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).save(path, quality=92)
    return path


def listing(folder: Path, images: list, domain: str = "car") -> Path:
    """A listing whose photos are distinct test photos, one per entry (str or dict)."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = [{"file": i} if isinstance(i, str) else i for i in images]
    for k, entry in enumerate(entries):
        if not (folder / entry["file"]).exists():
            photo(folder / entry["file"], seed=100 + k)
    data = {"id": "v", "title": "T", "domain": domain, "images": entries}
    (folder / "listing.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


def see(tmp_path: Path, images: list, domain: str = "car", **opts) -> tuple[IngestResult, Shots]:
    src = listing(tmp_path / "l", images, domain)
    ing = ingest.run(src, tmp_path / "run", ingest.IngestOptions())
    return ing, vision.run(ing, tmp_path / "run", vision.VisionOptions(**opts))


@pytest.mark.parametrize(("text", "domain", "angle"), [
    ("interior.jpg", "car", "interior"),          # en / es / pt
    ("motor.jpg", "car", "engine"),               # es / pt
    ("avant.jpg", "car", "front"),                # fr
    ("traseira.jpg", "car", "rear"),              # pt
    ("Vue_arrière_3-4.JPG", "car", "rear_3_4"),   # fr, accents and case
    ("frente 3/4", "car", "front_3_4"),
    ("rear34.jpg", "car", "rear_3_4"),
    ("three-quarter front", "car", "front_3_4"),
    ("lateral delantera", "car", "front_3_4"),    # front + side is a three-quarter
    ("perfil_izquierdo.jpg", "car", "side"),
    ("Baúl-abierto.jpg", "car", "trunk"),
    ("porta-malas.jpg", "car", "trunk"),
    ("coffre.jpg", "car", "trunk"),
    ("tableau de bord", "car", "dashboard"),
    ("steering wheel", "car", "dashboard"),       # the phrase beats "wheel"
    ("painel_odometro.jpg", "car", "dashboard"),
    ("asientos traseros", "car", "rear_seats"),   # the phrase beats "rear"
    ("bancos.jpg", "car", "interior"),
    ("llantas.jpg", "car", "wheel"),              # plural
    ("pneu.jpg", "car", "wheel"),
    ("IMG_2034.jpg", "car", None),                # digits are not a three-quarter
    ("foto 34.jpg", "car", None),
    ("cozinha.jpg", "real_estate", "kitchen"),
    ("Baño principal", "real_estate", "bathroom"),
    ("salle_de_bain.jpg", "real_estate", "bathroom"),
    ("chambre.jpg", "real_estate", "bedroom"),
    ("habitaciones", "real_estate", "bedroom"),
    ("sala de jantar", "real_estate", "dining"),  # not living
    ("sala.jpg", "real_estate", "living"),
    ("fachada.jpg", "real_estate", "exterior"),
    ("frente.jpg", "real_estate", "exterior"),    # "frente" is the facade of a house
    ("jardim.jpg", "real_estate", "garden"),
    ("floor plan", "real_estate", "floor_plan"),
    ("motor.jpg", "real_estate", None),
])
def test_keywords(text: str, domain: str, angle: str | None) -> None:
    assert match_angle(text, domain) == angle


def test_tag_sources_and_confidence(tmp_path: Path) -> None:
    _, shots = see(tmp_path, [
        "IMG_0001.jpg",
        {"file": "a.jpg", "view": "traseira"},
        {"file": "b.jpg", "caption": "Vue de l'intérieur"},
        "motor.jpg",
        {"file": "c.jpg", "caption": "nice", "view": "not an angle"},
        {"file": "lateral.jpg", "view": "rear", "caption": "frente"},
    ])
    got = [(s.angle, s.source, s.confidence) for s in shots.shots]
    assert got == [
        ("front_3_4", "order", 0.3),  # a car listing opens with its hero shot
        ("rear", "hint", 0.95),
        ("interior", "caption", 0.8),
        ("engine", "filename", 0.7),
        ("unknown", "none", 0.0),
        ("rear", "hint", 0.95),  # the hint wins over caption and file name
    ]
    assert all(s.subject is None and s.quality is not None for s in shots.shots)


def test_no_order_guess_when_the_hero_is_named(tmp_path: Path) -> None:
    _, shots = see(tmp_path, ["IMG_1.jpg", {"file": "x.jpg", "view": "front 3/4"}])
    assert [(s.angle, s.source) for s in shots.shots] == [
        ("unknown", "none"), ("front_3_4", "hint")
    ]


def test_reencoded_copy_is_a_near_duplicate(tmp_path: Path) -> None:
    folder = tmp_path / "l"
    photo(folder / "a.jpg", seed=1, size=(640, 480))
    Image.open(folder / "a.jpg").save(folder / "copy.jpg", quality=35)
    Image.open(folder / "a.jpg").resize((320, 240)).save(folder / "small.jpg", quality=80)
    _, shots = see(tmp_path, ["small.jpg", "other.jpg", "a.jpg", "copy.jpg"])
    # small.jpg came first, but the full-size a.jpg is clearly better: it is kept instead.
    assert [s.duplicate_of for s in shots.shots] == [2, None, None, 2]
    assert [(d.image, d.reason) for d in shots.dropped] == [
        (0, "near-duplicate of image 2"), (3, "near-duplicate of image 2")
    ]
    assert sorted(shots.storyboard) == [1, 2]


def test_car_storyboard_order(tmp_path: Path) -> None:
    names = ["llanta.jpg", "IMG_7.jpg", "interior.jpg", "trasera.jpg", "lateral.jpg",
             "motor.jpg", "IMG_3.jpg", "frente_3-4.jpg", "tablero.jpg", "baul.jpg"]
    ing, shots = see(tmp_path, names)
    angles = {s.image: s.angle for s in shots.shots}
    story = [(ing.images[i].source, angles[i]) for i in shots.storyboard]
    assert story == [
        ("frente_3-4.jpg", "front_3_4"), ("lateral.jpg", "side"), ("trasera.jpg", "rear"),
        ("interior.jpg", "interior"), ("tablero.jpg", "dashboard"), ("baul.jpg", "trunk"),
        ("motor.jpg", "engine"), ("llanta.jpg", "wheel"),
        ("IMG_7.jpg", "unknown"), ("IMG_3.jpg", "unknown"),  # untagged: listing order, last
    ]
    assert shots.dropped == []


def test_home_storyboard_order(tmp_path: Path) -> None:
    names = ["banheiro.jpg", "quarto.jpg", "cozinha.jpg", "sala.jpg", "fachada.jpg",
             "planta.jpg", "comedor.jpg"]
    ing, shots = see(tmp_path, names, domain="real_estate")
    assert [ing.images[i].source for i in shots.storyboard] == [
        "fachada.jpg", "sala.jpg", "cozinha.jpg", "comedor.jpg", "quarto.jpg", "banheiro.jpg",
        "planta.jpg",
    ]


def test_best_photo_of_an_angle_first_and_max_shots(tmp_path: Path) -> None:
    folder = tmp_path / "l"
    sharp = photo(folder / "interior_2.jpg", seed=12)
    photo(folder / "interior_1.jpg", seed=11)
    soft = Image.open(folder / "interior_1.jpg").filter(ImageFilter.GaussianBlur(1.5))
    soft.save(folder / "interior_1.jpg")
    assert sharp.exists()
    names = ["interior_1.jpg", "interior_2.jpg", "lateral.jpg", "IMG_9.jpg", "rueda.jpg"]
    ing, shots = see(tmp_path, names, min_sharpness=0.0)
    assert [ing.images[i].source for i in shots.storyboard] == [
        "lateral.jpg", "interior_2.jpg", "interior_1.jpg", "rueda.jpg", "IMG_9.jpg"
    ]
    few = vision.run(ing, tmp_path / "run", vision.VisionOptions(max_shots=4, min_sharpness=0))
    # The best photo of each angle first, then untagged photos, then second-best photos.
    assert few.storyboard == [2, 1, 4, 3]
    assert [(d.image, d.reason) for d in few.dropped] == [(0, "not needed")]


def test_blurry_and_dark_photos_are_dropped_only_when_enough_remain(tmp_path: Path) -> None:
    folder = tmp_path / "l"
    Image.new("RGB", (320, 240), (128, 128, 128)).save(folder.parent / "flat.jpg")
    folder.mkdir(parents=True)
    (folder / "flat.jpg").write_bytes((folder.parent / "flat.jpg").read_bytes())
    night = np.random.default_rng(5).integers(0, 20, (240, 320, 3), dtype=np.uint8)
    Image.fromarray(night).save(folder / "night.png")  # grainy, so sharp, but far too dark
    names = ["a.jpg", "b.jpg", "c.jpg", "flat.jpg", "night.png"]
    _, shots = see(tmp_path, names, min_sharpness=15.0)
    assert [(d.image, d.reason) for d in shots.dropped] == [
        (3, "too blurry (sharpness 0.0)"), (4, "too dark (exposure 0.04)")
    ]
    _, kept = see(tmp_path / "few", ["a.jpg", "flat.jpg"])
    assert kept.dropped == [] and sorted(kept.storyboard) == [0, 1]


def test_quality_measures(tmp_path: Path) -> None:
    folder = tmp_path / "l"
    sharp = photo(folder / "sharp.jpg", seed=3, size=(640, 480))
    Image.open(sharp).filter(ImageFilter.GaussianBlur(4)).save(folder / "soft.jpg", quality=92)
    Image.new("RGB", (640, 480), (10, 10, 10)).save(folder / "dark.jpg")
    _, shots = see(tmp_path, ["sharp.jpg", "soft.jpg", "dark.jpg"], min_keep=99)
    q = [s.quality for s in shots.shots]
    assert q[0].sharpness > 10 * q[1].sharpness
    assert q[2].exposure < 0.06 < q[0].exposure
    assert q[0].megapixels == pytest.approx(0.307, abs=0.001)


def test_unknown_backend(tmp_path: Path) -> None:
    src = listing(tmp_path / "l", ["a.jpg"])
    ing = ingest.run(src, tmp_path / "run", ingest.IngestOptions())
    with pytest.raises(UserError) as err:
        vision.run(ing, tmp_path / "run", vision.VisionOptions(backend="clip+sam"))
    assert str(err.value) == ("unknown vision backend 'clip+sam' "
                              "(known: auto, clip, heuristic, yolo, clip+yolo)")


def test_backend_shape() -> None:
    assert HeuristicVision.name == "heuristic"
    assert set(vision.BACKENDS) == {"heuristic", "clip", "yolo"}


@pytest.mark.parametrize(("name", "order"), [("car-hatchback", CAR_ORDER),
                                             ("home-apartment", HOME_ORDER)])
def test_examples_are_fully_tagged(tmp_path: Path, name: str, order: tuple[str, ...]) -> None:
    ing = ingest.run(REPO / "examples" / name, tmp_path, ingest.IngestOptions())
    shots = vision.run(ing, tmp_path, vision.VisionOptions())
    assert ing.skipped == [] and shots.dropped == []
    assert all(s.angle in order and s.source != "order" for s in shots.shots), shots.shots
    assert len({s.angle for s in shots.shots}) == len(shots.shots)  # one photo per angle
    ranks = [order.index(shots.shots[i].angle) for i in shots.storyboard]
    assert ranks == sorted(ranks) and len(ranks) == len(ing.images)
    for image in ing.images:
        assert image.width == 1600 and image.height == 1200
