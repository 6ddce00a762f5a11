"""Speech audio helpers: pause detection, pause trimming, level matching, a peak limiter.

All work on 16-bit mono PCM (numpy int16) at the engine's sample rate. Trimming returns a
TimeMap so word timings measured on the raw audio can be moved onto the trimmed audio.
"""

from __future__ import annotations

import io
import itertools
import math
import wave
from dataclasses import dataclass

import numpy as np

from ad2video.backends.tts_espeak import speech_bounds

FRAME_S = 0.01  # level frames for pause detection and loudness gating
LEAD_S = 0.06  # silence kept before the first sound: a natural onset, not a click
TAIL_S = 0.08  # silence kept after the last sound; scene pauses are added by the timeline
MAX_PAUSE_S = 0.6  # inner silences longer than this are shortened to it
TARGET_DBFS = -20.0  # gated RMS level every scene is brought to (speech crest is ~18 dB)
CEILING_DBFS = -1.0  # no sample ever goes above this
_QUIET_DB = 40.0  # a frame this far under the loudest frame is silence
_ABS_GATE_DBFS = -60.0  # frames under this are never speech
_FLOOR_DBFS = -90.0  # frames under this never count towards the level (digital silence)


@dataclass(frozen=True)
class TimeMap:
    """Old seconds -> new seconds, piecewise linear (flat inside removed silence)."""

    old: tuple[float, ...]
    new: tuple[float, ...]

    def __call__(self, t: float) -> float:
        return float(np.interp(t, self.old, self.new))


def frame_db(pcm: np.ndarray, rate: int, frame_s: float = FRAME_S) -> np.ndarray:
    """Level of each `frame_s` frame in dBFS (the last partial frame is dropped)."""
    size = max(1, round(frame_s * rate))
    count = pcm.size // size
    if count == 0:
        return np.zeros(0)
    frames = pcm[: count * size].astype(np.float64).reshape(count, size) / 32768.0
    power = (frames * frames).mean(axis=1)
    return 10.0 * np.log10(power + 1e-12)


def speech_regions(pcm: np.ndarray, rate: int, min_pause: float = 0.12,
                   quiet_db: float = _QUIET_DB) -> list[tuple[float, float]]:
    """(start, end) seconds of sound separated by silences of at least `min_pause` seconds.

    A frame is silent when it is `quiet_db` under the loudest frame (and under -60 dBFS
    absolute is always silent); shorter silences (stop consonants) stay inside a region.
    """
    db = frame_db(pcm, rate)
    if db.size == 0:
        return []
    loud = (db > db.max() - quiet_db) & (db > _ABS_GATE_DBFS)
    idx = np.flatnonzero(loud)
    if idx.size == 0:
        return []
    step = max(1, round(FRAME_S * rate)) / rate  # a frame's real length in seconds
    breaks = np.flatnonzero(np.diff(idx) > max(1, round(min_pause / step)))
    starts = [idx[0], *idx[breaks + 1]]
    ends = [*idx[breaks], idx[-1]]
    return [(round(a * step, 4), round(min((b + 1) * step, pcm.size / rate), 4))
            for a, b in zip(starts, ends, strict=True)]


def gated_level(pcm: np.ndarray, rate: int) -> float | None:
    """Loudness-like level in dBFS: mean power of the sounding frames (within 40 dB of the
    loudest), then of those within 20 dB of that mean (BS.1770's two-stage gating on 10 ms
    frames, no K-weighting). Gates relative to the audio itself: a gain moves the level by
    exactly that gain, so one pass of match_level lands on its target."""
    db = frame_db(pcm, rate)
    db = db[(db > _FLOOR_DBFS) & (db > (db.max() if db.size else 0.0) - _QUIET_DB)]
    if db.size == 0:
        return None
    first = 10.0 * np.log10(np.mean(10.0 ** (db / 10.0)))
    kept = db[db > first - 20.0]
    return float(10.0 * np.log10(np.mean(10.0 ** (kept / 10.0))))


