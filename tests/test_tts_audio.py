"""Audio polish and honest alignment on real espeak-ng speech: level matching between scenes,
the limiter, pause trimming that keeps word timings on their words, aligned word timings
measured against espeak's own word events."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from ad2video.align import align_words
from ad2video.audio import (
    CEILING_DBFS,
    MAX_PAUSE_S,
    TARGET_DBFS,
    gated_level,
    match_level,
    polish,
    speech_regions,
    trim_silence,
)
from ad2video.backends.tts_espeak import EspeakTTS
from ad2video.pronounce import load_lexicon, rewrite

RATE = 22050
CEILING = 32768 * 10 ** (CEILING_DBFS / 20)


def speak(text: str, voice: str, tmp: Path, rate_wpm: int = 165):
    _, words = EspeakTTS().synthesize(text, voice, rate_wpm, tmp / "s.wav")
    with wave.open(str(tmp / "s.wav"), "rb") as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").copy()
    return pcm, words


def test_scenes_of_different_loudness_come_out_level_and_unclipped(tmp_path: Path) -> None:
    pcm, _ = speak("The interior is clean and the seats are like new.", "en-us", tmp_path)
    quiet = (pcm * 0.05).astype(np.int16)  # -26 dB: a scene a server returned softly
    click = pcm.copy()
    click[5000:5010] = 32767  # a spike 10+ dB over the speech peaks: the limiter's job
    for scene in (pcm, quiet, click):
        out = match_level(scene, RATE)
        assert gated_level(out, RATE) == pytest.approx(TARGET_DBFS, abs=0.3)
        assert np.abs(out.astype(np.int32)).max() <= CEILING
    loud = match_level(click, RATE).astype(np.float64)
    plain = match_level(pcm, RATE).astype(np.float64)
    # Only the neighbourhood of the spike (a few ms) is turned down: one gain everywhere else.
    away = np.ones(loud.size, bool)
    away[4800:5300] = False
    ratio = loud[away & (np.abs(plain) > 1000)] / plain[away & (np.abs(plain) > 1000)]
    assert np.ptp(ratio) < 0.005
    assert np.abs(loud[5000:5010]).max() <= CEILING < np.abs(click[5000:5010] * ratio[0]).max()


def test_long_pauses_shortened_and_timings_moved_with_them(tmp_path: Path) -> None:
    first, w1 = speak("First part.", "en-us", tmp_path)
    second, w2 = speak("Second part.", "en-us", tmp_path)
    gap, lead = np.zeros(int(1.5 * RATE), np.int16), np.zeros(int(0.5 * RATE), np.int16)
    pcm = np.concatenate([lead, first, gap, second])
    offset = (lead.size + first.size + gap.size) / RATE
    out, remap = trim_silence(pcm, RATE)
    regions = speech_regions(out, RATE, min_pause=0.3)
    assert len(regions) == 2
    assert regions[1][0] - regions[0][1] == pytest.approx(MAX_PAUSE_S, abs=0.03)
    assert regions[0][0] == pytest.approx(0.06, abs=0.02)  # lead trimmed to ~60 ms
    # The second part's first word still starts where its sound starts.
    onset = regions[1][0]
    assert remap(w2[0].start + offset) == pytest.approx(onset, abs=0.02)
    assert remap(w1[0].start + lead.size / RATE) == pytest.approx(regions[0][0], abs=0.02)
    assert remap(offset - 0.7) == remap(offset - 0.3)  # inside the removed silence: flat
    assert remap(1e6) == pytest.approx(out.size / RATE)
    polished, remap2 = polish(pcm, RATE)
    assert polished.size == out.size and remap2 == remap


SENTENCES = {
    "en-us": ("en", "This 2019 Peugeot 208 has 45,000 km and a 1.6 L engine. It is very clean, "
                    "with new tyres! Ready to drive, no issues at all."),
    "es": ("es", "Este Peugeot 208 de 2019 tiene 45.000 km y motor 1,6. El interior está "
                 "impecable, con aire acondicionado y bluetooth."),
    "es-419": ("es-AR", "Tenés un auto con 45.000 km, tracción 4x4 y motor 1,6. Mirá el baúl: "
                        "es enorme."),
    "pt-br": ("pt-BR", "Este Peugeot 208 de 2019 tem 45.000 km e motor 1.6 de 120 cv. O interior "
                       "é amplo, com bancos de couro."),
}


@pytest.mark.parametrize("voice", list(SENTENCES))
def test_alignment_is_close_to_espeaks_own_word_events(voice: str, tmp_path: Path) -> None:
    locale, text = SENTENCES[voice]
    said = rewrite(text, load_lexicon(locale)).text
    pcm, truth = speak(said, voice, tmp_path)
    got = align_words(said, pcm, RATE, voice)
    assert [w.text for w in got] == [w.text for w in truth]
    errors = np.abs([a.start - b.start for a, b in zip(got, truth, strict=True)])
    # Measured: mean 0.03-0.06 s, worst 0.19 s (about two frames and six frames at 30 fps).
    assert errors.mean() < 0.07 and errors.max() < 0.25, errors.round(2)
    prev = 0.0
    for w in got:
        assert prev <= w.start <= w.end <= pcm.size / RATE
        prev = w.end


def test_alignment_edge_cases(tmp_path: Path) -> None:
    silence = np.zeros(RATE, np.int16)
    assert align_words("", silence, RATE, "en-us") == []
    assert align_words("— …", silence, RATE, "en-us") == []
    words = align_words("hello there", silence, RATE, None)  # no sound: by letters, the last
    assert [(w.start, w.end) for w in words] == [(0.0, 0.4167), (0.4167, 1.0)]  # one longer
    pcm, _ = speak("Hi.", "en-us", tmp_path)
    (one,) = align_words("Hi.", pcm, RATE, "en-us")
    assert one.start < 0.1 and one.end <= pcm.size / RATE and (one.char_start, one.char_end) == (
        0, 3)
