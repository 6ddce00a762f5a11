"""Caption chunking: narration words -> short on-screen captions with per-word timings."""

from __future__ import annotations

import itertools

from ad2video.contracts import Caption, CaptionWord, WordTiming

BREAK_AFTER = (".", ",", ";", ":", "?", "!", "…")
MERGE_GAP = 0.3  # a caption stays up until the next one if the gap is shorter than this


def max_caption_chars(width: int, height: int) -> int:
    """Characters per caption (two lines at most) for the frame's shape."""
    if width < height:
        return 30
    if width == height:
        return 40
    return 56


def chunk_words(text: str, words: list[WordTiming], max_chars: int) -> list[list[WordTiming]]:
    """Group words into captions: break at punctuation or before `max_chars` is exceeded."""
    chunks: list[list[WordTiming]] = []
    current: list[WordTiming] = []
    for word in words:
        if current and _span_len(text, current[0], word) > max_chars:
            chunks.append(current)
            current = []
        current.append(word)
        token = text[word.char_start:word.char_end].rstrip()
        if len(current) >= 2 and token.endswith(BREAK_AFTER):
            chunks.append(current)
            current = []
    if current:
        chunks.append(current)
    return chunks


def _span_len(text: str, first: WordTiming, last: WordTiming) -> int:
    return len(text[first.char_start:last.char_end])


def scene_captions(text: str, words: list[WordTiming], offset: float, width: int,
                   height: int | None = None) -> list[Caption]:
    """Captions for one scene, in timeline time (scene start = `offset`)."""
    limit = max_caption_chars(width, height if height is not None else width * 16 // 9)
    captions: list[Caption] = []
    for chunk in chunk_words(text, words, limit):
        cw = [
            CaptionWord(text=text[w.char_start:w.char_end], start=round(offset + w.start, 6),
                        end=round(offset + w.end, 6))
            for w in chunk
        ]
        caption_text = " ".join(text[chunk[0].char_start:chunk[-1].char_end].split())
        captions.append(Caption(start=cw[0].start, end=cw[-1].end, text=caption_text, words=cw))
    for prev, nxt in itertools.pairwise(captions):
        if 0 < nxt.start - prev.end < MERGE_GAP:
            prev.end = nxt.start
    return captions
