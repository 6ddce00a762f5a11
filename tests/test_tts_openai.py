"""OpenAI TTS engine against a real local HTTP server (tests/fake_tts_server.py) that answers
with real espeak-ng speech: requests, WAV decoding, aligned word timings, cache, errors."""

from __future__ import annotations

import json
import urllib.request
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from ad2video.backends.tts_espeak import EspeakTTS
from ad2video.backends.tts_openai import OpenAITTS
from ad2video.errors import UserError
from ad2video.stages import narrate
from ad2video.stages.narrate import NarrateOptions
from tests.fake_http import spawn
from tests.test_narrate import make_script

SERVER = Path(__file__).with_name("fake_tts_server.py")
ENVS = ("AD2VIDEO_TTS_API_KEY", "OPENAI_API_KEY", "AD2VIDEO_TTS_BASE_URL", "OPENAI_BASE_URL",
        "AD2VIDEO_TTS_MODEL", "AD2VIDEO_TTS_INSTRUCTIONS")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with spawn(SERVER, "--max-seconds", "300") as port:
        yield f"http://127.0.0.1:{port}"


def control(base: str, path: str, payload: dict | None = None) -> dict:
    data = json.dumps(payload).encode() if payload is not None else None
    req = urllib.request.Request(base + path, data=data, method="POST" if data else "GET",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


@pytest.fixture
def api(server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    for name in ENVS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AD2VIDEO_TTS_BASE_URL", server + "/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.delenv("AD2VIDEO_LEXICON", raising=False)
    control(server, "/control/reset", {})
    return server


script = make_script


def test_narration_over_the_speech_endpoint(api: str, tmp_path: Path) -> None:
    scr = script("es-AR", "Tiene 45.000 km, motor 1,6 y tracción 4x4.", "Mirá el baúl.")
    opts = NarrateOptions(engine="openai", cache_dir=tmp_path / "cache", rate_wpm=198)
    nar = narrate.run(scr, tmp_path / "run", opts)
    assert (nar.engine, nar.voice, nar.sample_rate) == ("openai", "coral", 24_000)
    for audio, scene in zip(nar.scenes, scr.scenes, strict=True):
        assert audio.timing_method == "pauses+proportional-phonemes"
        with wave.open(str(tmp_path / "run" / audio.path), "rb") as w:
            assert w.getframerate() == 24_000
            assert w.getnframes() / 24_000 == pytest.approx(audio.duration, abs=1e-9)
        assert [w.text for w in audio.words] == [
            t.strip(".,") for t in scene.narration.split()]
        ends = [0.0] + [w.end for w in audio.words]
        assert all(a <= w.start <= w.end for a, w in zip(ends, audio.words, strict=False))
        assert audio.words[-1].end <= audio.duration
    sent = control(api, "/control/requests")["requests"]
    assert [r["path"] for r in sent] == ["/v1/audio/speech"] * 2
    assert sent[0]["headers"]["authorization"] == "Bearer test-key"
    body = sent[0]["body"]
    assert body["input"] == "Tiene 45000 kilómetros, motor 1,6 y tracción 4 por 4."
    assert (body["model"], body["voice"], body["response_format"], body["speed"]) == (
        "gpt-4o-mini-tts", "coral", "wav", 1.2)
    assert "rioplatense" in body["instructions"]


def test_aligned_timings_are_close_to_the_true_word_starts(api: str, tmp_path: Path) -> None:
    text = ("This car has 45000 kilometers, a clean interior and new tyres. "
            "The trunk is large, and the engine was serviced last month.")
    duration, words = OpenAITTS().synthesize(text, "coral", 165, tmp_path / "a.wav", locale="en")
    # The server spoke it with espeak at 175 wpm: espeak's own word events are the truth.
    _, truth = EspeakTTS().synthesize(text, "en-us", 175, tmp_path / "t.wav")
    errors = [abs(a.start - b.start) for a, b in zip(words, truth, strict=True)]
    assert np.mean(errors) < 0.08 and max(errors) < 0.25, errors
    assert words[-1].end <= duration


def test_cache_hit_sends_no_request(api: str, tmp_path: Path) -> None:
    scr = script("en", "A clean 2019 car with 45,000 km.")
    opts = NarrateOptions(engine="openai", cache_dir=tmp_path / "cache")
    first = narrate.run(scr, tmp_path / "a", opts)
    second = narrate.run(scr, tmp_path / "b", opts)
    assert len(control(api, "/control/requests")["requests"]) == 1
    assert first == second
    assert (tmp_path / "a/audio/scene_000.wav").read_bytes() == (
        tmp_path / "b/audio/scene_000.wav").read_bytes()


def test_instructions_model_and_voice_are_configurable(
    api: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AD2VIDEO_TTS_INSTRUCTIONS", "Whisper it.")
    opts = NarrateOptions(engine="openai", voice="nova", cache_dir=tmp_path / "c")
    narrate.run(script("en", "Hello there."), tmp_path / "a", opts)
    monkeypatch.setenv("AD2VIDEO_TTS_MODEL", "tts-1")
    narrate.run(script("en", "Hello there."), tmp_path / "b", opts)  # new model: not cached
    bodies = [r["body"] for r in control(api, "/control/requests")["requests"]]
    assert [(b["model"], b["voice"], b.get("instructions")) for b in bodies] == [
        ("gpt-4o-mini-tts", "nova", "Whisper it."), ("tts-1", "nova", None)]


def test_streaming_wav_header_without_length(api: str, tmp_path: Path) -> None:
    control(api, "/control/enqueue", {"responses": [{"wav": "unknown_length"}]})
    duration, words = OpenAITTS().synthesize("Ready to drive.", "coral", 165,
                                             tmp_path / "a.wav", locale="en")
    assert 0.5 < duration < 3 and [w.text for w in words] == ["Ready", "to", "drive"]


def test_http_errors_are_one_line(api: str, tmp_path: Path) -> None:
    control(api, "/control/enqueue", {"responses": [
        {"status": 401, "body": {"error": {"message": "Incorrect API key provided"}}}]})
    with pytest.raises(UserError) as err:
        OpenAITTS().synthesize("Hola.", "coral", 165, tmp_path / "a.wav", locale="es")
    assert str(err.value) == (f"TTS request failed with HTTP 401 at {api}/v1/: "
                              "Incorrect API key provided")


def test_missing_key_and_bad_rate(api: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(UserError) as err:
        narrate.run(script("en", "Hi."), tmp_path, NarrateOptions(engine="openai",
                                                                  cache_dir=tmp_path / "c"))
    assert str(err.value) == ("the openai TTS engine cannot run: no API key: set "
                              "OPENAI_API_KEY (or AD2VIDEO_TTS_API_KEY)")
    monkeypatch.setenv("AD2VIDEO_TTS_API_KEY", "k")
    with pytest.raises(UserError, match=r"^speaking rate for openai must be 80\.\.330"):
        narrate.run(script("en", "Hi."), tmp_path,
                    NarrateOptions(engine="openai", rate_wpm=500, cache_dir=tmp_path / "c"))
    assert control(api, "/control/requests")["requests"] == []
