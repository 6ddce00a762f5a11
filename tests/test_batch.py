"""`ad2video batch`: a real batch of tiny listings through the real CLI, bad items, resume."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from ad2video.batch_inputs import BatchItem, content_key, discover, safe_name
from tests.conftest import car_listing, make_photo, probe, run_cli

SIZE = ["--size", "144x256", "--fps", "10"]


def _summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def _rows(out: Path) -> dict[str, dict]:
    return {r["name"]: r for r in _summary(out)["listings"]}


def _events(out: Path) -> list[dict]:
    lines = (out / ".batch" / "events.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def listings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("batch") / "listings"
    car_listing(root / "car-a", id="car-a")
    car_listing(root / "car-b", id="car-b", title="2020 Fiat Cronos 1.3")
    (root / "not-a-listing").mkdir()
    (root / "not-a-listing" / "notes.txt").write_text("hello", encoding="utf-8")
    (root / "broken").mkdir()
    (root / "broken" / "listing.json").write_text('{"id": "x", "title": ', encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def batch_out(listings: Path) -> tuple[Path, object]:
    out = listings.parent / "out"
    res = run_cli("batch", str(listings), "-o", str(out), *SIZE, "--jobs", "2")
    return out, res


def test_failures_are_recorded_and_the_rest_render(batch_out, ffprobe: str) -> None:
    out, res = batch_out
    assert res.returncode == 3, res.stderr
    assert res.stdout.strip() == str(out.resolve() / "summary.csv")
    rows = _rows(out)
    assert [r["name"] for r in _summary(out)["listings"]] == [
        "broken", "car-a", "car-b", "not-a-listing"]
    assert rows["broken"]["status"] == "failed"
    assert rows["broken"]["reason"].startswith("listing.json is not valid JSON: line 1 column")
    assert rows["not-a-listing"]["reason"].startswith("no listing.json or listing.yaml in ")
    for name in ("car-a", "car-b"):
        row = rows[name]
        assert row["status"] == "ok" and row["listing_id"] == name
        assert row["cost_usd"] == 0.0 and row["render_s"] > 0 and row["duration_s"] > 3
        info = probe(ffprobe, out / name / "video.mp4")
        video = next(s for s in info["streams"] if s["codec_type"] == "video")
        assert (video["codec_name"], video["width"], video["height"]) == ("h264", 144, 256)
        record = json.loads((out / name / "batch.json").read_text(encoding="utf-8"))
        assert record["key"] == row["key"]
        manifest = json.loads((out / name / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["options"]["out_dir"] == str((out / name).resolve())
    assert not (out / "broken").exists() and not (out / "not-a-listing").exists()
    assert list((out / ".batch" / "tmp").iterdir()) == []
    assert "✗ broken: listing.json is not valid JSON" in res.stderr


def test_summary_csv_matches_json(batch_out) -> None:
    out, _ = batch_out
    with (out / "summary.csv").open(encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    rows = _rows(out)
    assert [(r["name"], r["status"]) for r in table] == [
        (n, rows[n]["status"]) for n in ("broken", "car-a", "car-b", "not-a-listing")]
    assert float(table[1]["duration_s"]) == pytest.approx(rows["car-a"]["duration_s"])
    assert _summary(out)["counts"] == {"ok": 2, "cached": 0, "failed": 2, "pending": 0}


def test_rerun_keeps_unchanged_and_redoes_changed(batch_out, listings: Path) -> None:
    out, _ = batch_out
    video_a = (out / "car-a" / "video.mp4").stat().st_mtime_ns
    res = run_cli("batch", str(listings), "-o", str(out), *SIZE, "--jobs", "2")
    assert res.returncode == 3, res.stderr
    assert {n: r["status"] for n, r in _rows(out).items()} == {
        "broken": "failed", "car-a": "cached", "car-b": "cached", "not-a-listing": "failed"}
    assert "= car-a  unchanged, kept" in res.stderr
    # One changed photo: only that listing renders again.
    make_photo(listings / "car-b" / "rear.jpg", (10, 200, 200), seed=9)
    res = run_cli("batch", str(listings), "-o", str(out), *SIZE)
    rows = _rows(out)
    assert (rows["car-a"]["status"], rows["car-b"]["status"]) == ("cached", "ok")
    assert (out / "car-a" / "video.mp4").stat().st_mtime_ns == video_a
    done = [e["name"] for e in _events(out) if e["event"] == "done"]
    assert sorted(done) == ["car-a", "car-b", "car-b"]


def test_jsonl_lines(tmp_path: Path, ffprobe: str) -> None:
    car_listing(tmp_path / "folder-one", id="from-path")
    make_photo(tmp_path / "photos" / "front.jpg", (200, 40, 40), seed=1)
    make_photo(tmp_path / "photos" / "rear.jpg", (40, 70, 200), seed=2)
    obj = {"id": "from object", "domain": "car", "title": "2018 Ford Ka 1.5",
           "attributes": {"make": "Ford", "model": "Ka", "year": 2018},
           "images": [{"file": "photos/front.jpg", "view": "front"}, "photos/rear.jpg"]}
    escape = {**obj, "id": "escape", "images": ["../outside.jpg"]}
    lines = [json.dumps(obj), json.dumps("folder-one"), "{not json", "[1, 2]", "",
             json.dumps(escape)]
    jsonl = tmp_path / "listings.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    res = run_cli("batch", str(jsonl), "-o", str(out), *SIZE, "--music", "none")
    assert res.returncode == 3, res.stderr
    rows = _rows(out)
    assert list(rows) == ["from_object", "folder-one", "line-3", "line-4", "escape"]
    assert rows["from_object"]["status"] == "ok" and rows["folder-one"]["status"] == "ok"
    assert rows["line-3"]["reason"] == "line 3 is not valid JSON: column 2: Expecting " \
        "property name enclosed in double quotes"
    assert rows["line-4"]["reason"] == "line 4: expected a listing object or a path (got a list)"
    assert rows["escape"]["reason"] == "image path leaves the listing folder: ../outside.jpg"
    assert probe(ffprobe, out / "from_object" / "video.mp4")["format"]["duration"]
    manifest = json.loads((out / "from_object" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"]["source"] == "listings.jsonl:1"


@pytest.mark.parametrize(("args", "message"), [
    (["missing-folder"], "error: listings not found: "),
    (["LISTING"], "is one listing, not a folder of listings"),
    (["FILE"], "error: expected a folder of listing folders or a .jsonl file: "),
    (["EMPTY"], "error: no listings in "),
    (["DIR", "--executor", "spark"], "error: unknown executor 'spark' (choose one of: local, "
                                     "ray)"),
    (["DIR", "--jobs", "0"], "error: --jobs must be at least 1 (got 0)"),
    (["DIR", "--size", "big"], "error: --size must look like 1080x1920 (got 'big')"),
])
def test_bad_batch_input(tmp_path: Path, args: list[str], message: str) -> None:
    listing = car_listing(tmp_path / "dir" / "one")
    (tmp_path / "empty").mkdir()
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    where = {"LISTING": listing, "FILE": tmp_path / "file.txt", "EMPTY": tmp_path / "empty",
             "DIR": tmp_path / "dir", "missing-folder": tmp_path / "missing"}
    argv = [str(where.get(a, a)) for a in args]
    res = run_cli("batch", *argv, "-o", str(tmp_path / "out"))
    assert res.returncode == 2, res.stderr
    assert message in res.stderr and "Traceback" not in res.stderr


def test_names_are_safe_and_unique(tmp_path: Path) -> None:
    for name in ("b b", "b_b", "B-B"):
        (tmp_path / name).mkdir()
    assert [i.name for i in discover(tmp_path)] == ["B-B", "b_b", "b_b-2"]
    assert safe_name("../../etc/passwd") == "etc_passwd"
    assert safe_name("***") == "listing"


def test_content_key_follows_bytes_and_options(tmp_path: Path) -> None:
    folder = car_listing(tmp_path / "l")
    item = BatchItem("l", str(folder), source=folder)
    key = content_key(item, {"fps": 10}, "1")
    assert key == content_key(item, {"fps": 10}, "1")
    assert key != content_key(item, {"fps": 12}, "1")
    assert key != content_key(item, {"fps": 10}, "2")
    (folder / ".DS_Store").write_bytes(b"junk")  # hidden files are not inputs
    assert key == content_key(item, {"fps": 10}, "1")
    make_photo(folder / "front.jpg", (1, 2, 3))
    assert key != content_key(item, {"fps": 10}, "1")


def test_batch_folder_inside_the_listings_folder_is_not_a_listing(tmp_path: Path) -> None:
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "listing.json").write_text("[]", encoding="utf-8")
    res = run_cli("batch", str(tmp_path), "-o", str(tmp_path / "out"))
    assert res.returncode == 3, res.stderr
    assert list(_rows(tmp_path / "out")) == ["bad"]
    assert _rows(tmp_path / "out")["bad"]["reason"] == \
        "listing.json: top level must be an object (got a list)"
    res = run_cli("batch", str(tmp_path), "-o", str(tmp_path / "out"))
    assert list(_rows(tmp_path / "out")) == ["bad"]
