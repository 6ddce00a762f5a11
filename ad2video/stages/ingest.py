"""Ingest: load the listing, then decode every photo into an upright 8-bit sRGB JPEG copy.

A photo that cannot be used is skipped with a reason (SkippedImage), never fatal; only a listing
with no usable photo at all is an error. Skip reasons (asserted word for word by the tests):

    file not found
    broken symbolic link
    file name too long
    not a file
    cannot read the file (permission denied)
    cannot read the file (REASON)
    empty file (0 bytes)
    not an image (unrecognised format)
    HEIC/HEIF is not supported (convert it to JPEG)
    corrupt or truncated image
    too large: N megapixels (limit N megapixels)
    too small: WxH pixels (at least N px on the short side)
    over the limit of N images

Error: `no usable image in the listing (N skipped: SOURCE: REASON)`, or
`no usable image in the listing (no photos listed)`.
"""

from __future__ import annotations

import errno
import io
import math
import re
import stat
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

from ad2video.contracts import IngestResult, ListingImage, PreparedImage, SkippedImage
from ad2video.errors import UserError
from ad2video.fsutil import atomic_path, sha256_file
from ad2video.listing_io import listing_file_of, load_listing, resolve_image_path
from ad2video.pii import scrub_listing

# Only formats a marketplace photo comes in: never EPS (Pillow would run Ghostscript) or exotic
# scientific formats with their own attack surface.
Image.init()  # register every plugin now, so that FORMATS can be checked against them
FORMATS = tuple(
    f for f in ("JPEG", "MPO", "PNG", "GIF", "WEBP", "BMP", "TIFF", "AVIF") if f in Image.OPEN
)
_REDUCIBLE = ("L", "LA", "RGB", "RGBA", "I", "F", "CMYK")
BACKGROUND = (235, 235, 235)  # neutral light grey behind transparent pixels
_SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True)
class IngestOptions:
    title: str | None = None  # overrides the listing's title; required for a bare photo folder
    max_images: int = 40  # photos after this many are skipped ("over the limit")
    max_source_pixels: int = 150_000_000  # larger sources are skipped before decoding
    max_edge: int = 2560  # long edge of the normalised copy, pixels
    min_edge: int = 64  # sources with a shorter short side are skipped as too small
    jpeg_quality: int = 92  # quality of the normalised JPEG copies

    def __post_init__(self) -> None:
        for name, low in (("max_images", 1), ("max_source_pixels", 1), ("max_edge", 64),
                          ("min_edge", 1), ("jpeg_quality", 1)):
            if getattr(self, name) < low:
                raise UserError(f"ingest option {name} must be at least {low}")


class Skip(Exception):
    """This photo cannot be used; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def run(source: Path, run_dir: Path, options: IngestOptions,
        warnings: list[str] | None = None) -> IngestResult:
    """Load the listing at `source` and write run_dir/images/NNN.jpg for every usable photo.

    Contact details are scrubbed from the listing's text here, so that no stage (and no file in
    the run folder) sees them; what was removed or cut is appended to `warnings`."""
    notes: list[str] = []
    listing, folder = load_listing(Path(source), options.title, notes)
    listing, scrubbed = scrub_listing(listing)
    if warnings is not None:
        warnings += notes + scrubbed
    prepared: list[PreparedImage] = []
    skipped: list[SkippedImage] = []
    for index, item in enumerate(listing.images):
        if index >= options.max_images:
            skipped.append(SkippedImage(
                source=item.file, reason=f"over the limit of {options.max_images} images"
            ))
            continue
        path = resolve_image_path(folder, item.file)  # UserError when it leaves the folder
        try:
            prepared.append(prepare_image(index, item, path, run_dir, options))
        except Skip as skip:
            skipped.append(SkippedImage(source=item.file, reason=skip.reason))
    if not prepared:
        if not skipped:
            raise UserError("no usable image in the listing (no photos listed)")
        first = skipped[0]
        raise UserError(
            f"no usable image in the listing ({len(skipped)} skipped: "
            f"{first.source}: {first.reason})"
        )
    listing_file = listing_file_of(Path(source))
    return IngestResult(listing=listing, images=prepared, skipped=skipped,
                        listing_file=str(listing_file.resolve()) if listing_file else None)


def prepare_image(
    index: int, item: ListingImage, path: Path, run_dir: Path, options: IngestOptions
) -> PreparedImage:
    """Decode one photo and write its normalised copy; raise Skip when it cannot be used."""
    check_file(path)
    image = decode(path, options)
    rel = f"images/{index:03d}.jpg"
    with atomic_path(run_dir / rel) as tmp:
        image.save(tmp, "JPEG", quality=options.jpeg_quality)
    return PreparedImage(
        index=index, source=item.file, path=rel, width=image.width, height=image.height,
        sha256=sha256_file(path), caption=item.caption, view_hint=item.view,
    )


def check_file(path: Path) -> None:
    """Raise Skip unless `path` is a non-empty regular file (never opens a FIFO or a device)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise Skip("broken symbolic link" if path.is_symlink() else "file not found") from None
    except ValueError:  # a NUL byte: no file can have that name
        raise Skip("file not found") from None
    except OSError as exc:
        reasons = {errno.ELOOP: "broken symbolic link", errno.ENAMETOOLONG: "file name too long",
                   errno.EACCES: "cannot read the file (permission denied)"}
        raise Skip(reasons.get(exc.errno or 0, f"cannot read the file ({exc.strerror})")) \
            from None
    if not stat.S_ISREG(st.st_mode):
        raise Skip("not a file")
    if st.st_size == 0:
        raise Skip("empty file (0 bytes)")


