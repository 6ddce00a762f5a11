"""`ad2video golden update|check`: a tiny listing's goldens pass, and real changes show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ad2video.golden import PACKAGE_DIR, keyframe_times, normalise
from tests.conftest import car_listing, make_photo, run_cli


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("golden")
    listings = root / "listings"
    car_listing(listings / "car", id="car", language="en")
    store = root / "store"
    res = run_cli("golden", "update", str(listings), "--store", str(store))
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"updated {store / 'car'}"
    return listings, store


def test_update_then_check_passes(golden: tuple[Path, Path]) -> None:
    listings, store = golden
    files = sorted(p.name for p in (store / "car").iterdir())
    assert files == ["golden.json", "script.json", "timeline.json"]
    timeline = (store / "car" / "timeline.json").read_text(encoding="utf-8")
    assert '"path": "<ad2video>/assets/music/calm.m4a"' in timeline
    assert "/tmp" not in timeline and str(Path.home()) not in timeline
    meta = json.loads((store / "car" / "golden.json").read_text(encoding="utf-8"))
    labels = [k["label"] for k in meta["keyframes"]]
    assert labels[0] == "title card" and labels[-1] == "end card" and "scene 0" in labels
    res = run_cli("golden", "check", str(listings), "--store", str(store))
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.splitlines()[0] == "ok    car"


def test_changed_photo_and_fact_are_reported(golden: tuple[Path, Path], tmp_path: Path) -> None:
    _, store = golden
    changed = car_listing(tmp_path / "listings" / "car", id="car", language="en")
    make_photo(changed / "rear.jpg", (250, 250, 250), seed=7)  # another rear photo
    res = run_cli("golden", "check", str(changed.parent), "--store", str(store))
    assert res.returncode == 1
    out = res.stdout
    assert out.splitlines()[0] == "FAIL  car"
    scenes = json.loads((store / "car" / "script.json").read_text())["scenes"]
    rear = next(s["index"] for s in scenes if 2 in s["shots"])  # rear.jpg is image 2
    assert f"keyframe 'scene {rear}' at " in out and "moved: Hamming distance" in out
    assert "keyframe 'title card'" not in out
    # A changed fact: the script differs, shown as a unified diff.
    listing = json.loads((changed / "listing.json").read_text(encoding="utf-8"))
    listing["attributes"]["colour"] = "green"
    (changed / "listing.json").write_text(json.dumps(listing), encoding="utf-8")
    res = run_cli("golden", "check", str(changed.parent), "--store", str(store))
    assert res.returncode == 1
    assert "script.json differs:" in res.stdout
    assert "--- golden/car/script.json" in res.stdout and "+++ rendered/car/script.json" in \
        res.stdout
    lines = [line.strip() for line in res.stdout.splitlines()]
    assert any(line.startswith("-") and "white" in line for line in lines)
    assert any(line.startswith("+") and "green" in line for line in lines)


def test_missing_golden_says_how_to_make_it(golden: tuple[Path, Path], tmp_path: Path) -> None:
    listings, _ = golden
    res = run_cli("golden", "check", str(listings), "--store", str(tmp_path / "none"))
    assert res.returncode == 1
    assert "no golden files in " in res.stdout and "ad2video golden update" in res.stdout


def test_bad_folder() -> None:
    res = run_cli("golden", "check", "no-such-folder")
    assert res.returncode == 2 and "error: listings folder not found: no-such-folder" in res.stderr


def test_normalise_paths(tmp_path: Path) -> None:
    data = {"a": str(PACKAGE_DIR / "assets" / "music" / "calm.m4a"),
            "b": [str(tmp_path / "images" / "000.jpg")], "c": "/home/someone/music.mp3",
            "d": "relative/path.jpg", "e": 3}
    assert normalise(data, tmp_path) == {
        "a": "<ad2video>/assets/music/calm.m4a", "b": ["images/000.jpg"],
        "c": "<abs>/music.mp3", "d": "relative/path.jpg", "e": 3}


def test_keyframe_times() -> None:
    clips = [{"start": 0, "end": 2, "scene": None}, {"start": 2, "end": 5, "scene": 0},
             {"start": 5, "end": 7, "scene": 0}, {"start": 7, "end": 9, "scene": None}]
    assert keyframe_times({"clips": clips}) == [("title card", 1.0), ("scene 0", 4.5),
                                                ("end card", 8.0)]
