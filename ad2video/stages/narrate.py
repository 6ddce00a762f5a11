"""Narrate stage: Script -> Narration (one trimmed, normalised WAV per scene + word timings).

The engine reads a rewritten text (pronounce.rewrite: units, numbers, years), while the word
timings refer to the displayed Scene.narration, so captions show what was written.
"""

from __future__ import annotations

import json
import os
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from ad2video.audio import TimeMap, polish
from ad2video.backends.tts_espeak import EspeakTTS, write_wav
from ad2video.backends.tts_openai import OpenAITTS
from ad2video.backends.tts_piper import PiperTTS
from ad2video.contracts import Narration, Scene, SceneAudio, Script, WordTiming
from ad2video.errors import UserError
from ad2video.fsutil import sha256_text, write_text
from ad2video.pronounce import Lexicon, Spoken, load_lexicon, rewrite

CACHE_ENV = "AD2VIDEO_CACHE"
_CACHE_FORMAT = 1  # bump when the cached timings' meaning changes

LOCALE_VOICES = {"en": "en-us", "es": "es", "es-AR": "es-419", "pt-BR": "pt-br"}


class TTSEngine(Protocol):
    name: str
    timing_method: str

    def voices(self) -> list[str]: ...
    def describe_voices(self) -> dict[str, str]: ...
    def version(self) -> str: ...
    def synthesize(
        self, text: str, voice: str, rate_wpm: int, out_wav: Path, locale: str | None = None
    ) -> tuple[float, list[WordTiming]]: ...

    # Optional: default_voice(locale) -> str, check_voice(voice) -> None (raises UserError),
    # settings(voice, locale) -> dict of what else decides the samples (part of the cache key).


ENGINES: dict[str, Callable[[], TTSEngine]] = {
    "espeak": EspeakTTS, "piper": PiperTTS, "openai": OpenAITTS}
_instances: dict[str, TTSEngine] = {}


@dataclass(frozen=True)
class NarrateOptions:
    # TTS engine name, one of ENGINES.
    engine: str = "espeak"
    # Engine voice (e.g. "es-419"); None picks the script locale's voice (LOCALE_VOICES).
    voice: str | None = None
    # Speaking rate in words per minute: a little under espeak's 175 reads clearer in ads.
    rate_wpm: int = 165
    # Silence after each scene in the timeline, seconds (recorded in Narration.pause).
    pause: float = 0.35
    # Synthesis cache; None = $AD2VIDEO_CACHE/tts, else ~/.cache/ad2video/tts.
    cache_dir: Path | None = None
    # False synthesizes every scene again and leaves the cache untouched.
    use_cache: bool = True
    # Extra pronunciation lexicon (YAML, same keys as ad2video/locales/lexicon-*.yaml);
    # None falls back to $AD2VIDEO_LEXICON.
    lexicon: Path | None = None


def get_engine(name: str) -> TTSEngine:
    """The engine called `name` (one object per process: the library state is global)."""
    if name not in ENGINES:
        raise UserError(f"unknown TTS engine '{name}' (known: {', '.join(sorted(ENGINES))})")
    if name not in _instances:
        _instances[name] = ENGINES[name]()
    return _instances[name]


def locale_voice(locale: str) -> str:
    """Default espeak voice for a script locale."""
    if locale not in LOCALE_VOICES:
        raise UserError(f"unknown locale '{locale}' (known: {', '.join(LOCALE_VOICES)})")
    return LOCALE_VOICES[locale]


def available_voices(engine: str = "espeak") -> dict[str, str]:
    """Locale -> its default voice, or "" where the engine lacks that voice (for `doctor`)."""
    have = set(get_engine(engine).voices())
    return {loc: (v if v in have else "") for loc, v in LOCALE_VOICES.items()}


def default_voice(engine: TTSEngine, locale: str) -> str:
    """The engine's voice for a script locale (espeak's from LOCALE_VOICES)."""
    choose = getattr(engine, "default_voice", None)
    return choose(locale) if choose is not None else locale_voice(locale)


def check_voice(engine: TTSEngine, voice: str) -> None:
    """Raise a UserError naming close matches when the engine has no such voice."""
    if (own := getattr(engine, "check_voice", None)) is not None:
        own(voice)
        return
    have = engine.voices()
    if voice in have:
        return
    near = [v for v in have if v.split("-")[0] == voice.lower().split("-")[0]]
    hint = ", ".join(near or sorted(set(LOCALE_VOICES.values())))
    raise UserError(f"unknown voice '{voice}' for engine '{engine.name}' (try: {hint})")


