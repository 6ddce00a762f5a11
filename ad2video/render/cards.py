"""Title/end cards as PNG images at the output size (Pillow, deterministic)."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from ad2video.contracts import Card
from ad2video.errors import UserError
from ad2video.fsutil import atomic_path

FONTS_DIR = Path(__file__).resolve().parent.parent / "assets" / "fonts"
# Lato for the look; DejaVu has the glyphs Lato lacks (Greek, Cyrillic, many symbols).
HEADING_FONTS = ("Lato-Black.ttf", "DejaVuSans-Bold.ttf")
LINE_FONTS = ("Lato-Regular.ttf", "DejaVuSans.ttf")
TEXT_WIDTH = 0.84  # share of the frame width text may use
MAX_HEADING_LINES = 3


@functools.lru_cache(maxsize=64)
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS_DIR / name), size, layout_engine=ImageFont.Layout.BASIC)


@functools.lru_cache(maxsize=4096)
def _has_glyph(name: str, char: str) -> bool:
    """True when the font draws `char` as something other than its missing-glyph box."""
    if char.isspace():
        return True
    return _render(name, char) != _render(name, "\U0010fffe")


@functools.lru_cache(maxsize=4096)
def _render(name: str, char: str) -> bytes:
    img = Image.new("L", (48, 48))
    ImageDraw.Draw(img).text((4, 4), char, font=_font(name, 24), fill=255)
    return img.tobytes()


def pick_font(names: tuple[str, str], text: str, size: int) -> ImageFont.FreeTypeFont:
    """Lato when it covers every character of the text, else the DejaVu fallback."""
    name = names[0] if all(_has_glyph(names[0], c) for c in text) else names[1]
    return _font(name, size)


def wrap_text(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= max_width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _fit(text: str, names: tuple[str, str], size: int, max_width: float,
         max_lines: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """Shrink until the text wraps into max_lines and no single word overflows."""
    while True:
        font = pick_font(names, text, size)
        lines = wrap_text(text, font, max_width)
        widest = max((font.getlength(line) for line in lines), default=0)
        if (len(lines) <= max_lines and widest <= max_width) or size <= 12:
            return font, lines
        size = max(12, int(size * 0.9))


def _background(width: int, height: int, photo: Path | None) -> Image.Image:
    if photo is None:
        # A quiet vertical gradient when there is no hero photo.
        ramp = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
        top, bottom = np.array([28, 32, 44], np.float32), np.array([8, 10, 16], np.float32)
        rows = top + (bottom - top) * ramp
        return Image.fromarray(np.broadcast_to(rows, (height, width, 3)).astype(np.uint8))
    try:
        with Image.open(photo) as src:
            img = ImageOps.exif_transpose(src).convert("RGB")
    except OSError as exc:
        raise UserError(f"cannot read card background {photo}: {exc}") from exc
    img = ImageOps.fit(img, (width, height), Image.Resampling.LANCZOS)
    img = img.filter(ImageFilter.GaussianBlur(radius=max(2, round(0.025 * min(width, height)))))
    arr = np.asarray(img, np.float32) * 0.42  # darken so white text always reads
    return Image.fromarray(np.clip(arr + 0.5, 0, 255).astype(np.uint8))


Block = tuple[ImageFont.FreeTypeFont, list[str], int]


def _blocks(card: Card, width: int, height: int) -> list[Block]:
    """(font, lines, gap after) for the heading then each line of the card."""
    max_w = width * TEXT_WIDTH
    unit = min(width, height * 1.2)  # keeps landscape cards from shouting
    heading_font, heading = _fit(card.heading, HEADING_FONTS, round(unit * 0.1), max_w,
                                 MAX_HEADING_LINES)
    blocks = [(heading_font, heading, round(heading_font.size * 0.6))]
    body_size = round(unit * 0.05)
    for text in card.lines:
        if text.strip():
            font, lines = _fit(text, LINE_FONTS, body_size, max_w, 2)
            blocks.append((font, lines, round(font.size * 0.35)))
    return blocks


def make_card_image(card: Card, width: int, height: int, background: Path | None,
                    out: Path) -> Path:
    """Render the card: blurred dark hero photo, big heading, lines below, centred."""
    img = _background(width, height, background)
    draw = ImageDraw.Draw(img)
    blocks = _blocks(card, width, height)
    line_h = [round(f.size * 1.2) for f, _, _ in blocks]
    total = sum(h * len(lines) + gap for (_, lines, gap), h in zip(blocks, line_h, strict=True))
    y = (height - total) / 2
    shadow = max(1, round(width * 0.003))
    for (font, lines, gap), h in zip(blocks, line_h, strict=True):
        for line in lines:
            x = (width - font.getlength(line)) / 2
            draw.text((x + shadow, y + shadow), line, font=font, fill=(0, 0, 0))
            draw.text((x, y), line, font=font, fill=(255, 255, 255))
            y += h
        y += gap
    with atomic_path(out) as tmp:
        img.save(tmp, format="PNG", optimize=False)
    return out
