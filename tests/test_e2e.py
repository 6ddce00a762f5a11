"""End to end: a tiny real listing through the real CLI, checked with ffprobe and decoded frames."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import car_listing, decode_frame, probe, run_cli

W, H = 216, 384


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("e2e")
    listing = car_listing(root / "listing")
    out = root / "run"
    res = run_cli("render", str(listing), "-o", str(out), "--size", f"{W}x{H}", "--locale", "en")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().endswith("video.mp4")
    return out


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_run_folder_holds_every_output(rendered: Path) -> None:
    for name in ("video.mp4", "captions.srt", "captions.vtt", "poster.jpg", "manifest.json",
                 "script.json", "timeline.json", "narration.json", "shots.json", "ingest.json"):
        assert (rendered / name).is_file(), name
    assert not list(rendered.glob(".*part*")), "temporary files left behind"
    assert (rendered / "captions.vtt").read_text(encoding="utf-8").startswith("WEBVTT")


def test_streams_codecs_size(rendered: Path, ffprobe: str) -> None:
    info = probe(ffprobe, rendered / "video.mp4")
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert (video["codec_name"], video["pix_fmt"]) == ("h264", "yuv420p")
    assert (video["width"], video["height"]) == (W, H)
    assert audio["codec_name"] == "aac"
    head = (rendered / "video.mp4").read_bytes()[:4096]
    assert head.find(b"moov") != -1 and head.find(b"moov") < max(head.find(b"mdat"), 4096)


def test_duration_is_narration_plus_cards(rendered: Path, ffprobe: str) -> None:
    script = _json(rendered / "script.json")
    narration = _json(rendered / "narration.json")
    speech = sum(s["duration"] + narration["pause"] for s in narration["scenes"])
    expected = speech + script["title_card"]["duration"] + script["end_card"]["duration"]
    duration = float(probe(ffprobe, rendered / "video.mp4")["format"]["duration"])
    assert abs(duration - expected) <= 0.1, (duration, expected)


def _crop_at(img: Image.Image, rect: dict) -> np.ndarray:
    box = (rect["x"], rect["y"], rect["x"] + rect["w"], rect["y"] + rect["h"])
    return np.asarray(img.resize((W, H), Image.BILINEAR, box=box), dtype=np.float32)


def _mid_rect(motion: dict) -> dict:
    a, b = motion["start"], motion["end"]
    return {k: (a[k] + b[k]) / 2 for k in ("x", "y", "w", "h")}


def test_each_scene_midpoint_shows_its_photo(rendered: Path) -> None:
    timeline = _json(rendered / "timeline.json")
    photos = [c for c in timeline["clips"] if c["kind"] == "photo"]
    sources = {c["image"]: Image.open(rendered / c["image"]).convert("RGB") for c in photos}
    top = slice(0, int(H * 0.55))  # captions live in the lower part of the frame
    for clip in photos:
        frame = decode_frame(rendered / "video.mp4", (clip["start"] + clip["end"]) / 2, W, H)
        frame = frame.astype(np.float32)[top]
        errors = {}
        for name, img in sources.items():
            rect = _mid_rect(clip["motion"]) if name == clip["image"] else {
                "x": 0, "y": 0, "w": img.width, "h": img.height}
            errors[name] = float(np.abs(frame - _crop_at(img, rect)[top]).mean())
        own = errors.pop(clip["image"])
        assert own < 20, (clip["image"], own)
        assert own < 0.5 * min(errors.values()), (clip["image"], own, errors)


def test_manifest_records_versions_backends_hashes_timings(rendered: Path) -> None:
    manifest = _json(rendered / "manifest.json")
    assert manifest["tool_version"]
    assert set(manifest["backends"]) >= {"vision", "script", "narrate", "render"}
    assert {s["name"] for s in manifest["stages"]} == {
        "ingest", "vision", "script", "narrate", "timeline", "render"}
    assert all(s["wall_s"] >= 0 for s in manifest["stages"])
    assert "front.jpg" in manifest["inputs"] and len(manifest["inputs"]["front.jpg"]) == 64
    assert manifest["options"]["locale"] == "en"
    assert "12500" not in (rendered / "script.json").read_text(encoding="utf-8")


def test_same_inputs_give_same_script_and_timeline(rendered: Path, tmp_path: Path) -> None:
    listing = car_listing(tmp_path / "listing")
    out = tmp_path / "again"
    res = run_cli("render", str(listing), "-o", str(out), "--size", f"{W}x{H}", "--locale", "en")
    assert res.returncode == 0, res.stderr
    for name in ("script.json", "timeline.json"):
        first = _json(rendered / name)
        second = _json(out / name)
        assert _strip_paths(first) == _strip_paths(second), name


def _strip_paths(data: object) -> object:
    """Timelines hold run-folder-relative paths only; music is an absolute bundled path."""
    return json.loads(json.dumps(data))


@pytest.mark.parametrize(("fmt", "size"), [("vertical", (1080, 1920)),
                                           ("horizontal", (1920, 1080)),
                                           ("square", (1080, 1080))])
def test_every_format_renders_at_full_size(fmt: str, size: tuple[int, int], tmp_path: Path,
                                           ffprobe: str) -> None:
    listing = car_listing(tmp_path / "listing")
    out = tmp_path / fmt
    res = run_cli("render", str(listing), "-o", str(out), "--format", fmt, "--fps", "10",
                  "--max-duration", "12", "--preset", "ultrafast", "--music", "none",
                  "--locale", "en")
    assert res.returncode == 0, res.stderr
    video = next(s for s in probe(ffprobe, out / "video.mp4")["streams"]
                 if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == size
