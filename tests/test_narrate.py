"""Narrate stage with the real espeak-ng library: audio, word timings, lexicon, cache, errors."""

from __future__ import annotations

import json
import unicodedata
import wave
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from ad2video.audio import TARGET_DBFS, gated_level
from ad2video.backends.tts_espeak import EspeakTTS, word_timings
from ad2video.contracts import Card, Narration, Scene, Script
from ad2video.errors import UserError
from ad2video.fsutil import write_model
from ad2video.pronounce import load_lexicon, rewrite, split_token
from ad2video.stages import narrate
from ad2video.stages.narrate import NarrateOptions, get_engine, locale_voice

SENTENCES = {
    "en": "This 2019 Peugeot 208 has 45,000 km and a 1.6 L engine.",
    "es": "Este Peugeot 208 de 2019 tiene 45.000 km y motor 1,6.",
    "es-AR": "Este Peugeot 208 de 2019 tiene 45.000 km, tracción 4x4 y motor 1,6.",
    "pt-BR": "Este Peugeot 208 de 2019 tem 45.000 km e motor 1.6 de 120 cv.",
}
CEILING = 32768 * 10 ** (-1 / 20)  # -1 dBFS: ad2video.audio.CEILING_DBFS


@pytest.fixture(autouse=True)
def _no_user_lexicon(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AD2VIDEO_LEXICON", raising=False)


@pytest.fixture
def opts(tmp_path: Path) -> NarrateOptions:
    return NarrateOptions(cache_dir=tmp_path / "cache")


def make_script(locale: str, *narrations: str) -> Script:
    return Script(
        listing_id="t", locale=locale, writer="test",
        title_card=Card(kind="title", heading="T", duration=2),
        end_card=Card(kind="end", heading="E", duration=2),
        scenes=[Scene(index=i, topic="exterior", shots=[0], narration=n)
                for i, n in enumerate(narrations)],
    )


def shown_tokens(text: str) -> list[str]:
    return [core for tok in text.split() if (core := split_token(tok)[1])]


def check_timings(nar: Narration, script: Script) -> None:
    for audio, scene in zip(nar.scenes, script.scenes, strict=True):
        words = audio.words
        assert [w.text for w in words] == shown_tokens(scene.narration)
        prev_end = 0.0
        for w in words:
            assert prev_end <= w.start <= w.end <= audio.duration
            assert w.text in scene.narration[w.char_start : w.char_end]
            prev_end = w.end
        assert words[0].start < 0.1
        assert words[-1].end > audio.duration - 0.3


@pytest.mark.parametrize("locale", list(SENTENCES))
def test_each_locale_speaks_a_sentence_with_numbers(
    locale: str, tmp_path: Path, opts: NarrateOptions
) -> None:
    script = make_script(locale, SENTENCES[locale], "Muy bien.")
    nar = narrate.run(script, tmp_path / "run", opts)
    assert (nar.engine, nar.voice, nar.sample_rate, nar.pause) == (
        "espeak", locale_voice(locale), 22050, 0.35)
    first = nar.scenes[0]
    assert [s.path for s in nar.scenes] == ["audio/scene_000.wav", "audio/scene_001.wav"]
    with wave.open(str(tmp_path / "run" / first.path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 22050)
        assert w.getnframes() / w.getframerate() == pytest.approx(first.duration, abs=1e-9)
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    assert 2.0 < first.duration < 15
    peak = int(np.abs(pcm.astype(np.int32)).max())
    assert peak <= CEILING  # level matched under a -1 dBFS ceiling: no clipping
    assert gated_level(pcm, 22050) == pytest.approx(TARGET_DBFS, abs=0.3)
    onset = np.flatnonzero(np.abs(pcm.astype(np.int32)) > 0.02 * peak)[0] / 22050
    assert 0.04 <= onset <= 0.08  # leading silence trimmed to ~60 ms
    check_timings(nar, script)
    texts = [w.text for w in first.words]
    assert texts.count("208") == 1 and texts.count("2019") == 1
    by_text = {w.text: w for w in first.words}
    # Numbers read as several words keep one timing spanning all of them.
    assert by_text["2019"].end - by_text["2019"].start > 0.6
    assert first.timing_method == "espeak-word-events"


def test_word_events_are_character_positions_and_map_onto_accented_words(tmp_path: Path) -> None:
    text = "Ações não são açúcar, ümlaut ñandú café."
    engine = EspeakTTS()
    duration, words = engine.synthesize(text, "pt-br", 165, tmp_path / "a.wav")
    assert [w.text for w in words] == ["Ações", "não", "são", "açúcar", "ümlaut", "ñandú", "café"]
    assert [text[w.char_start : w.char_end] for w in words] == text.split()
    starts = sorted({t for _, t in engine.last_events})
    # espeak reported one event per word, at the word's first character (not its byte offset).
    assert sorted({p for p, _ in engine.last_events}) == [w.char_start for w in words]
    assert [w.start for w in words] == pytest.approx(starts)
    assert words[-1].end <= duration


def test_word_timings_merge_events_inside_a_token_and_fill_skipped_words() -> None:
    pcm = np.full(2 * 22050, 1000, dtype=np.int16)  # speech until 2.0 s
    events = [(0, 0.0), (4, 0.5), (5, 0.8), (13, 1.5)]  # "dos" twice, none for "tres"
    got = word_timings("uno dos tres cuatro", events, pcm, 22050)
    gap = 0.5 + 1.0 * 3 / 7  # "dos" and "tres" share 0.5..1.5 by length
    assert [(w.text, w.start, w.end) for w in got] == [
        ("uno", 0.0, 0.5), ("dos", 0.5, round(gap, 4)),
        ("tres", round(gap, 4), 1.5), ("cuatro", 1.5, 2.0)]
    late_first = word_timings("a b", [(0, 0.9), (2, 0.4)], pcm, 22050)
    assert [w.start for w in late_first] == [0.9, 0.9]  # never backwards


SPOKEN = [
    ("es", "45.000 km", "45000 kilómetros"),
    ("es", "1 km", "un kilómetro"),
    ("es", "motor 1,6 y 1.6L", "motor 1,6 y 1.6 litros"),
    ("es", "tracción 4x4.", "tracción 4 por 4."),
    ("es", "120 m² y 110 CV.", "120 metros cuadrados y 110 caballos."),
    ("es", "1.500.000 de 2019", "1500000 de 2019"),
    ("es", "mi km. Peugeot", "mi km. Peyó"),
    ("es", "1 puerta, 1 dormitorio y 1 baño", "una puerta, un dormitorio y un baño"),
    ("es", "1 de 3, 1 día, 1 ha", "1 de 3, un día, una hectárea"),
    ("es-AR", "un 0km con 45.000 km", "un cero kilómetro con 45000 kilómetros"),
    ("en", "45,000 km", "45000 kilometers"),
    ("en", "1.6L and 1 mi", "1.6 liters and 1 mile"),
    ("en", "2019, 1998, 2005, 1905, 2000", "20 19, 19 98, 2005, 19 oh 5, 2000"),
    ("en", "2019 km", "2019 kilometers"),
    ("en", "4X4 (A/C)", "4 by 4 (A C)"),
    ("pt-BR", "45.000 km", "45000 quilômetros"),
    ("pt-BR", "motor 1.6 e 1,6 L", "motor 1 ponto 6 e 1,6 litros"),
    ("pt-BR", "1 km, 120 m²", "um quilômetro, 120 metros quadrados"),
    ("pt-BR", "1 suíte, 1 quarto e 1 mi", "uma suíte, um quarto e uma milha"),
    ("en", "1 door", "1 door"),
]


@pytest.mark.parametrize(("locale", "written", "spoken"), SPOKEN)
def test_spoken_form_of_numbers_and_units(locale: str, written: str, spoken: str) -> None:
    assert rewrite(written, load_lexicon(locale)).text == spoken


# What espeak says, as IPA without stress marks: the rewrites fix misreadings it really makes.
READINGS = [
    ("en-us", "2019", "tuː θaʊzənd naɪntiːn"),
    ("en-us", "20 19", "twɛnti naɪntiːn"),
    ("pt-br", "1.6", "ũŋ seɪs"),
    ("pt-br", "1 ponto 6", "ũŋ poŋtʊ seɪs"),
    ("es", "45.000 km", "kwaɾɛntaiθinko mil kaɛme"),
    ("es", "45000 kilómetros", "kwaɾɛntaiθinko mil kilometɾos"),
    ("es-419", "1,6", "uno koma seɪs"),
]


@pytest.mark.parametrize(("voice", "text", "ipa"), READINGS)
def test_espeak_reads_numbers_as_measured(voice: str, text: str, ipa: str) -> None:
    said = get_engine("espeak").phonemes(text, voice)  # type: ignore[attr-defined]
    plain = unicodedata.normalize("NFC", said.replace("ˈ", "").replace("ˌ", ""))
    assert plain == unicodedata.normalize("NFC", ipa)


def test_lexicon_rewrites_keep_timings_on_displayed_words(
    tmp_path: Path, opts: NarrateOptions
) -> None:
    text = "Tiene 45.000 km y tracción 4x4."
    script = make_script("es", text)
    nar = narrate.run(script, tmp_path / "run", opts)
    check_timings(nar, script)
    words = nar.scenes[0].words
    assert [(w.text, text[w.char_start : w.char_end]) for w in words] == [
        ("Tiene", "Tiene"), ("45.000", "45.000"), ("km", "km"), ("y", "y"),
        ("tracción", "tracción"), ("4x4", "4x4.")]
    spans = {w.text: w.end - w.start for w in words}
    assert spans["4x4"] > 0.7  # "cuatro por cuatro", three spoken words on one shown word
    assert spans["km"] > spans["y"] * 3  # "kilómetros"


def test_cache_hit_skips_the_engine(tmp_path: Path, opts: NarrateOptions) -> None:
    engine = get_engine("espeak")
    script = make_script("es-AR", "Un auto impecable.", "Con 45.000 km.")
    first = narrate.run(script, tmp_path / "a", opts)
    calls = engine.calls  # type: ignore[attr-defined]
    cached = sorted(p for p in opts.cache_dir.rglob("*") if p.is_file())  # type: ignore[union-attr]
    assert len(cached) == 4  # a WAV and a timings JSON per scene
    mtimes = [p.stat().st_mtime_ns for p in cached]
    second = narrate.run(script, tmp_path / "b", opts)
    assert engine.calls == calls  # type: ignore[attr-defined]
    assert [p.stat().st_mtime_ns for p in cached] == mtimes
    assert first == second
    for rel in ("audio/scene_000.wav", "audio/scene_001.wav"):
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()
    narrate.run(make_script("es-AR", "Un auto impecable.", "Con 46.000 km."), tmp_path / "c", opts)
    assert engine.calls == calls + 1  # type: ignore[attr-defined]
    narrate.run(script, tmp_path / "d", replace(opts, use_cache=False))
    assert engine.calls == calls + 3  # type: ignore[attr-defined]
    assert not list((tmp_path / "d" / "audio").glob(".*"))


def test_same_text_gives_same_samples_whatever_came_before(tmp_path: Path) -> None:
    engine = EspeakTTS()
    text = "Tiene 45.000 km y motor 1,6."
    engine.synthesize(text, "es", 165, tmp_path / "1.wav")
    engine.synthesize("Something else entirely, said first.", "en-us", 200, tmp_path / "x.wav")
    engine.synthesize(text, "es", 165, tmp_path / "2.wav")
    assert (tmp_path / "1.wav").read_bytes() == (tmp_path / "2.wav").read_bytes()


def test_symbols_and_lone_punctuation(tmp_path: Path, opts: NarrateOptions) -> None:
    script = make_script("es", "Precio < 100 & más — ¡ya! <b>Ok</b>")
    nar = narrate.run(script, tmp_path, opts)
    assert [w.text for w in nar.scenes[0].words] == ["Precio", "<", "100", "&", "más", "ya",
                                                     "<b>Ok</b>"]
    check_timings(nar, script)


def test_user_lexicon_from_option_and_environment(
    tmp_path: Path, opts: NarrateOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    lex = tmp_path / "lex.yaml"
    lex.write_text("words:\n  Corsa: Córsa\nlocales:\n  es:\n    units:\n      kms: kilometrazos\n")
    assert rewrite("Corsa 3 kms", load_lexicon("es", lex)).text == "Córsa 3 kilometrazos"
    assert rewrite("Corsa 3 kms", load_lexicon("pt-BR", lex)).text == "Córsa 3 kms"
    monkeypatch.setenv("AD2VIDEO_LEXICON", str(lex))
    script = make_script("es", "Corsa con 3 kms.")
    nar = narrate.run(script, tmp_path / "run", opts)
    assert [w.text for w in nar.scenes[0].words] == ["Corsa", "con", "3", "kms"]
    cached = json.loads(next(opts.cache_dir.rglob("*.json")).read_text())  # type: ignore[union-attr]
    assert cached["text"] == "Córsa con 3 kilometrazos."


@pytest.mark.parametrize(("change", "message"), [
    ({"engine": "nope"}, "unknown TTS engine 'nope' (known: espeak, openai, piper)"),
    ({"voice": "xx-yy"},
     "unknown voice 'xx-yy' for engine 'espeak' (try: en-us, es, es-419, pt-br)"),
    ({"voice": "es-zz"}, "unknown voice 'es-zz' for engine 'espeak' (try: es, es-419)"),
    ({"rate_wpm": 20}, "speaking rate must be 80..450 words per minute, got 20"),
    ({"pause": -1.0}, "pause must be 0..5 seconds, got -1.0"),
    ({"lexicon": Path("/nonexistent/lex.yaml")}, "lexicon file not found: /nonexistent/lex.yaml"),
])
def test_bad_options_give_one_line_errors(
    change: dict, message: str, tmp_path: Path, opts: NarrateOptions
) -> None:
    with pytest.raises(UserError) as err:
        narrate.run(make_script("es", "Hola."), tmp_path, replace(opts, **change))
    assert str(err.value) == message


def test_bad_lexicon_file_names_the_key(tmp_path: Path) -> None:
    lex = tmp_path / "lex.yaml"
    lex.write_text("wordz:\n  a: b\n")
    with pytest.raises(UserError) as err:
        load_lexicon("en", lex)
    assert str(err.value) == f"lexicon {lex}: wordz: Extra inputs are not permitted"
    lex.write_text("words: [unclosed\n")
    with pytest.raises(UserError, match=r"^lexicon .*: invalid YAML"):
        load_lexicon("en", lex)


def test_locale_voices_are_installed() -> None:
    assert narrate.available_voices() == {
        "en": "en-us", "es": "es", "es-AR": "es-419", "pt-BR": "pt-br"}
    with pytest.raises(UserError, match=r"^unknown locale 'fr' \(known: en, es, es-AR, pt-BR\)$"):
        locale_voice("fr")


def test_narration_json_round_trips(tmp_path: Path, opts: NarrateOptions) -> None:
    nar = narrate.run(make_script("en", "A clean 2019 car."), tmp_path, opts)
    write_model(tmp_path / "narration.json", nar)
    assert Narration.model_validate_json((tmp_path / "narration.json").read_text()) == nar
