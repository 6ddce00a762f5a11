"""The hostile-input corpus: listings that sellers and broken files really produce.

`CASES` (images and paths here, fields, encodings and text in texts.py) is generated into a
temporary folder at test time; nothing binary is committed. Each case says what must come out:
a video (with the photos it must use or skip), or a one-line error containing `Case.error`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from tests.conftest import make_photo
from tests.hostile import images as im
from tests.hostile.build import (
    GOOD,
    Case,
    base_data,
    good_photos,
    prepared,
    used,
    with_fields,
    with_images,
    write,
)
from tests.hostile.texts import TEXT_CASES


def _portrait(run: Path) -> None:
    img = next(p for p in prepared(run) if p["source"] == "rotated.jpg")
    assert img["height"] > img["width"], f"EXIF rotation not applied: {img}"


def _big_reduced(run: Path) -> None:
    big = [p for p in prepared(run) if p["source"].startswith("huge")]
    assert len(big) == 2 and all(max(p["width"], p["height"]) <= 2560 for p in big), big


def _brightness(*files: str) -> Callable[[Path], None]:
    """16-bit and float photos keep their tones (not clipped to white or black)."""
    def check(run: Path) -> None:
        from PIL import Image, ImageStat

        for file in files:
            img = next(p for p in prepared(run) if p["source"] == file)
            with Image.open(run / img["path"]) as copy:
                mean = ImageStat.Stat(copy.convert("L")).mean[0]
            assert 40 <= mean <= 160, f"{file}: mean brightness {mean:.0f}, tones lost"
    return check


def _all(*checks: Callable[[Path], None]) -> Callable[[Path], None]:
    def check(run: Path) -> None:
        for one in checks:
            one(run)
    return check


def _symlink(target: str, name: str, image: str = "") -> Callable[[Path], Path]:
    """`name` is a symlink to `target` (OUTSIDE: the sentinel folder beside the listing)."""
    def build(folder: Path) -> Path:
        outside = folder.parent / "outside"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).symlink_to(target.replace("OUTSIDE", str(outside)))
        return write(folder, base_data(images=[*GOOD, image or name]))
    return build


def _listing_symlink(target: str) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        good_photos(folder)
        (folder / "listing.json").symlink_to(target)
        return folder
    return build


def _two_hundred(folder: Path) -> Path:
    names = [f"p{i:03d}.jpg" for i in range(200)]
    for i, name in enumerate(names):
        make_photo(folder / name, ((i * 37) % 255, (i * 91) % 255, (i * 53) % 255),
                   size=(96, 72), seed=i)
    return write(folder, base_data(images=names))


def _photos_used(run: Path) -> None:
    shots = json.loads((run / "shots.json").read_text(encoding="utf-8"))
    assert len(prepared(run)) == 40 and len(shots["storyboard"]) <= 12


def _unopenable(folder: Path) -> Path:
    """Names that cannot be opened as photos (and one full of console markup)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "folder.jpg").mkdir()
    os.mkfifo(folder / "pipe.jpg")
    (folder / "loop.jpg").symlink_to("loop.jpg")
    names = ["gone.jpg", "folder.jpg", "pipe.jpg", "loop.jpg", "evil\u0000.jpg",
             "x" * 300 + ".jpg", "[bold red]x[/][/].jpg"]
    return write(folder, base_data(images=[*GOOD, *names]))


def _fake(kind: str) -> Callable[[Path], object]:
    return lambda p: p.write_bytes(im.FAKE_CONTENT[kind])


NOT_IMAGE = "not an image (unrecognised format)"
CORRUPT = "corrupt or truncated image"
LEAVES = "image path leaves the listing folder"

COLOUR_MODES = {"cmyk.jpg": im.cmyk_jpeg, "grey16.png": im.grey16_png,
                "rgb16.png": im.rgb16_png, "rgba16.png": lambda p: im.rgb16_png(p, alpha=True),
                "palette.png": im.palette_png, "rgba.png": im.alpha_png,
                "la.png": lambda p: im.alpha_png(p, "LA"), "float.tif": im.float_tiff,
                "bilevel.tiff": im.bilevel_tiff}
ANIMATED = {"anim.gif": lambda p: im.animated(p, "GIF"), "anim.webp": lambda p: im.animated(
    p, "WEBP"), "anim.png": lambda p: im.animated(p, "PNG")}
NOT_IMAGES = {"text.jpg": "text", "page.png": "html", "doc.jpg": "pdf", "eps.jpg": "eps",
              "vector.png": "svg", "archive.webp": "zip", "program.gif": "elf"}

