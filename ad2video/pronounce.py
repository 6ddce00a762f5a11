"""What the voice says vs what the screen shows.

The narration text is shown as written ("45.000 km"), but TTS engines misread units, years and
foreign decimal points, so the engine gets a rewritten text ("45000 kilómetros"). `rewrite`
keeps, for every displayed word, the range of spoken words it became, so word timings from the
engine map back onto the displayed text.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from ad2video.errors import UserError

LEXICON_ENV = "AD2VIDEO_LEXICON"
# Punctuation that is part of what is said ("50%", "a&b"), so it is not stripped from words.
_SPOKEN_PUNCT = frozenset("%&@#")
_NUMBER = re.compile(r"\d[\d.,]*\d|\d")
_GLUED_UNIT = re.compile(r"(\d(?:[\d.,]*\d)?)([^\d\s.,][^\s]*)")
_BY = re.compile(r"(\d+)[xX×](\d+)")
_DOT_DECIMAL = re.compile(r"(\d+)\.(\d+)")


@dataclass(frozen=True)
class Word:
    """A whitespace-separated token with at least one non-punctuation character."""

    text: str  # the token without leading/trailing punctuation
    start: int  # character offset of the whole token (punctuation included)
    end: int


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P") and ch not in _SPOKEN_PUNCT


def split_token(token: str) -> tuple[str, str, str]:
    """Split a token into (leading punctuation, core, trailing punctuation)."""
    a, b = 0, len(token)
    while a < b and _is_punct(token[a]):
        a += 1
    while b > a and _is_punct(token[b - 1]):
        b -= 1
    return token[:a], token[a:b], token[b:]


def split_words(text: str) -> list[Word]:
    """The words of `text`, as every stage counts them (tokens that are only punctuation, like
    a dash, are not words)."""
    words = []
    for m in re.finditer(r"\S+", text):
        core = split_token(m.group())[1]
        if core:
            words.append(Word(core, m.start(), m.end()))
    return words


# --------------------------------------------------------------------------- lexicon


class _Section(BaseModel):
    """One lexicon file (or one locale section of a user file); every key is optional."""

    model_config = ConfigDict(extra="forbid")

    extends: str | None = None  # package lexicon to start from, e.g. "es" for es-AR
    words: dict[str, str] = {}  # written token -> spoken form, anywhere
    # After a number: spoken form, or [singular, plural] or [singular, plural, how "1" is said].
    units: dict[str, str | list[str]] = {}
    thousands: str | None = None  # thousands separator in written numbers, removed
    decimal_point: str | None = None  # word for a "1.6" decimal point the engine misreads
    by: str | None = None  # "4x4" -> "4 <by> 4"
    one: str | None = None  # how "1" is said before a unit or noun ("un kilómetro")
    one_feminine: str | None = None  # ... before a feminine noun ("una puerta")
    feminine_endings: list[str] | None = None  # nouns ending so are feminine ("a", "ión")
    feminine: list[str] | None = None  # feminine nouns the endings miss ("llave")
    masculine: list[str] | None = None  # masculine nouns the endings catch ("día")
    not_nouns: list[str] | None = None  # words after which "1" stays a number ("1 de 3")
    year_pairs: bool | None = None  # read 2019 as "20 19" (English "twenty nineteen")
    locales: dict[str, _Section] = {}  # user files: sections applied only to one locale


@dataclass(frozen=True)
class Lexicon:
    words: dict[str, str] = field(default_factory=dict)
    units: dict[str, tuple[str, str, str | None]] = field(default_factory=dict)
    thousands: str = ","
    decimal_point: str | None = None
    by: str = "x"
    one: str | None = None
    one_feminine: str | None = None
    feminine_endings: tuple[str, ...] = ()
    feminine: frozenset[str] = frozenset()
    masculine: frozenset[str] = frozenset()
    not_nouns: frozenset[str] = frozenset()
    year_pairs: bool = False

    def word(self, core: str) -> str | None:
        return self.words.get(core, self.words.get(core.lower()))

    def one_before(self, noun: str) -> str | None:
        """How "1" is said before `noun`, or None to leave the digit to the engine."""
        low = noun.lower()
        if not self.one or not noun.isalpha() or low in self.not_nouns:
            return None
        if low in self.feminine or (
            low not in self.masculine and low.endswith(self.feminine_endings)
        ):
            return self.one_feminine or self.one
        return self.one

    def unit(self, core: str) -> tuple[str, str, str | None] | None:
        return self.units.get(core, self.units.get(core.lower()))


def _read_section(text: str, origin: str) -> _Section:
    try:
        data = yaml.safe_load(text) or {}
        return _Section.model_validate(data)
    except yaml.YAMLError as exc:
        raise UserError(f"lexicon {origin}: invalid YAML ({exc})") from exc
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise UserError(f"lexicon {origin}: {where}: {err['msg']}") from exc


def _package_section(locale: str) -> _Section:
    res = resources.files("ad2video") / "locales" / f"lexicon-{locale}.yaml"
    if not res.is_file():
        raise UserError(f"no lexicon for locale '{locale}'")
    return _read_section(res.read_text(encoding="utf-8"), f"lexicon-{locale}.yaml")


def _merge(base: dict, sec: _Section) -> dict:
    out = {**base, "words": dict(base.get("words", {})), "units": dict(base.get("units", {}))}
    out["words"].update(sec.words)
    for key, value in sec.units.items():
        forms = [value] if isinstance(value, str) else value
        if not 1 <= len(forms) <= 3:
            raise UserError(f"lexicon unit '{key}': give a spoken form or [singular, plural, one]")
        out["units"][key] = (forms[0], forms[min(1, len(forms) - 1)],
                             forms[2] if len(forms) == 3 else None)
    for key in ("thousands", "decimal_point", "by", "one", "one_feminine", "year_pairs"):
        if getattr(sec, key) is not None:
            out[key] = getattr(sec, key)
    for key in ("feminine", "masculine", "not_nouns"):  # word lists add up
        out[key] = frozenset(out.get(key, ())) | {w.lower() for w in getattr(sec, key) or ()}
    if sec.feminine_endings is not None:
        out["feminine_endings"] = tuple(sec.feminine_endings)
    return out


def _lowered(mapping: dict) -> dict:
    # Case-insensitive fallback: exact keys win, then their lower-case forms.
    return {**{k.lower(): v for k, v in mapping.items()}, **mapping}


def load_lexicon(locale: str, extra: Path | None = None) -> Lexicon:
    """The package lexicon for `locale`, extended by `extra` or $AD2VIDEO_LEXICON if set."""
    chain, sec = [], _package_section(locale)
    while True:
        chain.insert(0, sec)
        if not sec.extends or len(chain) > 4:
            break
        sec = _package_section(sec.extends)
    path = extra if extra is not None else (Path(p) if (p := os.environ.get(LEXICON_ENV)) else None)
    if path is not None:
        if not path.is_file():
            raise UserError(f"lexicon file not found: {path}")
        user = _read_section(path.read_text(encoding="utf-8"), str(path))
        chain.append(user)
        if locale in user.locales:
            chain.append(user.locales[locale])
    merged: dict = {}
    for part in chain:
        merged = _merge(merged, part)
    merged["words"] = _lowered(merged["words"])
    merged["units"] = _lowered(merged["units"])
    return Lexicon(**merged)


# --------------------------------------------------------------------------- rewriting


@dataclass(frozen=True)
class Spoken:
    text: str  # what the engine reads
    shown: list[Word]  # the displayed words
    groups: list[tuple[int, int]]  # per displayed word: [first, last) spoken word indices


def _say_number(num: str, lex: Lexicon, unit: tuple[str, str, str | None] | None) -> str:
    """A written number as the engine should read it; `unit` is the unit that follows."""
    sep = re.escape(lex.thousands)
    if re.fullmatch(rf"\d{{1,3}}(?:{sep}\d{{3}})+(?:[.,]\d+)?", num):
        return num.replace(lex.thousands, "")
    if lex.decimal_point and (m := _DOT_DECIMAL.fullmatch(num)):
        return f"{m[1]} {lex.decimal_point} {m[2]}"
    if lex.year_pairs and unit is None and re.fullmatch(r"(19|20)\d\d", num):
        century, yy = num[:2], int(num[2:])
        if yy >= 10:
            return f"{century} {yy}"
        if century == "19" and yy > 0:
            return f"19 oh {yy}"
    if unit is not None and num == "1" and (one := unit[2] or lex.one):
        return one
    return num


def _say(core: str, lex: Lexicon, prev: str | None, nxt: str | None) -> str:
    """The spoken form of one token's core; `prev`/`nxt` are the neighbouring cores when
    they touch this token without punctuation in between (a unit needs its number)."""
    if (said := lex.word(core)) is not None:
        return said
    if (m := _GLUED_UNIT.fullmatch(core)) and (unit := lex.unit(m[2])):
        return f"{_say_number(m[1], lex, unit)} {unit[0] if m[1] == '1' else unit[1]}"
    if m := _BY.fullmatch(core):
        return f"{m[1]} {lex.by} {m[2]}"
    if _NUMBER.fullmatch(core):
        unit = lex.unit(nxt) if nxt is not None else None
        if core == "1" and nxt is not None and unit is None and (one := lex.one_before(nxt)):
            return one
        return _say_number(core, lex, unit)
    if prev is not None and _NUMBER.fullmatch(prev) and (unit := lex.unit(core)):
        return unit[0] if prev == "1" else unit[1]
    return core


def rewrite(text: str, lex: Lexicon) -> Spoken:
    """Rewrite `text` for the engine, keeping the map from displayed to spoken words."""
    parts = [split_token(m.group()) for m in re.finditer(r"\S+", text)]
    pieces: list[str] = []
    groups: list[tuple[int, int]] = []
    count = 0
    for i, (pre, core, post) in enumerate(parts):
        if not core:
            pieces.append(pre + post)
            continue
        prev = parts[i - 1][1] if i and not pre and not parts[i - 1][2] else None
        nxt = parts[i + 1][1] if i + 1 < len(parts) and not post and not parts[i + 1][0] else None
        said = (pre + _say(core, lex, prev, nxt) + post).split()
        n = sum(1 for s in said if split_token(s)[1])
        if n == 0:  # a lexicon entry that says nothing: keep the written word
            said, n = [pre + core + post], 1
        pieces.extend(said)
        groups.append((count, count + n))
        count += n
    return Spoken(" ".join(pieces), split_words(text), groups)
