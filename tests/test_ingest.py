"""Ingest: real files of every awkward kind, and every error message word for word."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ad2video.errors import UserError
from ad2video.listing_io import load_listing
from ad2video.stages import ingest
from ad2video.stages.ingest import BACKGROUND, IngestOptions
from tests.conftest import make_photo

OPTS = IngestOptions()


def write_listing(folder: Path, images: list, **fields) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = {"id": "t1", "title": "A thing", **fields, "images": images}
    (folder / "listing.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


def run_one(tmp_path: Path, name: str, **opts) -> Image.Image:
    """Ingest a listing of the single photo `name` (already in tmp_path/l) and open the copy."""
    write_listing(tmp_path / "l", [name])
    result = ingest.run(tmp_path / "l", tmp_path / "run", IngestOptions(**opts))
    assert not result.skipped, result.skipped
    copy = Image.open(tmp_path / "run" / result.images[0].path)
    assert (copy.format, copy.mode) == ("JPEG", "RGB")
    assert copy.size == (result.images[0].width, result.images[0].height)
    return copy


def pixel(img: Image.Image, x: float, y: float) -> tuple[int, ...]:
    return img.getpixel((int(x * (img.width - 1)), int(y * (img.height - 1))))


def near(actual: tuple[int, ...], expected: tuple[int, ...], tol: int = 12) -> bool:
    return all(abs(a - e) <= tol for a, e in zip(actual, expected, strict=True))


# --------------------------------------------------------------------------- decoding


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    img = Image.new("RGB", (200, 100), (220, 30, 30))
    img.paste((30, 30, 220), (100, 0, 200, 100))  # left red, right blue as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # display rotated 90 degrees clockwise: the stored left edge goes on top
    (tmp_path / "l").mkdir()
    img.save(tmp_path / "l" / "rot.jpg", exif=exif.tobytes(), quality=95)
    copy = run_one(tmp_path, "rot.jpg")
    assert copy.size == (100, 200)
    assert near(pixel(copy, 0.5, 0.1), (220, 30, 30), 25)
    assert near(pixel(copy, 0.5, 0.9), (30, 30, 220), 25)
    assert copy.getexif().get(0x0112) is None  # no orientation left for viewers to apply again


def test_cmyk_jpeg_becomes_rgb(tmp_path: Path) -> None:
    (tmp_path / "l").mkdir()
    Image.new("CMYK", (120, 90), (0, 255, 255, 0)).save(tmp_path / "l" / "cmyk.jpg")
    assert Image.open(tmp_path / "l" / "cmyk.jpg").mode == "CMYK"
    r, g, b = pixel(run_one(tmp_path, "cmyk.jpg"), 0.5, 0.5)
    assert r > 200 and g < 60 and b < 60


def test_rgba_png_is_composited_on_neutral_background(tmp_path: Path) -> None:
    img = Image.new("RGBA", (160, 100), (0, 0, 0, 0))
    img.paste((20, 160, 40, 255), (80, 0, 160, 100))
    (tmp_path / "l").mkdir()
    img.save(tmp_path / "l" / "cut.png")
    copy = run_one(tmp_path, "cut.png")
    assert near(pixel(copy, 0.2, 0.5), BACKGROUND, 4)
    assert near(pixel(copy, 0.8, 0.5), (20, 160, 40), 8)


def test_16_bit_png_is_scaled_not_clipped(tmp_path: Path) -> None:
    arr = np.full((100, 100), 40000, dtype=np.uint16)
    arr[:, 50:] = 10000
    (tmp_path / "l").mkdir()
    Image.fromarray(arr).save(tmp_path / "l" / "deep.png")
    assert Image.open(tmp_path / "l" / "deep.png").mode == "I;16"
    copy = run_one(tmp_path, "deep.png")
    assert near(pixel(copy, 0.2, 0.5), (156, 156, 156), 3)  # 40000 / 257
    assert near(pixel(copy, 0.8, 0.5), (39, 39, 39), 3)


def test_palette_gif(tmp_path: Path) -> None:
    (tmp_path / "l").mkdir()
    img = Image.new("P", (100, 80), 1)
    img.putpalette([0, 0, 0, 30, 90, 200] + [0] * 762)
    img.save(tmp_path / "l" / "pal.gif")
    assert Image.open(tmp_path / "l" / "pal.gif").mode == "P"
    assert near(pixel(run_one(tmp_path, "pal.gif"), 0.5, 0.5), (30, 90, 200), 10)


def test_animated_gif_takes_the_first_frame(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (100, 80), c).quantize(4) for c in ((220, 30, 30), (30, 30, 220))]
    (tmp_path / "l").mkdir()
    frames[0].save(tmp_path / "l" / "anim.gif", save_all=True, append_images=frames[1:])
    assert Image.open(tmp_path / "l" / "anim.gif").n_frames == 2
    assert near(pixel(run_one(tmp_path, "anim.gif"), 0.5, 0.5), (220, 30, 30), 15)


def test_huge_jpeg_is_decoded_reduced(tmp_path: Path) -> None:
    (tmp_path / "l").mkdir()
    big = tmp_path / "l" / "big.jpg"
    Image.new("RGB", (8000, 6000), (90, 140, 60)).save(big, quality=40)
    options = IngestOptions(max_edge=1600)
    with Image.open(big) as img:
        reduced = ingest.open_reduced(img, options)
        assert reduced.size == (2000, 1500)  # JPEG draft decoded it at 1/4 scale
    copy = run_one(tmp_path, "big.jpg", max_edge=1600)
    assert copy.size == (1600, 1200)


def test_small_image_is_not_upscaled(tmp_path: Path) -> None:
    make_photo(tmp_path / "l" / "a.jpg", (200, 40, 40), size=(300, 200))
    assert run_one(tmp_path, "a.jpg").size == (300, 200)


# --------------------------------------------------------------------------- skipping


def test_bad_files_are_skipped_with_reasons(tmp_path: Path) -> None:
    folder = tmp_path / "l"
    make_photo(folder / "good.jpg", (200, 40, 40), size=(320, 240))
    good = (folder / "good.jpg").read_bytes()
    (folder / "truncated.jpg").write_bytes(good[: len(good) // 2])
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "notes.jpg").write_text("not a photo at all\n")
    (folder / "photo.heic").write_bytes(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64)
    (folder / "adir.jpg").mkdir()
    make_photo(folder / "tiny.jpg", (40, 170, 60), size=(63, 400))
    names = ["truncated.jpg", "good.jpg", "empty.jpg", "notes.jpg", "missing.jpg",
             "photo.heic", "adir.jpg", "tiny.jpg"]
    write_listing(folder, names)
    result = ingest.run(folder, tmp_path / "run", OPTS)
    assert [(i.index, i.source, i.path) for i in result.images] == [
        (1, "good.jpg", "images/001.jpg")
    ]
    assert [(s.source, s.reason) for s in result.skipped] == [
        ("truncated.jpg", "corrupt or truncated image"),
        ("empty.jpg", "empty file (0 bytes)"),
        ("notes.jpg", "not an image (unrecognised format)"),
        ("missing.jpg", "file not found"),
        ("photo.heic", "HEIC/HEIF is not supported (convert it to JPEG)"),
        ("adir.jpg", "not a file"),
        ("tiny.jpg", "too small: 63x400 pixels (at least 64 px on the short side)"),
    ]
    assert sorted(p.name for p in (tmp_path / "run" / "images").iterdir()) == ["001.jpg"]


def test_too_many_pixels_is_a_skip_and_the_limit_is_restored(tmp_path: Path) -> None:
    before = Image.MAX_IMAGE_PIXELS
    make_photo(tmp_path / "l" / "a.jpg", (200, 40, 40), size=(200, 100))
    make_photo(tmp_path / "l" / "b.jpg", (40, 40, 200), size=(100, 100))
    write_listing(tmp_path / "l", ["a.jpg", "b.jpg"])
    result = ingest.run(tmp_path / "l", tmp_path / "run", IngestOptions(max_source_pixels=10_000))
    assert [(s.source, s.reason) for s in result.skipped] == [
        ("a.jpg", "too large: 0.02 megapixels (limit 0.01 megapixels)")
    ]
    assert [i.source for i in result.images] == ["b.jpg"]
    assert before == Image.MAX_IMAGE_PIXELS


def test_too_large_reason_names_megapixels(tmp_path: Path) -> None:
    make_photo(tmp_path / "l" / "a.jpg", (200, 40, 40), size=(2000, 1000))
    make_photo(tmp_path / "l" / "b.jpg", (40, 40, 200), size=(100, 100))
    write_listing(tmp_path / "l", ["a.jpg", "b.jpg"])
    result = ingest.run(tmp_path / "l", tmp_path / "r", IngestOptions(max_source_pixels=1_500_000))
    assert result.skipped[0].reason == "too large: 2 megapixels (limit 1.5 megapixels)"


def test_over_the_image_limit(tmp_path: Path) -> None:
    for i, name in enumerate(("a.jpg", "b.jpg", "c.jpg")):
        make_photo(tmp_path / "l" / name, (200, 40 * i, 40), size=(100, 80), seed=i)
    write_listing(tmp_path / "l", ["a.jpg", "b.jpg", "c.jpg"])
    result = ingest.run(tmp_path / "l", tmp_path / "run", IngestOptions(max_images=2))
    assert [i.source for i in result.images] == ["a.jpg", "b.jpg"]
    assert [(s.source, s.reason) for s in result.skipped] == [
        ("c.jpg", "over the limit of 2 images")
    ]


def test_no_usable_image(tmp_path: Path) -> None:
    (tmp_path / "l").mkdir()
    (tmp_path / "l" / "a.jpg").write_bytes(b"")
    (tmp_path / "l" / "b.jpg").write_text("hello")
    write_listing(tmp_path / "l", ["a.jpg", "b.jpg"])
    with pytest.raises(UserError) as err:
        ingest.run(tmp_path / "l", tmp_path / "run", OPTS)
    assert str(err.value) == (
        "no usable image in the listing (2 skipped: a.jpg: empty file (0 bytes))"
    )
    write_listing(tmp_path / "l", [])
    with pytest.raises(UserError) as err:
        ingest.run(tmp_path / "l", tmp_path / "run", OPTS)
    assert str(err.value) == "no usable image in the listing (no photos listed)"


def test_output_is_deterministic_and_hashes_the_source(tmp_path: Path) -> None:
    import hashlib

    make_photo(tmp_path / "l" / "a.jpg", (200, 40, 40), size=(400, 300))
    write_listing(tmp_path / "l", ["a.jpg"])
    one = ingest.run(tmp_path / "l", tmp_path / "r1", OPTS)
    two = ingest.run(tmp_path / "l", tmp_path / "r2", OPTS)
    assert one.model_dump_json() == two.model_dump_json()
    copies = [(tmp_path / r / "images" / "000.jpg").read_bytes() for r in ("r1", "r2")]
    assert copies[0] == copies[1]
    assert one.images[0].sha256 == hashlib.sha256((tmp_path / "l/a.jpg").read_bytes()).hexdigest()
    assert not list((tmp_path / "r1" / "images").glob(".*"))  # no temporary files left


# --------------------------------------------------------------------------- paths


@pytest.mark.parametrize("bad", ["../x.jpg", "sub/../../x.jpg", "/etc/passwd", "C:\\x.jpg",
                                 "\\\\server\\share\\x.jpg"])
def test_paths_leaving_the_folder_are_refused(tmp_path: Path, bad: str) -> None:
    make_photo(tmp_path / "x.jpg", (200, 40, 40), size=(100, 80))
    write_listing(tmp_path / "l", [bad])
    with pytest.raises(UserError) as err:
        ingest.run(tmp_path / "l", tmp_path / "run", OPTS)
    assert str(err.value) == f"image path leaves the listing folder: {bad}"


def test_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    make_photo(tmp_path / "secret.jpg", (200, 40, 40), size=(100, 80))
    (tmp_path / "l").mkdir()
    os.symlink(tmp_path / "secret.jpg", tmp_path / "l" / "link.jpg")
    write_listing(tmp_path / "l", ["link.jpg"])
    with pytest.raises(UserError) as err:
        load_listing(tmp_path / "l")
    assert str(err.value) == "image path leaves the listing folder: link.jpg"


def test_symlink_inside_the_folder_is_fine(tmp_path: Path) -> None:
    make_photo(tmp_path / "l" / "a.jpg", (200, 40, 40), size=(100, 80))
    os.symlink(tmp_path / "l" / "a.jpg", tmp_path / "l" / "b.jpg")
    write_listing(tmp_path / "l", ["b.jpg"])
    assert ingest.run(tmp_path / "l", tmp_path / "run", OPTS).images[0].source == "b.jpg"
