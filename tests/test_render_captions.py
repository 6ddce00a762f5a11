"""Caption files: ASS (burnt in), SRT and WebVTT text, escaping and timing."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from ad2video.contracts import (
    Caption,
    CaptionStyle,
    CaptionWord,
    Motion,
    Rect,
    Timeline,
    VisualClip,
)
from ad2video.fsutil import write_text
from ad2video.render import captions as cap

WORDS = [("Único", 1.000, 1.412), ("dueño,", 1.433, 1.950), ("{motor}", 2.017, 2.600),
         ("1,6", 2.733, 3.100), ("a\\Nb", 3.150, 3.500), ("€12.500", 3.566, 4.250)]


def timeline(width=1080, height=1920, style: CaptionStyle | None = None,
             captions: list[Caption] | None = None) -> Timeline:
    rect = Rect(x=0, y=0, w=width, h=height)
    clip = VisualClip(kind="card", start=0, end=6, image="c.png", image_width=width,
                      image_height=height, motion=Motion(kind="still", start=rect, end=rect))
    if captions is None:
        words = [CaptionWord(text=t, start=a, end=b) for t, a, b in WORDS]
        captions = [Caption(start=1.0, end=4.4, text=" ".join(t for t, _, _ in WORDS),
                            words=words),
                    Caption(start=4.6, end=5.9, text="Ações não são <caras> & ü ç ã õ")]
    return Timeline(width=width, height=height, fps=30, duration=6, clips=[clip],
                    captions=captions, caption_style=style or CaptionStyle())


def dialogue(ass: str) -> list[tuple[float, float, str]]:
    out = []
    for line in ass.splitlines():
        if line.startswith("Dialogue:"):
            parts = line.split(",", 9)
            out.append((_secs(parts[1]), _secs(parts[2]), parts[9]))
    return out


def _secs(stamp: str) -> float:
    h, m, s = stamp.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def test_ass_header_matches_output_and_style():
    ass = cap.ass_text(timeline())
    assert "PlayResX: 1080\nPlayResY: 1920" in ass
    style = next(line for line in ass.splitlines() if line.startswith("Style: Caption,"))
    fields = style.split(",")
    assert fields[1] == "Lato" and fields[2] == str(cap.font_size(1080, 1920)) == "76"
    assert fields[3] == "&H00FFFFFF" and fields[4] == "&H0000D4FF"  # white, #FFD400 as BGR
    # 9:16 bottom captions sit above the bottom 20% where the apps put their UI
    assert fields[18] == "2" and int(fields[21]) >= 0.2 * 1920
    assert cap.layout(CaptionStyle(), 1920, 1080).margin_v < 0.2 * 1080
    assert cap.layout(CaptionStyle(size=50, position="top"), 1080, 1920).alignment == 8


def test_karaoke_events_follow_word_timings_within_a_frame():
    events = dialogue(cap.ass_text(timeline()))
    karaoke = events[: len(WORDS)]
    frame = 1 / 30
    for k, ((start, end, text), (word, w_start, _)) in enumerate(zip(karaoke, WORDS, strict=True)):
        assert abs(start - w_start) <= frame
        following = WORDS[k + 1][1] if k + 1 < len(WORDS) else 4.4
        assert abs(end - following) <= frame
        highlighted = re.findall(r"\{\\1c&H0000D4FF&\}(.*?)\{\\1c&H00FFFFFF&\}", text)
        assert highlighted == [cap.escape_ass(word)]
    # consecutive events touch: the caption never blinks between words
    assert all(a[1] == b[0] for a, b in itertools.pairwise(karaoke))
    plain = events[-1]
    assert plain[:2] == (4.6, 5.9) and "\\1c" not in plain[2]


def test_ass_escapes_braces_backslashes_and_keeps_accents():
    assert cap.escape_ass("{x}") == "\\{x\\}"
    assert cap.escape_ass("a\\Nb") == "a\\\u2060Nb"  # shown literally, not a line break
    assert cap.escape_ass("Ações\n não") == "Ações não"
    text = dialogue(cap.ass_text(timeline()))[0][2]
    assert "\\{motor\\}" in text and "Único" in text and "€12.500" in text
    # no raw brace opens an override block except our colour tags
    assert re.sub(r"\{\\(1c&H[0-9A-F]{8}&|fs\d+)\}", "", text).replace("\\{", "").replace(
        "\\}", "").count("{") == 0


def test_long_captions_wrap_inside_the_safe_area():
    long = " ".join(["palabra"] * 14)
    tl = timeline(captions=[Caption(start=0, end=3, text=long)])
    text = dialogue(cap.ass_text(tl))[0][2]
    rows = re.sub(r"\{[^}]*\}", "", text).split("\\N")
    assert 2 <= len(rows) <= cap.MAX_LINES
    lay = cap.layout(tl.caption_style, 1080, 1920)
    size = re.match(r"\{\\fs(\d+)\}", text)
    font = cap._measure_font(int(size.group(1)) if size else lay.size)
    assert all(font.getlength(r) <= lay.text_width(1080) for r in rows)
    assert all(len(r.split()) >= 4 for r in rows)  # balanced: no short last line


def test_wrapping_balances_lines():
    words = ["The", "side", "profile", "shows", "no", "dents"]
    lines = cap.wrap(words, 76, 816)
    assert [" ".join(words[i] for i in line) for line in lines] == [
        "The side profile", "shows no dents"]


def test_srt_format_and_utf8(tmp_path: Path):
    srt = cap.srt_text(timeline().captions)
    assert srt.startswith("1\n00:00:01,000 --> 00:00:04,400\nÚnico dueño, {motor} 1,6")
    assert "\n\n2\n00:00:04,600 --> 00:00:05,900\nAções não são <caras> & ü ç ã õ\n" in srt
    path = tmp_path / "c.srt"
    write_text(path, srt)
    assert "€12.500".encode() in path.read_bytes()
    long = cap.srt_text([Caption(start=3725.0396, end=3725.5, text="x")])
    assert "01:02:05,040 --> 01:02:05,500" in long


def test_vtt_format_escapes_markup():
    vtt = cap.vtt_text(timeline().captions)
    assert vtt.startswith("WEBVTT\n\n00:00:01.000 --> 00:00:04.400\n")
    assert "Ações não são &lt;caras&gt; &amp; ü ç ã õ" in vtt
    stamps = re.findall(r"^(\S+) --> (\S+)$", vtt, re.M)
    assert stamps == [("00:00:01.000", "00:00:04.400"), ("00:00:04.600", "00:00:05.900")]


def test_colours_and_sizes():
    assert cap.ass_colour("#FFD400") == "&H0000D4FF"
    assert cap.ass_colour("#102030", 0x80) == "&H80302010"
    assert cap.font_size(270, 480) == 19 and cap.font_size(1920, 1080) == 76
    small = cap.ass_text(timeline(216, 216))
    assert "PlayResX: 216" in small and ",Lato,15," in small
