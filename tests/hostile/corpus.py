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
    with_image,
    write,
)
from tests.hostile.texts import TEXT_CASES


def _portrait(run: Path) -> None:
    img = next(p for p in prepared(run) if p["source"] == "rotated.jpg")
    assert img["height"] > img["width"], f"EXIF rotation not applied: {img}"


def _big_reduced(run: Path) -> None:
    img = next(p for p in prepared(run) if p["source"].startswith("huge"))
    assert max(img["width"], img["height"]) <= 2560, img


def _brightness(file: str, low: float, high: float) -> Callable[[Path], None]:
    """A 16-bit or float photo keeps its tones (not clipped to white or black)."""
    def check(run: Path) -> None:
        from PIL import Image, ImageStat

        img = next(p for p in prepared(run) if p["source"] == file)
        with Image.open(run / img["path"]) as copy:
            mean = ImageStat.Stat(copy.convert("L")).mean[0]
        assert low <= mean <= high, f"{file}: mean brightness {mean:.0f} not in {low}..{high}"
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


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _loop(path: Path) -> None:
    path.symlink_to(path.name)


def _two_hundred(folder: Path) -> Path:
    names = [f"p{i:03d}.jpg" for i in range(200)]
    for i, name in enumerate(names):
        make_photo(folder / name, ((i * 37) % 255, (i * 91) % 255, (i * 53) % 255),
                   size=(96, 72), seed=i)
    return write(folder, base_data(images=names))


def _photos_used(run: Path) -> None:
    shots = json.loads((run / "shots.json").read_text(encoding="utf-8"))
    assert len(prepared(run)) == 40 and len(shots["storyboard"]) <= 12


def _only(files: dict[str, Callable[[Path], object]]) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, make in files.items():
            make(folder / name)
        return write(folder, base_data(images=list(files)))
    return build


def _fake(kind: str) -> Callable[[Path], object]:
    return lambda p: p.write_bytes(im.FAKE_CONTENT[kind])


NOT_IMAGE = "not an image (unrecognised format)"
CORRUPT = "corrupt or truncated image"
LEAVES = "image path leaves the listing folder"