IMAGE_CASES = [
    Case("img_empty_and_truncated", with_images({
        "empty.jpg": lambda p: p.write_bytes(b""), "cut.jpg": lambda p: im.truncated(p, "JPEG"),
        "cut.png": lambda p: im.truncated(p, "PNG"), "damaged.tif": im.damaged_tiff}),
        skipped=("empty.jpg: empty file (0 bytes)", f"cut.jpg: {CORRUPT}", f"cut.png: {CORRUPT}")),
    Case("img_not_images_with_image_names", with_images({
        name: _fake(kind) for name, kind in NOT_IMAGES.items()}),
        skipped=tuple(f"{name}: {NOT_IMAGE}" for name in NOT_IMAGES)),
    Case("img_fake_heic", with_images({"phone.heic": _fake("heic")}),
         skipped=("phone.heic: HEIC/HEIF is not supported (convert it to JPEG)",)),
    Case("img_colour_modes", with_images(COLOUR_MODES), check=_all(
        used(*COLOUR_MODES), _brightness("grey16.png", "float.tif"))),
    Case("img_animated", with_images(ANIMATED), check=used(*ANIMATED)),
    Case("img_12000x9000", with_images({
        "huge.jpg": lambda p: im.flat(p, (12000, 9000), quality=30),
        "huge.png": lambda p: im.flat(p, (12000, 9000), "L", compress_level=1)}),
        check=_big_reduced),
    Case("img_pixel_bombs", with_images({
        "bomb.png": im.png_bomb, "claims.jpg": lambda p: im.jpeg_claiming(p, 65000, 65000)}),
        skipped=("bomb.png: too large: 400 megapixels (limit 150 megapixels)",
                 "claims.jpg: too large: 4225 megapixels")),
    Case("img_exif", with_images({"rotated.jpg": im.exif_rotated, "exif.jpg": im.broken_exif}),
         check=_all(_portrait, used("exif.jpg"))),
    Case("img_1x1_and_40x40", with_images({
        "dot.png": lambda p: im.flat(p, (1, 1)), "small.jpg": lambda p: im.flat(p, (40, 40))}),
        skipped=("dot.png: too small: 1x1 pixels", "small.jpg: too small: 40x40 pixels")),
    Case("img_only_1x1", with_images({"dot.png": lambda p: im.flat(p, (1, 1))}, good=False),
         "error", "no usable image in the listing (1 skipped: dot.png: too small: 1x1 pixels"),
    Case("img_only_broken", with_images({"a.jpg": _fake("text"), "b.png": lambda p: p.write_bytes(
        b"")}, good=False), "error", "no usable image in the listing (2 skipped: a.jpg: not an"),
    Case("photos_zero", with_fields(images=[]), "error",
         "no usable image in the listing (no photos listed)"),
    Case("photos_200", _two_hundred, skipped=("p199.jpg: over the limit of 40 images",),
         check=_photos_used),
    Case("img_unopenable", _unopenable, skipped=(
        "gone.jpg: file not found", "folder.jpg: not a file", "pipe.jpg: not a file",
        "loop.jpg: broken symbolic link", "evil\u0000.jpg: file not found",
        f"{'x' * 300}.jpg: file name too long"), warnings=("[bold red]x[/][/].jpg",)),
    Case("path_dotdot", with_fields(images=[*GOOD, "../outside/secret.jpg"]), "error", LEAVES),
    Case("path_absolute", with_fields(images=[*GOOD, "/etc/passwd"]), "error", LEAVES),
    Case("path_windows", with_fields(images=[*GOOD, "..\\..\\outside\\secret.jpg"]),
         "error", LEAVES),
    Case("path_windows_drive", with_fields(images=[*GOOD, "C:\\Windows\\win.ini"]),
         "error", LEAVES),
    Case("path_symlink_out", _symlink("OUTSIDE/secret.jpg", "link.jpg"), "error", LEAVES),
    Case("path_symlinked_dir_out", _symlink("OUTSIDE", "sub", "sub/secret.jpg"), "error", LEAVES),
    Case("listing_symlink_dev_zero", _listing_symlink("/dev/zero"), "error", "listing.json"),
    Case("listing_6mb_file", lambda f: write(f, raw=b'{"title": "' + b"x" * (6 << 20) + b'"}'),
         "error", "listing.json is too large (more than 5 MB)"),
]


CASES: list[Case] = [*IMAGE_CASES, *TEXT_CASES]
