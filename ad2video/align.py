"""Word timings for engines that give none (piper, OpenAI TTS): an honest, simple alignment.

1. The audio is cut into speech regions at measured pauses (ad2video.audio.speech_regions).
2. Each pause is matched to at most one word boundary by dynamic programming: a boundary
   whose share of the text (weighted by phoneme count) is close to the share of speech time
   before the pause wins, punctuation makes a boundary likelier, and a long pause that matches
   no boundary costs more than a short one (a stop consonant's silence).
3. Between matched pauses, words share the speech time in proportion to their phoneme counts
   (espeak-ng's phonemes of each word, so "45000" weighs what is said, not what is written).

The result is recorded as timing_method TIMING_METHOD; it is usually within a word of the truth
(tests measure it against espeak's own word events), never a forced alignment.
"""

from __future__ import annotations

import functools
import itertools
import unicodedata

import numpy as np

from ad2video.audio import speech_regions
from ad2video.contracts import WordTiming
from ad2video.errors import UserError
from ad2video.pronounce import Word, split_words

TIMING_METHOD = "pauses+proportional-phonemes"
NATURAL_WPM = 165  # --rate that means a neural voice's own pace (piper, openai)
PACE_RANGE = (80, 330)  # --rate limits for them: half to twice their own pace
MIN_PAUSE_S = 0.12  # silences shorter than this are inside words (stop consonants)
FINAL_WEIGHT = 2.0  # phonemes' worth of lengthening of the word before a pause
_SIGMA = 0.06  # how far (share of the speech) a pause may sit from its boundary
_BONUS = {".": 2.5, "!": 2.5, "?": 2.5, "…": 2.5, ",": 1.5, ";": 1.5, ":": 1.5}
_MARKS = frozenset("ˈˌːˑ")

Region = tuple[float, float]


@functools.lru_cache(maxsize=4096)
def _phoneme_count(core: str, voice: str | None) -> int:
    if voice:
        try:
            ipa = _espeak().phonemes(core, voice)
        except Exception:  # weights only: a missing voice falls back to letters
            ipa = ""
        count = sum(1 for ch in ipa if unicodedata.category(ch)[0] == "L" and ch not in _MARKS)
        if count:
            return count
    return max(1, sum(ch.isalnum() for ch in core))


@functools.lru_cache(maxsize=1)
def _espeak():  # -> EspeakTTS, one per process
    from ad2video.backends.tts_espeak import EspeakTTS

    return EspeakTTS()


def pace(engine: str, rate_wpm: int) -> float:
    """--rate as a multiple of a neural voice's own pace (165 wpm = 1.0), checked."""
    lo, hi = PACE_RANGE
    if not lo <= rate_wpm <= hi:
        raise UserError(f"speaking rate for {engine} must be {lo}..{hi} ({NATURAL_WPM} = the "
                        f"voice's own pace), got {rate_wpm}")
    return rate_wpm / NATURAL_WPM


def word_weights(words: list[Word], espeak_voice: str | None) -> list[float]:
    """Relative speaking time of each word: its phoneme count in `espeak_voice`."""
    return [float(_phoneme_count(w.text, espeak_voice)) for w in words]


def _bonus(text: str, word: Word) -> float:
    token = text[word.start:word.end].rstrip("\"')]»”")
    return _BONUS.get(token[-1:], 0.0) if token else 0.0


def _match_pauses(shares: list[float], bonus: list[float], at: list[float],
                  lengths: list[float]) -> list[int | None]:
    """For each pause, the boundary (index into `shares`) it falls on, or None; boundaries
    strictly increase along the pauses."""
    n, inf = len(shares), float("inf")
    best = [0.0] + [inf] * n  # best[k + 1]: cost so far with boundary k the last one used
    choices: list[list[int]] = []
    for pos, length in zip(at, lengths, strict=True):
        skip = 1.0 + 8.0 * max(0.0, length - MIN_PAUSE_S)
        new, choice = [c + skip for c in best], [-1] * (n + 1)
        run_min, run_arg = best[0], 0
        for k in range(n):
            cost = run_min + 0.5 * ((shares[k] - pos) / _SIGMA) ** 2 - bonus[k]
            if cost < new[k + 1]:
                new[k + 1], choice[k + 1] = cost, run_arg
            if best[k + 1] < run_min:
                run_min, run_arg = best[k + 1], k + 1
        best = new
        choices.append(choice)
    state, out = int(np.argmin(best)), []
    for choice in reversed(choices):
        prev = choice[state]
        out.append(None if prev < 0 else state - 1)
        state = state if prev < 0 else prev
    return out[::-1]


def _spread(weights: list[float], regions: list[Region]) -> list[float]:
    """Start times of words sharing `regions` in proportion to `weights`; the last word is
    stretched by FINAL_WEIGHT (speakers lengthen the word before a pause)."""
    weights = [*weights[:-1], weights[-1] + FINAL_WEIGHT]
    lengths = [b - a for a, b in regions]
    total, wsum = sum(lengths), sum(weights)
    starts, done = [], 0.0
    for w in weights:
        offset, t = total * done / wsum, regions[-1][1]
        for (_, b), cum in zip(regions, np.cumsum(lengths), strict=True):
            if offset < cum - 1e-9:
                t = b - (cum - offset)
                break
        starts.append(max(t, regions[0][0]))
        done += w
    return starts


def align_words(text: str, pcm: np.ndarray, rate: int,
                espeak_voice: str | None) -> list[WordTiming]:
    """One timing per word of `text` (pronounce.split_words) in `pcm`, seconds."""
    words = split_words(text)
    if not words:
        return []
    duration = pcm.size / rate
    regions = speech_regions(pcm, rate, MIN_PAUSE_S) or [(0.0, duration)]
    weights = word_weights(words, espeak_voice)
    cum = np.cumsum(weights)
    shares = [float(c / cum[-1]) for c in cum[:-1]]  # boundary k: before word k + 1
    speech = np.cumsum([b - a for a, b in regions])
    at = [float(s / speech[-1]) for s in speech[:-1]]
    gaps = [regions[j + 1][0] - regions[j][1] for j in range(len(regions) - 1)]
    bonus = [_bonus(text, w) for w in words[:-1]]
    matched = _match_pauses(shares, bonus, at, gaps)
    cuts = [(j, k) for j, k in enumerate(matched) if k is not None]
    bounds = [(-1, -1), *cuts, (len(regions) - 1, len(words) - 1)]
    starts: list[float] = []
    ends: list[float] = []
    for (j0, k0), (j1, k1) in itertools.pairwise(bounds):
        seg = regions[j0 + 1 : j1 + 1]
        seg_starts = _spread(weights[k0 + 1 : k1 + 1], seg)
        starts += seg_starts
        ends += [*seg_starts[1:], seg[-1][1]]
    return [
        WordTiming(text=w.text, start=round(s, 4), end=round(max(s, e), 4),
                   char_start=w.start, char_end=w.end)
        for w, s, e in zip(words, starts, ends, strict=True)
    ]