IMAGE_CASES = [
    Case("img_zero_bytes", with_image("empty.jpg", lambda p: p.write_bytes(b"")),
         skipped=("empty file (0 bytes)",)),
    Case("img_truncated_jpeg", with_image("cut.jpg", lambda p: im.truncated(p, "JPEG")),
         skipped=(CORRUPT,)),
    Case("img_truncated_png", with_image("cut.png", lambda p: im.truncated(p, "PNG")),
         skipped=(CORRUPT,)),
    Case("img_text_named_jpg", with_image("text.jpg", _fake("text")), skipped=(NOT_IMAGE,)),
    Case("img_html_named_png", with_image("page.png", _fake("html")), skipped=(NOT_IMAGE,)),
    Case("img_pdf_named_jpg", with_image("doc.jpg", _fake("pdf")), skipped=(NOT_IMAGE,)),
    Case("img_eps_named_jpg", with_image("eps.jpg", _fake("eps")), skipped=(NOT_IMAGE,)),
    Case("img_svg_named_png", with_image("vector.png", _fake("svg")), skipped=(NOT_IMAGE,)),
    Case("img_zip_elf_named_webp", _only({
        "good1.jpg": lambda p: None, "good2.jpg": lambda p: None,
        "archive.webp": _fake("zip"), "program.gif": _fake("elf")}), skipped=(NOT_IMAGE,)),
    Case("img_fake_heic", with_image("phone.heic", _fake("heic")),
         skipped=("HEIC/HEIF is not supported (convert it to JPEG)",)),
    Case("img_cmyk_jpeg", with_image("cmyk.jpg", im.cmyk_jpeg), check=used("cmyk.jpg")),
    Case("img_grey16_png", with_image("grey16.png", im.grey16_png),
         check=_brightness("grey16.png", 40, 160)),
    Case("img_rgb16_png", with_image("rgb16.png", im.rgb16_png), check=used("rgb16.png")),
    Case("img_rgba16_png", with_image("rgba16.png", lambda p: im.rgb16_png(p, alpha=True)),
         check=used("rgba16.png")),
    Case("img_palette_transparent", with_image("pal.png", im.palette_png), check=used("pal.png")),
    Case("img_alpha_rgba_and_la", _only({
        "good1.jpg": lambda p: None, "good2.jpg": lambda p: None,
        "rgba.png": im.alpha_png, "la.png": lambda p: im.alpha_png(p, "LA")}),
        check=used("la.png")),
    Case("img_animated_gif", with_image("anim.gif", lambda p: im.animated(p, "GIF")),
         check=used("anim.gif")),
    Case("img_animated_webp_apng", _only({
        "good1.jpg": lambda p: None, "good2.jpg": lambda p: None,
        "anim.webp": lambda p: im.animated(p, "WEBP"),
        "anim.png": lambda p: im.animated(p, "PNG")}), check=used("anim.webp")),
    Case("img_float_and_bilevel_tiff", _only({
        "good1.jpg": lambda p: None, "good2.jpg": lambda p: None,
        "float.tif": im.float_tiff, "bw.tiff": im.bilevel_tiff}),
        check=_brightness("float.tif", 40, 160)),
    Case("img_12000x9000_jpeg", with_image("huge.jpg", lambda p: im.flat(
        p, (12000, 9000), quality=30)), check=_big_reduced),
    Case("img_12000x9000_png", with_image("huge.png", lambda p: im.flat(
        p, (12000, 9000), "L", compress_level=1)), check=_big_reduced),
    Case("img_png_bomb_400mp", with_image("bomb.png", im.png_bomb),
         skipped=("too large: 400 megapixels (limit 150 megapixels)",)),
    Case("img_jpeg_header_claims_65000px", with_image(
        "claims.jpg", lambda p: im.jpeg_claiming(p, 65000, 65000)), skipped=("too large",)),
    Case("img_exif_rotated", with_image("rotated.jpg", im.exif_rotated), check=_portrait),
    Case("img_broken_exif", with_image("exif.jpg", im.broken_exif), check=used("exif.jpg")),
    Case("img_1x1_and_40x40", _only({
        "good1.jpg": lambda p: None, "good2.jpg": lambda p: None,
        "dot.png": lambda p: im.flat(p, (1, 1)), "small.jpg": lambda p: im.flat(p, (40, 40))}),
        skipped=("too small: 1x1 pixels", "too small: 40x40 pixels")),
    Case("img_only_1x1", _only({"dot.png": lambda p: im.flat(p, (1, 1))}), "error",
         "no usable image in the listing (1 skipped: dot.png: too small: 1x1 pixels"),
    Case("img_only_broken", _only({"a.jpg": _fake("text"), "b.png": lambda p: p.write_bytes(b"")}),
         "error", "no usable image in the listing (2 skipped: a.jpg: not an image"),
    Case("photos_zero", with_fields(images=[]), "error",
         "no usable image in the listing (no photos listed)"),
    Case("photos_200", _two_hundred, skipped=("over the limit of 40 images",),
         check=_photos_used),
    Case("img_missing_file", with_fields(images=[*GOOD, "gone.jpg"]), skipped=("file not found",)),
    Case("img_directory_fifo_named_jpg", _only({
        "good1.jpg": lambda p: None, "good2.jpg": lambda p: None,
        "folder.jpg": lambda p: p.mkdir(), "pipe.jpg": _fifo}), skipped=("not a file",)),
    Case("img_symlink_loop", with_image("loop.jpg", _loop)),
    Case("img_nul_in_name", with_fields(images=[*GOOD, "evil\u0000.jpg"])),
    Case("img_name_too_long", with_fields(images=[*GOOD, "x" * 300 + ".jpg"])),
    Case("img_markup_in_name", with_fields(images=[*GOOD, "[bold red]x[/][/].jpg"]),
         warning="[bold red]x[/][/].jpg"),
    Case("path_dotdot", with_fields(images=[*GOOD, "../outside/secret.jpg"]), "error", LEAVES),
    Case("path_absolute", with_fields(images=[*GOOD, "/etc/passwd"]), "error", LEAVES),
    Case("path_windows", with_fields(images=[*GOOD, "..\\..\\outside\\secret.jpg"]),
         "error", LEAVES),
    Case("path_windows_drive", with_fields(images=[*GOOD, "C:\\Windows\\win.ini"]),
         "error", LEAVES),
    Case("path_symlink_out", _symlink("OUTSIDE/secret.jpg", "link.jpg"), "error", LEAVES),
    Case("path_symlinked_dir_out", _symlink("OUTSIDE", "sub", "sub/secret.jpg"), "error", LEAVES),
    Case("listing_symlink_dev_zero", _listing_symlink("/dev/zero"), "error", "listing.json"),
    Case("listing_symlink_dev_urandom", _listing_symlink("/dev/urandom"), "error",
         "listing.json"),
]


CASES: list[Case] = [*IMAGE_CASES, *TEXT_CASES]
