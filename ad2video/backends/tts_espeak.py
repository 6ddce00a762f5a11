"""espeak-ng text-to-speech through ctypes (the library and data ship in espeakng-loader).

Measured facts this module relies on (espeak-ng 1.52 from espeakng-loader 0.2.4):
- espeakEVENT_WORD's text_position is 1-based and counts characters (code points) of the UTF-8
  input, not bytes: on "Ações não são" the second word is at 7.
- A number read as several words emits one event per spoken word, pointing inside the written
  token ("208" at 14, then "08" at 15): events are merged per written token.
- The library keeps static state across calls (a pitch "flutter" index in wavegen.c that neither
  espeak_Terminate nor espeak_Initialize reset), so the same text gave different samples
  depending on what was synthesized before. Loading a fresh copy of the library for every call
  (dlopen, ~1 ms) makes the output depend on the input alone.
"""

from __future__ import annotations

import bisect
import ctypes
import importlib.metadata
import threading
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ad2video.contracts import WordTiming
from ad2video.errors import UserError
from ad2video.fsutil import atomic_path
from ad2video.pronounce import Word, split_words

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000  # return an error instead of exit() when the data is missing
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_EVENT_LIST_TERMINATED = 0
_EVENT_WORD = 1
_RATE = 1
_PHONEMES_IPA = 0x02
RATE_RANGE = (80, 450)  # espeakRATE_MINIMUM .. espeakRATE_MAXIMUM


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_void_p),  # union { int number; const char *name; }
    ]


class _Voice(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),  # (priority byte, NUL-terminated code)*, then 0
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


_CALLBACK_TYPE = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)
# The library is process-global and not thread-safe: one synthesis at a time.
_LOCK = threading.Lock()
_pcm = bytearray()
_events: list[tuple[int, float]] = []  # (0-based character position, seconds)


@_CALLBACK_TYPE
def _on_synth(wav, numsamples, events):  # type: ignore[no-untyped-def]
    if numsamples > 0 and wav:
        _pcm.extend(ctypes.string_at(wav, numsamples * 2))
    i = 0
    while events[i].type != _EVENT_LIST_TERMINATED:
        ev = events[i]
        if ev.type == _EVENT_WORD:
            _events.append((ev.text_position - 1, ev.audio_position / 1000.0))
        i += 1
    return 0


def _paths() -> tuple[str, str]:
    try:
        import espeakng_loader

        return espeakng_loader.get_library_path(), espeakng_loader.get_data_path()
    except (ImportError, RuntimeError) as exc:
        raise UserError(f"espeak-ng is not available: {exc} (pip install espeakng-loader)") from exc


def _declare(lib: ctypes.CDLL) -> None:
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_SetSynthCallback.argtypes = [_CALLBACK_TYPE]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                 ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
    lib.espeak_Info.argtypes = [ctypes.c_void_p]
    lib.espeak_Info.restype = ctypes.c_char_p
    lib.espeak_ListVoices.argtypes = [ctypes.c_void_p]
    lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
    lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_int,
                                          ctypes.c_int]
    lib.espeak_TextToPhonemes.restype = ctypes.c_char_p


@contextmanager
def _session() -> Iterator[tuple[ctypes.CDLL, int]]:
    """A freshly loaded, initialised library (see the module docstring for why), unloaded after."""
    lib_path, data_path = _paths()
    with _LOCK:
        try:
            lib = ctypes.CDLL(lib_path)
        except OSError as exc:
            raise UserError(f"cannot load the espeak-ng library {lib_path}: {exc}") from exc
        try:
            _declare(lib)
            rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path.encode(),
                                         _INITIALIZE_DONT_EXIT)
            if rate <= 0:
                raise UserError(f"espeak-ng failed to initialise with data at {data_path}")
            try:
                lib.espeak_SetSynthCallback(_on_synth)
                yield lib, rate
            finally:
                lib.espeak_Terminate()
        finally:
            _unload(lib)


def _unload(lib: ctypes.CDLL) -> None:
    import _ctypes

    close = getattr(_ctypes, "dlclose", None)  # POSIX only; elsewhere state leaks, audio works
    if close is not None:
        close(lib._handle)


def _voice_codes(voice: _Voice) -> list[str]:
    addr, codes = voice.languages, []
    while addr and ctypes.string_at(addr, 1) != b"\0":  # a priority byte, then a C string
        code = ctypes.string_at(addr + 1)
        codes.append(code.decode("utf-8", "replace"))
        addr += len(code) + 2
    return codes


