"""Bad input through the real CLI: one exact line on stderr, exit code 2, nothing half-written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import car_listing, make_photo, run_cli


def _edit(folder: Path, change) -> Path:
    data = json.loads((folder / "listing.json").read_text(encoding="utf-8"))
    change(data)
    (folder / "listing.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


def _assert_one_line_error(res, expected: str, out: Path | None = None) -> None:
    assert res.returncode == 2, (res.returncode, res.stderr)
    assert res.stderr.strip() == f"error: {expected}"
    assert "Traceback" not in res.stderr + res.stdout
    if out is not None:
        assert not (out / "video.mp4").exists()
        assert not list(out.rglob("*.part*")), "half-written files left behind"


def test_missing_required_field(tmp_path: Path) -> None:
    listing = _edit(car_listing(tmp_path / "l"), lambda d: d.pop("title"))
    out = tmp_path / "out"
    res = run_cli("render", str(listing), "-o", str(out))
    _assert_one_line_error(res, "listing.json: missing required field 'title'", out)


def test_wrong_typed_field(tmp_path: Path) -> None:
    listing = _edit(car_listing(tmp_path / "l"), lambda d: d["attributes"].update(year="abc"))
    res = run_cli("render", str(listing), "-o", str(tmp_path / "out"))
    _assert_one_line_error(
        res, "listing.json: field 'attributes.year' must be an integer (got 'abc')")


def test_image_path_leaving_the_folder_is_refused(tmp_path: Path) -> None:
    make_photo(tmp_path / "secret.jpg", (10, 10, 10))
    listing = car_listing(tmp_path / "l", images=[{"file": "../secret.jpg"}])
    out = tmp_path / "out"
    res = run_cli("render", str(listing), "-o", str(out))
    _assert_one_line_error(res, "image path leaves the listing folder: ../secret.jpg", out)


def test_no_usable_image(tmp_path: Path) -> None:
    folder = tmp_path / "l"
    folder.mkdir()
    (folder / "photo.jpg").write_text("this is not a photo", encoding="utf-8")
    car_listing(folder, images=[{"file": "photo.jpg"}])
    out = tmp_path / "out"
    res = run_cli("render", str(folder), "-o", str(out))
    _assert_one_line_error(
        res, "no usable image in the listing (1 skipped: photo.jpg: not an image "
        "(unrecognised format))", out)


def test_unwritable_output_folder(tmp_path: Path) -> None:
    listing = car_listing(tmp_path / "l")
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    res = run_cli("render", str(listing), "-o", str(blocker / "run"))
    _assert_one_line_error(res, f"cannot write to output folder {blocker / 'run'}: "
                                "Not a directory")


@pytest.mark.parametrize(("flag", "value", "message"), [
    ("--locale", "fr", "unknown locale 'fr' (choose one of: en, es, es-AR, pt-BR)"),
    ("--format", "portrait",
     "unknown format 'portrait' (choose one of: vertical, horizontal, square)"),
    ("--size", "big", "--size must look like 1080x1920 (got 'big')"),
    ("--music", "nope.mp3", "music file not found: nope.mp3 (use a file path, one of: calm, "
                            "upbeat, or none)"),
])
def test_unknown_option_values(tmp_path: Path, flag: str, value: str, message: str) -> None:
    listing = car_listing(tmp_path / "l")
    out = tmp_path / "out"
    res = run_cli("render", str(listing), "-o", str(out), flag, value)
    _assert_one_line_error(res, message, out)


def test_missing_listing_folder(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    res = run_cli("render", str(missing), "-o", str(tmp_path / "out"))
    _assert_one_line_error(res, f"listing folder not found: {missing}")


def test_bare_folder_needs_a_title(tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    make_photo(folder / "a.jpg", (200, 10, 10))
    res = run_cli("render", str(folder), "-o", str(tmp_path / "out"))
    _assert_one_line_error(
        res, f"no listing.json or listing.yaml in {folder} (for a bare folder of photos, "
        "pass --title)")


def test_cli_usage_errors_are_one_line() -> None:
    res = run_cli("render", "x", "--fps", "abc")
    assert res.returncode == 2
    assert len(res.stderr.strip().splitlines()) == 1
    assert res.stderr.startswith("error: Invalid value for '--fps'")


def test_corrupt_image_among_good_ones_is_skipped_and_named(tmp_path: Path) -> None:
    folder = tmp_path / "l"
    images = [{"file": "front.jpg", "view": "front_3_4"}, {"file": "broken.jpg"},
              {"file": "rear.jpg", "view": "rear"}]
    make_photo(folder / "front.jpg", (200, 40, 40))
    make_photo(folder / "rear.jpg", (40, 40, 200), seed=2)
    good = (folder / "rear.jpg").read_bytes()
    (folder / "broken.jpg").write_bytes(good[: len(good) // 3])
    car_listing(folder, images=images)
    out = tmp_path / "out"
    res = run_cli("render", str(folder), "-o", str(out), "--size", "144x256", "--music", "none")
    assert res.returncode == 0, res.stderr
    assert "warning: image skipped: broken.jpg: corrupt or truncated image" in res.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["skipped_images"] == [
        {"source": "broken.jpg", "reason": "corrupt or truncated image"}]
    assert (out / "video.mp4").is_file()


def test_schema_command_prints_the_listing_schema() -> None:
    res = run_cli("schema")
    assert res.returncode == 0
    schema = json.loads(res.stdout)
    assert {"id", "title", "domain", "images", "attributes", "price"} <= set(schema["properties"])
