"""`ad2video voices` through the real CLI: engines, what runs here, default voice per locale."""

from __future__ import annotations

import json

import pytest

from ad2video.backends import tts_piper
from tests.conftest import run_cli


def test_voices_lists_every_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "AD2VIDEO_TTS_API_KEY", tts_piper.VOICE_ENV):
        monkeypatch.delenv(name, raising=False)
    res = run_cli("voices", "--json")
    assert res.returncode == 0, res.stderr
    report = {e["engine"]: e for e in json.loads(res.stdout)["engines"]}
    assert list(report) == ["espeak", "piper", "openai"]
    espeak = report["espeak"]
    assert espeak["available"] and espeak["timing_method"] == "espeak-word-events"
    assert espeak["defaults"] == {"en": "en-us", "es": "es", "es-AR": "es-419", "pt-BR": "pt-br"}
    openai = report["openai"]
    assert not openai["available"]
    assert openai["reason"] == "no API key: set OPENAI_API_KEY (or AD2VIDEO_TTS_API_KEY)"
    piper = report["piper"]
    if tts_piper.missing() is None:
        assert piper["available"] and piper["defaults"]["en"] == "en_US-joe-medium"
        assert piper["defaults"]["pt-BR"] is None
    else:
        assert not piper["available"] and "ad2video[piper]" in piper["reason"]
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    table = run_cli("voices", "--engine", "openai")
    assert table.returncode == 0 and "coral" in table.stdout and " yes " in table.stdout
    bad = run_cli("voices", "--engine", "nope")
    assert (bad.returncode, bad.stderr.strip()) == (
        2, "error: unknown engine 'nope' (choose one of: espeak, piper, openai)")


def test_voices_all_lists_espeak_voices() -> None:
    res = run_cli("voices", "--all", "--json", "--engine", "espeak")
    voices = json.loads(res.stdout)["engines"][0]["voices"]
    assert {"en-us", "es", "es-419", "pt-br"} <= set(voices) and len(voices) > 50