class EspeakTTS:
    """espeak-ng: offline, fast (~200x real time), robotic; word timings from its events."""

    name = "espeak"
    timing_method = "espeak-word-events"

    def __init__(self) -> None:
        self.calls = 0  # syntheses run by this object (tests read it to prove cache hits)
        self.last_events: list[tuple[int, float]] = []  # last word events: (char pos, seconds)
        self._voices: dict[str, str] | None = None
        self._version: str | None = None

    def describe_voices(self) -> dict[str, str]:
        """Voice code (what `voice` accepts, e.g. 'es-419') -> description."""
        if self._voices is None:
            found: dict[str, str] = {}
            with _session() as (lib, _):
                self._version = lib.espeak_Info(None).decode()
                table = lib.espeak_ListVoices(None)
                i = 0
                while table[i]:
                    v = table[i].contents
                    codes = _voice_codes(v)
                    if codes:
                        found.setdefault(codes[0], (v.name or b"").decode("utf-8", "replace"))
                    i += 1
            self._voices = dict(sorted(found.items()))
        return self._voices

    def voices(self) -> list[str]:
        return list(self.describe_voices())

    def version(self) -> str:
        """Library and data version: part of the cache key."""
        if self._version is None:
            self.describe_voices()
        return f"espeak-ng {self._version}, espeakng-loader {_loader_version()}"

    def phonemes(self, text: str, voice: str) -> str:
        """IPA of what the voice says for `text`: lets tests check how numbers are read."""
        out = []
        with _session() as (lib, _):
            _set_voice(lib, voice)
            ptr = ctypes.c_char_p(_clean(text).encode("utf-8"))
            while ptr.value:
                chunk = lib.espeak_TextToPhonemes(ctypes.byref(ptr), _CHARS_UTF8, _PHONEMES_IPA)
                out.append((chunk or b"").decode("utf-8", "replace").strip())
        return " ".join(p for p in out if p)

    def synthesize(
        self, text: str, voice: str, rate_wpm: int, out_wav: Path, locale: str | None = None
    ) -> tuple[float, list[WordTiming]]:
        """Speak `text` into a 16-bit mono WAV at the engine's rate; return its duration and one
        timing per word of `text` (see pronounce.split_words). `locale` is unused: the voice
        names the language."""
        lo, hi = RATE_RANGE
        if not lo <= rate_wpm <= hi:
            raise UserError(f"speaking rate must be {lo}..{hi} words per minute, got {rate_wpm}")
        self.calls += 1
        clean = _clean(text)
        data = clean.encode("utf-8")
        with _session() as (lib, sample_rate):
            _set_voice(lib, voice)
            lib.espeak_SetParameter(_RATE, rate_wpm, 0)
            _pcm.clear()
            _events.clear()
            err = lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8,
                                   None, None)
            pcm = np.frombuffer(bytes(_pcm), dtype="<i2").copy()
            events = self.last_events = list(_events)
        if err != 0:
            raise UserError(f"espeak-ng could not synthesize the text (error {err})")
        if pcm.size == 0:  # nothing speakable (only punctuation): a short silence
            pcm = np.zeros(sample_rate // 20, dtype=np.int16)
        write_wav(out_wav, pcm, sample_rate)
        return pcm.size / sample_rate, word_timings(clean, events, pcm, sample_rate)


def _loader_version() -> str:
    try:
        return importlib.metadata.version("espeakng-loader")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _clean(text: str) -> str:
    # NUL would end the C string early and control characters confuse espeak; replacing them
    # one for one keeps character offsets unchanged.
    return "".join(" " if ord(ch) < 32 or ch == "\x7f" else ch for ch in text)


def _set_voice(lib: ctypes.CDLL, voice: str) -> None:
    if lib.espeak_SetVoiceByName(voice.encode("utf-8")) != 0:
        raise UserError(f"unknown voice '{voice}' for engine 'espeak'")


def write_wav(path: Path, pcm: np.ndarray, sample_rate: int) -> None:
    """Write 16-bit mono PCM atomically."""
    with atomic_path(path) as tmp, wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm.astype("<i2").tobytes())


def speech_bounds(pcm: np.ndarray, floor: float = 0.02) -> tuple[int, int] | None:
    """First and one-past-last sample louder than `floor` x peak (and than 32), or None."""
    if pcm.size == 0:
        return None
    mag = np.abs(pcm.astype(np.int32))
    loud = np.flatnonzero(mag > max(32.0, floor * float(mag.max())))
    return (int(loud[0]), int(loud[-1]) + 1) if loud.size else None


def _owner(words: list[Word], starts: list[int], pos: int) -> int:
    """Index of the written word an event at character `pos` belongs to."""
    i = max(0, bisect.bisect_right(starts, pos) - 1)
    if pos >= words[i].end and i + 1 < len(words):
        return i + 1  # between tokens: the event announces the next word
    return i


def _fill(found: list[float | None], words: list[Word], end: float) -> list[float]:
    """Make starts monotonic and give words espeak skipped a start between their neighbours,
    shared out by word length."""
    last = 0.0
    for i, t in enumerate(found):
        if t is not None:
            found[i] = last = max(t, last)
    out: list[float] = []
    i = 0
    while i < len(found):
        if (t := found[i]) is not None:
            out.append(t)
            i += 1
            continue
        j = next((k for k in range(i, len(found)) if found[k] is not None), len(found))
        right = found[j] if j < len(found) else end
        first = max(i - 1, 0)  # the word before the gap shares it
        left = out[-1] if i > 0 else 0.0
        span = max(right, left) - left  # type: ignore[operator]
        weights = [max(1, len(w.text)) for w in words[first:j]]
        total = float(sum(weights))
        out.extend(left + span * sum(weights[: k - first]) / total for k in range(i, j))
        i = j
    return out


def word_timings(
    text: str, events: list[tuple[int, float]], pcm: np.ndarray, sample_rate: int
) -> list[WordTiming]:
    """One timing per written word of `text` from espeak word events (char pos, seconds)."""
    words = split_words(text)
    if not words:
        return []
    duration = pcm.size / sample_rate
    bounds = speech_bounds(pcm)
    speech_end = bounds[1] / sample_rate if bounds else duration
    starts = [w.start for w in words]
    found: list[float | None] = [None] * len(words)
    for pos, t in events:
        i = _owner(words, starts, pos)
        found[i] = t if found[i] is None else min(found[i], t)  # type: ignore[type-var]
    times = [min(max(t, 0.0), duration) for t in _fill(found, words, speech_end)]
    ends = [*times[1:], max(times[-1], min(speech_end, duration))]
    return [
        WordTiming(text=w.text, start=round(s, 4), end=round(max(s, e), 4),
                   char_start=w.start, char_end=w.end)
        for w, s, e in zip(words, times, ends, strict=True)
    ]
