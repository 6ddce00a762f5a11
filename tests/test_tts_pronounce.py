"""Each locale's reading of the issue's table (`1.6 TSI`, `4x4`, `km/h`, `CV`, `2014`,
`45.000 km`): the rewrite the engine gets, and what espeak-ng really says for it."""

from __future__ import annotations

import unicodedata

import pytest

from ad2video.pronounce import load_lexicon, rewrite
from ad2video.stages.narrate import LOCALE_VOICES, get_engine

TABLE = {
    "en": [("1.6 TSI", "1.6 T S I"), ("4x4", "4 by 4"), ("120 km/h", "120 kilometers per hour"),
           ("110 CV", "110 horsepower"), ("2014", "20 14"), ("45,000 km", "45000 kilometers")],
    "es": [("1.6 TSI", "1.6 TSI"), ("4x4", "4 por 4"), ("120 km/h", "120 kilómetros por hora"),
           ("110 CV", "110 caballos"), ("2014", "2014"), ("45.000 km", "45000 kilómetros")],
    "es-AR": [("1.6 TSI", "1.6 TSI"), ("4x4", "4 por 4"),
              ("120 km/h", "120 kilómetros por hora"), ("110 CV", "110 caballos"),
              ("2014", "2014"), ("45.000 km", "45000 kilómetros")],
    "pt-BR": [("1.6 TSI", "1 ponto 6 T S I"), ("4x4", "4 por 4"),
              ("120 km/h", "120 quilômetros por hora"), ("110 CV", "110 cavalos"),
              ("2014", "2014"), ("45.000 km", "45000 quilômetros")],
}
# What the locale's espeak voice says for the rewritten text (IPA without stress marks).
HEARD = {
    "en": ["wʌn pɔɪnt sɪks tiː ɛs aɪ", "fɔːɹ baɪ fɔːɹ", "wʌnhʌndɹɪd twɛnti kɪlɑːmɪɾɚz pɜːɹ aʊɚ",
           "wʌnhʌndɹɪd tɛn hɔːɹspaʊɚ", "twɛnti fɔːɹtiːn", "fɔːɹɾi faɪv θaʊzənd kɪlɑːmɪɾɚz"],
    "es": ["uno punto seɪs teesei", "kwatɾo poɾ kwatɾo", "θjento βeɪnte kilometɾos poɾ oɾa",
           "θjento ðjɛθ kaβaʎos", "dos mil katoɾθe", "kwaɾɛntaiθinko mil kilometɾos"],
    "es-AR": ["uno punto seɪs teesei", "kwatɾo poɾ kwatɾo", "sjento βeɪnte kilometɾos poɾ oɾa",
              "sjento ðjɛs kaβajjos", "dos mil katoɾse", "kwaɾɛntaisinko mil kilometɾos"],
    "pt-BR": ["ũŋ poŋtʊ seɪs te ɛsy i", "kwatrʊ por kwatrʊ", "seɪŋtui viŋtʃy kilometrʊs poɾ ɔɾæ",
              "seɪŋtui dɛs kavalʊs", "doɪz miʊ i katoɾəzy", "kwaɾeɪŋtæisiŋkʊ miʊ kilometrʊs"],
}
CASES = [(loc, i, w, s) for loc, rows in TABLE.items() for i, (w, s) in enumerate(rows)]


@pytest.fixture(autouse=True)
def _no_user_lexicon(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AD2VIDEO_LEXICON", raising=False)


@pytest.mark.parametrize(("locale", "row", "written", "spoken"), CASES)
def test_locale_reads_the_table(locale: str, row: int, written: str, spoken: str) -> None:
    said = rewrite(written, load_lexicon(locale)).text
    assert said == spoken
    ipa = get_engine("espeak").phonemes(said, LOCALE_VOICES[locale])  # type: ignore[attr-defined]
    plain = unicodedata.normalize("NFC", "".join(c for c in ipa if c not in "ˈˌ"))
    assert plain == unicodedata.normalize("NFC", HEARD[locale][row])