def limit(x: np.ndarray, rate: int, ceiling: float, window_s: float = 0.004) -> np.ndarray:
    """Smooth gain reduction so |x| never exceeds `ceiling` (x in float sample units).

    The gain needed at each sample is spread to its neighbours (a sliding minimum of radius
    >= `window_s`) and then averaged over a shorter window, so the average never rises above
    what any sample inside it needs: no overshoot, and no hard clipping distortion.
    """
    mag = np.abs(x)
    if mag.size == 0 or mag.max() <= ceiling:
        return x
    need = np.minimum(1.0, ceiling / np.maximum(mag, 1e-9))
    radius, span = 1, max(1, round(window_s * rate))
    env = need.copy()
    while radius < span:  # van Herk-style doubling: window radius 1, 2, 4, ... >= span
        env[radius:] = np.minimum(env[radius:], env[:-radius])
        env[:-radius] = np.minimum(env[:-radius], env[radius:])
        radius *= 2
    kernel = np.ones(2 * (radius // 2) + 1) / (2 * (radius // 2) + 1)
    smooth = np.convolve(np.pad(env, radius // 2, mode="edge"), kernel, mode="valid")
    return x * np.minimum(smooth, need)


def match_level(pcm: np.ndarray, rate: int, target_db: float = TARGET_DBFS,
                ceiling_db: float = CEILING_DBFS) -> np.ndarray:
    """Bring the gated level to `target_db` with a limiter at `ceiling_db`: every scene of a
    video sounds equally loud, and nothing clips."""
    level = gated_level(pcm, rate)
    if level is None:
        return pcm
    x = pcm.astype(np.float64) * 10.0 ** ((target_db - level) / 20.0)
    # Half a step under the largest whole sample at the ceiling: rounding cannot cross it.
    x = limit(x, rate, math.floor(32768.0 * 10.0 ** (ceiling_db / 20.0)) - 0.5)
    return np.clip(np.rint(x), -32768, 32767).astype(np.int16)


def trim_silence(pcm: np.ndarray, rate: int, lead: float = LEAD_S, tail: float = TAIL_S,
                 max_pause: float = MAX_PAUSE_S) -> tuple[np.ndarray, TimeMap]:
    """Fixed short lead and tail of silence (trimming or padding) and inner pauses no longer
    than `max_pause`; the TimeMap moves times of the input onto the output."""
    regions = speech_regions(pcm, rate, min_pause=max_pause)
    bounds = speech_bounds(pcm)  # sample-exact ends: the lead and tail are short
    if not regions or bounds is None:
        return pcm, TimeMap((0.0, 1.0), (0.0, 1.0))
    keep: list[tuple[int, int]] = []  # sample ranges of the input kept, in order
    first = bounds[0] - round(lead * rate)
    cursor = max(first, 0)
    half = round(max_pause * rate / 2)
    for (_, end), (start, _) in itertools.pairwise(regions):
        a, b = round(end * rate) + half, round(start * rate) - half
        if b > a:  # cut the middle of a long pause, keep `max_pause` of it
            keep.append((cursor, a))
            cursor = b
    last = min(pcm.size, bounds[1] + round(tail * rate))
    keep.append((cursor, max(last, cursor)))
    pad = max(-first, 0)  # speech that starts at the first sample gets silence in front
    parts = [np.zeros(pad, dtype=np.int16)] + [pcm[a:b] for a, b in keep]
    old, new, at = [0.0], [pad / rate], pad
    for a, b in keep:
        old += [a / rate, b / rate]
        new += [at / rate, (at + b - a) / rate]
        at += b - a
    old.append(max(pcm.size / rate, old[-1]) + 1.0)
    new.append(new[-1])
    return np.concatenate(parts), TimeMap(tuple(old), tuple(new))


def polish(pcm: np.ndarray, rate: int) -> tuple[np.ndarray, TimeMap]:
    """Trim silences to natural pauses and match the level: what every scene's audio gets."""
    trimmed, remap = trim_silence(pcm, rate)
    return match_level(trimmed, rate), remap


def wav_bytes_to_pcm(data: bytes) -> tuple[np.ndarray, int]:
    """16-bit PCM of a WAV file's bytes (stereo is averaged); tolerant of the 'unknown length'
    headers that streaming servers write."""
    try:
        with wave.open(io.BytesIO(data), "rb") as w:
            channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
            raw = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as exc:
        raise ValueError(f"not a WAV file: {exc}") from exc
    if width != 2:
        raise ValueError(f"expected 16-bit WAV samples, got {8 * width}-bit")
    pcm = np.frombuffer(raw[: len(raw) // (2 * channels) * 2 * channels], dtype="<i2")
    if channels > 1:
        pcm = pcm.reshape(-1, channels).mean(axis=1).round().astype(np.int16)
    return pcm.astype(np.int16), rate