def decode(path: Path, options: IngestOptions) -> Image.Image:
    """Upright RGB, long edge at most `options.max_edge`; raise Skip when unusable."""
    with _pixel_limit(options.max_source_pixels):
        try:
            with Image.open(path, formats=FORMATS) as img:
                return _normalise(open_reduced(img, options), options.max_edge)
        except Skip:
            raise
        except UnidentifiedImageError:
            if path.suffix.lower() in (".heic", ".heif"):
                raise Skip("HEIC/HEIF is not supported (convert it to JPEG)") from None
            raise Skip("not an image (unrecognised format)") from None
        except PermissionError:
            raise Skip("cannot read the file (permission denied)") from None
        except Image.DecompressionBombError as exc:
            pixels = re.search(r"\((\d+) pixels\)", str(exc))
            raise Skip(_too_large(int(pixels.group(1)) if pixels else 0, options)) from None
        except (OSError, ValueError, SyntaxError, EOFError, IndexError, KeyError):
            # Pillow reports damaged data with any of these, depending on the format.
            raise Skip("corrupt or truncated image") from None


def open_reduced(img: Image.Image, options: IngestOptions) -> Image.Image:
    """Check the size from the header, then decode, reduced by JPEG DCT scaling when too big."""
    w, h = img.size
    if w * h > options.max_source_pixels:
        raise Skip(_too_large(w * h, options))
    if min(w, h) < options.min_edge:
        raise Skip(f"too small: {w}x{h} pixels (at least {options.min_edge} px on the short side)")
    img.seek(0)  # first frame of an animation (before draft: MPO's seek resets the tiles)
    scale = options.max_edge / max(w, h)
    if scale < 1:
        # JPEG decodes at 1/2, 1/4 or 1/8 scale directly: a 12000x9000 photo never exists in
        # memory at full size. draft() keeps the result at least this big; other formats ignore it.
        img.draft(None, (math.ceil(w * scale), math.ceil(h * scale)))
    img.load()
    # Formats without DCT scaling decode at full size: shrink now (box filter, in the source
    # mode) so that the colour conversions below never hold several full-size copies.
    factor = max(img.size) // (2 * options.max_edge)
    if factor >= 2 and img.mode in _REDUCIBLE:
        img = img.reduce(factor)
    return img


def _normalise(img: Image.Image, max_edge: int) -> Image.Image:
    icc = img.info.get("icc_profile")
    out = ImageOps.exif_transpose(img) or img
    out = _to_rgb(out, icc)
    if max(out.size) > max_edge:
        scale = max_edge / max(out.size)
        size = (max(1, round(out.width * scale)), max(1, round(out.height * scale)))
        out = out.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    return out


def _to_rgb(img: Image.Image, icc: bytes | None) -> Image.Image:
    """8-bit sRGB RGB from any mode: alpha composited on BACKGROUND, 16-bit and float scaled."""
    if img.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        img = _high_depth_to_l(img)
    if img.mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    if img.mode in ("LA", "La", "PA", "RGBA", "RGBa"):
        rgba = img.convert("RGBA")
        base = Image.new("RGBA", rgba.size, (*BACKGROUND, 255))
        img = Image.alpha_composite(base, rgba).convert("RGB")
    if icc and img.mode in ("RGB", "RGBA", "CMYK", "L"):
        img = _to_srgb(img, icc)
    return img if img.mode == "RGB" else img.convert("RGB")


def _high_depth_to_l(img: Image.Image) -> Image.Image:
    # Pillow's own I;16 -> L conversion clips at 255 instead of scaling: do it by hand.
    arr = np.asarray(img).astype(np.float32)
    top = float(arr.max()) if arr.size else 0.0
    if img.mode == "F" and top <= 1.0:
        arr = arr * 255.0
    elif top > 255:
        arr = arr / (257.0 if top <= 65535 else top / 255.0)
    return Image.fromarray(np.clip(np.rint(arr), 0, 255).astype(np.uint8), "L")


def _to_srgb(img: Image.Image, icc: bytes) -> Image.Image:
    """Convert through the embedded colour profile (e.g. Adobe RGB, CMYK) to sRGB."""
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "srgb" in ImageCms.getProfileDescription(profile).lower() and img.mode == "RGB":
            return img
        converted = ImageCms.profileToProfile(img, profile, _SRGB, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return img  # a broken profile is common and harmless: keep the plain conversion
    return converted if converted is not None else img


@contextmanager
def _pixel_limit(limit: int) -> Iterator[None]:
    """Pillow's decompression-bomb guard set to exactly our limit, for the length of a decode.

    Pillow raises DecompressionBombError above twice MAX_IMAGE_PIXELS (and only warns above it),
    so half the limit makes its error fire at the limit. Its warnings (that one, and damaged
    metadata: "Tag data larger than file") are noise here: the photo decodes or is skipped.
    """
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = (limit + 1) // 2
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def _too_large(pixels: int, options: IngestOptions) -> str:
    return (
        f"too large: {round(pixels / 1e6, 2):g} megapixels "
        f"(limit {round(options.max_source_pixels / 1e6, 2):g} megapixels)"
    )


# A truncated file must be reported, not padded with grey: keep Pillow's default.
ImageFile.LOAD_TRUNCATED_IMAGES = False
