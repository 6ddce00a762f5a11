"""Captions as ASS (burnt in by libass, current word highlighted), SRT and WebVTT text."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

from ad2video.contracts import Caption, CaptionStyle, Timeline

FONTS_DIR = Path(__file__).resolve().parent.parent / "assets" / "fonts"
_WORD_JOINER = "\u2060"  # invisible; stops libass reading "\N", "\h", ... in user text
MAX_LINES = 3


@dataclass(frozen=True)
class Layout:
    """Where captions sit in the frame (all in output pixels)."""

    size: int
    alignment: int  # ASS numpad alignment: 2 bottom, 5 middle, 8 top
    margin_h: int
    margin_v: int

    def text_width(self, width: int) -> int:
        return width - 2 * self.margin_h


def font_size(width: int, height: int) -> int:
    """Caption size when the style says 0: 7% of the shorter side (76 px at 1080)."""
    return max(8, round(0.07 * min(width, height)))


def layout(style: CaptionStyle, width: int, height: int) -> Layout:
    size = style.size or font_size(width, height)
    portrait = height > width
    if style.position == "bottom":
        # 9:16 apps cover the bottom ~20% with their UI: stay above it.
        return Layout(size, 2, round(0.08 * width), round((0.22 if portrait else 0.08) * height))
    if style.position == "top":
        return Layout(size, 8, round(0.08 * width), round((0.12 if portrait else 0.06) * height))
    return Layout(size, 5, round(0.08 * width), 0)


def escape_ass(text: str) -> str:
    """Literal text for an ASS event: braces escaped, backslashes defused, one line."""
    text = " ".join(text.split())
    text = text.replace("\\", "\\" + _WORD_JOINER)
    return text.replace("{", "\\{").replace("}", "\\}")


def ass_colour(hex_rgb: str, alpha: int = 0) -> str:
    """'#RRGGBB' -> '&HAABBGGRR' (ASS stores blue first; alpha 0 is opaque)."""
    value = hex_rgb.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"colour must look like #RRGGBB, got {hex_rgb!r}")
    r, g, b = value[0:2], value[2:4], value[4:6]
    return f"&H{alpha:02X}{b}{g}{r}".upper()


@functools.lru_cache(maxsize=32)
def _measure_font(px: int) -> ImageFont.FreeTypeFont:
    # libass sizes a font by its ascent+descent; Pillow by its em: convert once.
    probe = ImageFont.truetype(str(FONTS_DIR / "Lato-Bold.ttf"), 1000)
    ascent, descent = probe.getmetrics()
    em = max(1, round(px * 1000 / (ascent + descent)))
    return ImageFont.truetype(str(FONTS_DIR / "Lato-Bold.ttf"), em)


def wrap(words: list[str], size: int, max_width: int) -> list[list[int]]:
    """Line breaks (lists of word indices) that fit max_width, balanced: no lone last word."""
    lines = _greedy(words, size, max_width)
    if len(lines) < 2:
        return lines
    # The narrowest width that still needs no more lines evens the lines out.
    lo, hi = 1, max_width
    while lo < hi:
        mid = (lo + hi) // 2
        if len(_greedy(words, size, mid)) <= len(lines):
            hi = mid
        else:
            lo = mid + 1
    return _greedy(words, size, hi)


def _greedy(words: list[str], size: int, max_width: int) -> list[list[int]]:
    font = _measure_font(size)
    lines: list[list[int]] = []
    current: list[int] = []
    for i in range(len(words)):
        trial = " ".join(words[j] for j in [*current, i])
        if current and font.getlength(trial) > max_width:
            lines.append(current)
            current = []
        current.append(i)
    if current:
        lines.append(current)
    return lines


def _fit(words: list[str], lay: Layout, width: int) -> tuple[int, list[list[int]]]:
    """Font size and lines: shrink (to 60% at most) until the caption fits in MAX_LINES."""
    size = lay.size
    # 0.9: slack for the outline and for libass/Pillow metric differences.
    lines = wrap(words, size, int(lay.text_width(width) * 0.9))
    while len(lines) > MAX_LINES and size > lay.size * 0.6:
        size = int(size * 0.9)
        lines = wrap(words, size, int(lay.text_width(width) * 0.9))
    return size, lines


def ass_time(t: float) -> str:
    cs = max(0, round(t * 100))
    return f"{cs // 360000}:{cs // 6000 % 60:02d}:{cs // 100 % 60:02d}.{cs % 100:02d}"


def _events(caption: Caption, style: CaptionStyle, lay: Layout, width: int) -> list[str]:
    words = [w.text for w in caption.words] if caption.words else caption.text.split()
    if not words:
        return []
    size, lines = _fit(words, lay, width)
    prefix = f"{{\\fs{size}}}" if size != lay.size else ""
    on = f"{{\\1c{ass_colour(style.highlight_colour)}&}}"
    off = f"{{\\1c{ass_colour(style.primary_colour)}&}}"

    def text(current: int | None) -> str:
        rows = [" ".join(on + escape_ass(words[i]) + off if i == current else escape_ass(words[i])
                         for i in line) for line in lines]
        return prefix + "\\N".join(rows)

    if not (style.karaoke and caption.words):
        return [_dialogue(caption.start, caption.end, text(None))]
    # One event per word, so the word being spoken is the highlighted one.
    events = []
    for k, word in enumerate(caption.words):
        start = min(caption.start, word.start) if k == 0 else word.start
        last = k + 1 == len(caption.words)
        end = caption.end if last else caption.words[k + 1].start
        if end > start:
            events.append(_dialogue(start, end, text(k)))
    return events


def _dialogue(start: float, end: float, text: str) -> str:
    return f"Dialogue: 0,{ass_time(start)},{ass_time(end)},Caption,,0,0,0,,{text}"


def ass_text(timeline: Timeline) -> str:
    """A complete .ass script for the timeline's captions at the output resolution."""
    style, w, h = timeline.caption_style, timeline.width, timeline.height
    lay = layout(style, w, h)
    outline = max(1, round(lay.size * 0.06))
    shadow = max(1, round(lay.size * 0.03))
    head = [
        "[Script Info]", "ScriptType: v4.00+", f"PlayResX: {w}", f"PlayResY: {h}",
        "WrapStyle: 2", "ScaledBorderAndShadow: yes", "YCbCr Matrix: TV.709", "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
        "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
        "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
        f"Style: Caption,{style.font},{lay.size},{ass_colour(style.primary_colour)},"
        f"{ass_colour(style.highlight_colour)},{ass_colour(style.outline_colour)},"
        f"{ass_colour(style.outline_colour, 0x80)},-1,0,0,0,100,100,0,0,1,{outline},{shadow},"
        f"{lay.alignment},{lay.margin_h},{lay.margin_h},{lay.margin_v},1",
        "", "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    events = [e for c in timeline.captions for e in _events(c, style, lay, w)]
    return "\n".join(head + events) + "\n"


def _stamp(t: float, sep: str) -> str:
    ms = max(0, round(t * 1000))
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"


def srt_text(captions: list[Caption]) -> str:
    """SubRip: numbered cues, 'HH:MM:SS,mmm --> HH:MM:SS,mmm'."""
    cues = []
    for i, cap in enumerate(c for c in captions if c.text.strip()):
        cues.append(f"{i + 1}\n{_stamp(cap.start, ',')} --> {_stamp(cap.end, ',')}\n"
                    f"{' '.join(cap.text.split())}\n")
    return "\n".join(cues)


def vtt_text(captions: list[Caption]) -> str:
    """WebVTT: 'HH:MM:SS.mmm --> HH:MM:SS.mmm', with &, < and > escaped."""
    cues = ["WEBVTT\n"]
    for cap in captions:
        text = " ".join(cap.text.split())
        if not text:
            continue
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        cues.append(f"{_stamp(cap.start, '.')} --> {_stamp(cap.end, '.')}\n{text}\n")
    return "\n".join(cues)