def run(script: Script, run_dir: Path, options: NarrateOptions | None = None) -> Narration:
    """Synthesize every scene into run_dir/audio/scene_NNN.wav and time its words."""
    options = options or NarrateOptions()
    engine = get_engine(options.engine)
    voice = options.voice or default_voice(engine, script.locale)
    check_voice(engine, voice)
    if not 0 <= options.pause <= 5:
        raise UserError(f"pause must be 0..5 seconds, got {options.pause}")
    lexicon = load_lexicon(script.locale, options.lexicon)
    scenes, rates = [], set()
    for scene in script.scenes:
        audio, rate = _narrate_scene(engine, voice, options, lexicon, scene, run_dir,
                                     script.locale)
        scenes.append(audio)
        rates.add(rate)
    if len(rates) != 1:
        raise UserError(f"engine '{engine.name}' returned mixed sample rates {sorted(rates)}")
    return Narration(engine=engine.name, voice=voice, sample_rate=rates.pop(),
                     pause=options.pause, scenes=scenes)


def _narrate_scene(
    engine: TTSEngine, voice: str, options: NarrateOptions, lexicon: Lexicon, scene: Scene,
    run_dir: Path, locale: str,
) -> tuple[SceneAudio, int]:
    spoken = rewrite(scene.narration, lexicon)
    pcm, rate, words = _synthesize_cached(engine, voice, options, spoken.text, run_dir, locale)
    pcm, remap = polish(pcm, rate)  # trims pauses: timings move with `remap`
    duration = pcm.size / rate
    rel = f"audio/scene_{scene.index:03d}.wav"
    write_wav(run_dir / rel, pcm, rate)
    shown = _to_shown(spoken, words, remap, duration)
    return SceneAudio(scene=scene.index, path=rel, duration=duration, words=shown,
                      timing_method=engine.timing_method), rate


def _cache_root(options: NarrateOptions) -> Path:
    if options.cache_dir is not None:
        return options.cache_dir
    if root := os.environ.get(CACHE_ENV):
        return Path(root) / "tts"
    return Path.home() / ".cache" / "ad2video" / "tts"


def _synthesize_cached(
    engine: TTSEngine, voice: str, options: NarrateOptions, text: str, run_dir: Path,
    locale: str,
) -> tuple[np.ndarray, int, list[WordTiming]]:
    """Engine output for `text`, from the cache when the same synthesis was done before."""
    parts: list = [_CACHE_FORMAT, engine.name, engine.version(), voice, options.rate_wpm, text]
    if (settings := getattr(engine, "settings", None)) is not None:
        parts.append(settings(voice, locale))  # model file hash, server, instructions...
    key = sha256_text(json.dumps(parts, sort_keys=True))
    if options.use_cache:
        base = _cache_root(options) / key[:2] / key
        try:
            base.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot write the TTS cache {base.parent}: {exc.strerror} "
                            f"(set {CACHE_ENV} to a writable folder)") from exc
    else:
        base = run_dir / "audio" / f".uncached-{key[:16]}"
    wav_path, json_path = base.with_suffix(".wav"), base.with_suffix(".json")
    if options.use_cache and (hit := _read_cached(wav_path, json_path)) is not None:
        return hit
    try:
        _, words = engine.synthesize(text, voice, options.rate_wpm, wav_path, locale=locale)
        pcm, rate = read_wav(wav_path)
    finally:
        if not options.use_cache:
            wav_path.unlink(missing_ok=True)
    if options.use_cache:
        record = {"text": text, "words": [w.model_dump() for w in words]}
        write_text(json_path, json.dumps(record, ensure_ascii=False, indent=1) + "\n")
    return pcm, rate, words


def _read_cached(wav: Path, meta: Path) -> tuple[np.ndarray, int, list[WordTiming]] | None:
    if not (wav.is_file() and meta.is_file()):
        return None
    try:
        words = [WordTiming.model_validate(w) for w in json.loads(meta.read_text("utf-8"))["words"]]
        pcm, rate = read_wav(wav)
    except (ValueError, KeyError, TypeError, OSError, wave.Error):
        return None  # a damaged entry is synthesized again and overwritten
    return pcm, rate, words


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """16-bit mono PCM samples and sample rate."""
    with wave.open(str(path), "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise wave.Error(f"{path}: expected 16-bit mono")
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").copy(), w.getframerate()


def _to_shown(
    spoken: Spoken, words: list[WordTiming], remap: TimeMap, duration: float
) -> list[WordTiming]:
    """Timings of the displayed words from the spoken words they became."""
    if len(words) != (spoken.groups[-1][1] if spoken.groups else 0):
        raise UserError("TTS engine returned a word count that does not match its input text")

    def at(t: float) -> float:
        return round(min(max(remap(t), 0.0), duration), 4)

    out = []
    for word, (a, b) in zip(spoken.shown, spoken.groups, strict=True):
        start, end = at(words[a].start), at(words[b - 1].end)
        if out and start < out[-1].end:  # keep it monotonic after rounding and clamping
            start = out[-1].end
        out.append(WordTiming(text=word.text, start=start, end=max(start, end),
                              char_start=word.start, char_end=word.end))
    return out
