"""Text-to-speech over the OpenAI-compatible /v1/audio/speech endpoint (official `openai` SDK).

Works with OpenAI itself or any server that speaks the same protocol (set the base URL).
Configured through the environment, so no key ever lands in a command line or a manifest:

  AD2VIDEO_TTS_API_KEY, else OPENAI_API_KEY     the key (required; local servers take any)
  AD2VIDEO_TTS_BASE_URL, else OPENAI_BASE_URL   e.g. http://localhost:8880/v1
  AD2VIDEO_TTS_MODEL                            default gpt-4o-mini-tts
  AD2VIDEO_TTS_INSTRUCTIONS                     how to speak; default: per locale, below

The endpoint gives no word timings, so they come from ad2video.align on the returned audio.
"""

from __future__ import annotations

import importlib.metadata
import os
import threading
from pathlib import Path
from typing import Any

from ad2video.align import TIMING_METHOD, align_words, pace
from ad2video.audio import wav_bytes_to_pcm
from ad2video.backends.tts_espeak import write_wav
from ad2video.contracts import WordTiming
from ad2video.errors import UserError

KEY_ENVS = ("AD2VIDEO_TTS_API_KEY", "OPENAI_API_KEY")
BASE_URL_ENVS = ("AD2VIDEO_TTS_BASE_URL", "OPENAI_BASE_URL")
MODEL_ENV = "AD2VIDEO_TTS_MODEL"
INSTRUCTIONS_ENV = "AD2VIDEO_TTS_INSTRUCTIONS"
DEFAULT_MODEL = "gpt-4o-mini-tts"
TIMEOUT_S = 60.0
VOICES = ("alloy", "ash", "ballad", "cedar", "coral", "echo", "fable", "marin", "nova", "onyx",
          "sage", "shimmer", "verse")  # OpenAI's built-in voices; other servers have their own
DEFAULT_VOICE = "coral"  # multilingual: the locale's accent comes from the instructions
INSTRUCTIONS = {
    "en": "Speak in clear American English, calm and friendly, like a short product video.",
    "es": "Habla en español neutro, claro, tranquilo y amable, como en un video corto.",
    "es-AR": "Hablá en español rioplatense de Argentina, con voseo, claro, tranquilo y amable.",
    "pt-BR": "Fale em português do Brasil, claro, calmo e simpático, como em um vídeo curto.",
}


def _env(*names: str) -> str | None:
    return next((v for n in names if (v := os.environ.get(n, "").strip())), None)


def missing() -> str | None:
    """Why this engine cannot run here, or None when it can."""
    try:
        import openai  # noqa: F401
    except ImportError:
        return "not installed: pip install 'ad2video[tts]'"
    if _env(*KEY_ENVS) is None:
        return f"no API key: set {KEY_ENVS[1]} (or {KEY_ENVS[0]})"
    return None


class OpenAITTS:
    """OpenAI-compatible speech endpoint: natural voices, needs a key and the network."""

    name = "openai"
    timing_method = TIMING_METHOD

    def __init__(self) -> None:
        self.calls = 0  # requests sent by this object (tests read it to prove cache hits)
        self._lock = threading.Lock()

    def describe_voices(self) -> dict[str, str]:
        return {v: "built-in OpenAI voice" for v in VOICES}

    def voices(self) -> list[str]:
        return list(VOICES)

    def default_voice(self, locale: str) -> str:
        return DEFAULT_VOICE

    def check_voice(self, voice: str) -> None:
        # Compatible servers have their own voice names: only the server can tell.
        if not voice.strip() or len(voice) > 100:
            raise UserError(f"unknown voice '{voice}' for engine 'openai'")

    def version(self) -> str:
        try:
            return f"openai-sdk {importlib.metadata.version('openai')}"
        except importlib.metadata.PackageNotFoundError:
            return "openai-sdk missing"

    def settings(self, voice: str, locale: str) -> dict[str, Any]:
        """Everything besides text, voice and rate that decides the audio (the cache key)."""
        return {"model": _env(MODEL_ENV) or DEFAULT_MODEL, "base_url": _env(*BASE_URL_ENVS),
                "instructions": self.instructions(locale)}

    def instructions(self, locale: str | None) -> str | None:
        model = _env(MODEL_ENV) or DEFAULT_MODEL
        if model.startswith("tts-1"):  # these models refuse instructions
            return None
        return _env(INSTRUCTIONS_ENV) or INSTRUCTIONS.get(locale or "en")

    def _client(self) -> Any:
        if (reason := missing()) is not None:
            raise UserError(f"the openai TTS engine cannot run: {reason}")
        import openai

        return openai.OpenAI(api_key=_env(*KEY_ENVS), base_url=_env(*BASE_URL_ENVS),
                             timeout=TIMEOUT_S, max_retries=2)

    def synthesize(self, text: str, voice: str, rate_wpm: int, out_wav: Path,
                   locale: str | None = None) -> tuple[float, list[WordTiming]]:
        """Request WAV audio for `text`; timings per word from ad2video.align."""
        speed = round(pace(self.name, rate_wpm), 3)
        extra = {"instructions": i} if (i := self.instructions(locale)) else {}
        with self._lock:
            self.calls += 1
        data = self._request(text=text, voice=voice, speed=speed,
                             model=_env(MODEL_ENV) or DEFAULT_MODEL, **extra)
        try:
            pcm, rate = wav_bytes_to_pcm(data)
        except ValueError as exc:
            raise UserError(f"the TTS server did not return usable WAV audio: {exc}") from exc
        if pcm.size == 0:
            raise UserError("the TTS server returned empty audio")
        write_wav(out_wav, pcm, rate)
        from ad2video.stages.narrate import LOCALE_VOICES  # espeak voice for the word weights

        return pcm.size / rate, align_words(text, pcm, rate, LOCALE_VOICES.get(locale or "en"))

    def _request(self, text: str, **params: Any) -> bytes:
        import openai

        client = self._client()
        try:
            response = client.audio.speech.create(input=text, response_format="wav", **params)
            return response.read()
        except openai.APIStatusError as exc:
            body = exc.body if isinstance(exc.body, dict) else {}
            detail = " ".join(str(body.get("message") or exc.message).split())[:200]
            raise UserError(f"TTS request failed with HTTP {exc.status_code} at "
                            f"{client.base_url}: {detail}") from exc
        except openai.APIError as exc:  # connection refused, time-out
            detail = " ".join(str(exc).split())[:200]
            raise UserError(f"TTS request to {client.base_url} failed: {detail}") from exc
