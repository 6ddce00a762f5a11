"""Locale-aware number formatting for narration, captions and cards (en, es, es-AR, pt-BR).

Choices, so every stage writes numbers the same way:
- Thousands are grouped from 1,000 up in every locale: en `4,500`; es/es-AR/pt-BR `4.500`.
  The RAE leaves 4-digit numbers ungrouped, but marketplaces in Spain, Argentina and Brazil
  write `4.500`, and espeak-ng reads both the same ("cuatro mil quinientos").
- Decimals: en `1.6`, es/pt `1,6`; trailing zeros are dropped (`2.0` -> `2`) except inside
  engine strings, which keep the digits as written (`2.0 TDI` -> es `2,0 TDI`).
- Years are never grouped (`2019`).
- Engine strings: only a displacement-like number (`1.6`, `1,6`) is localised; codes are kept
  (`1.6 TSI` -> es `1,6 TSI`, `V8` stays `V8`).
- Quantities are written with unit symbols (`45.000 km`, `1,6 L`, `120 m²`, `30 mi`) in
  narration, captions and cards alike; the narrate stage (ad2video.pronounce) expands them for
  the voice ("45000 kilómetros"), so what is shown is what was written.
"""

from __future__ import annotations

import re

_SEPARATORS: dict[str, tuple[str, str]] = {
    "en": (",", "."),
    "es": (".", ","),
    "es-AR": (".", ","),
    "pt-BR": (".", ","),
}

_UNIT_SYMBOLS = {"km": "km", "mi": "mi", "m2": "m²", "ft2": "ft²", "l": "L", "cc": "cc"}

_NUMBER_TOKEN = re.compile(r"[0-9]+(?:[.,][0-9]+)*")
_ENGINE_DECIMAL = re.compile(r"(?<![0-9.,])([0-9])[.,]([0-9]{1,2})(?![0-9]|[.,][0-9])")


def separators(locale: str) -> tuple[str, str]:
    """(thousands, decimal) separators of a locale; KeyError names an unknown one."""
    return _SEPARATORS[locale]


def format_int(n: int, locale: str) -> str:
    """45000 -> en `45,000`, es `45.000`; grouped from 1,000 up (see module notes)."""
    thousands, _ = separators(locale)
    sign = "-" if n < 0 else ""
    return sign + f"{abs(int(n)):,}".replace(",", thousands)


def format_number(x: float, locale: str, places: int = 2) -> str:
    """A plain number: integral values without decimals, others rounded to `places`."""
    rounded = round(float(x), places)
    if rounded == int(rounded):
        return format_int(int(rounded), locale)
    decimal = separators(locale)[1]
    whole, frac = f"{abs(rounded):.{places}f}".split(".")
    frac = frac.rstrip("0")
    sign = "-" if rounded < 0 else ""
    return f"{sign}{format_int(int(whole), locale)}{decimal}{frac}"


def format_year(year: int) -> str:
    """Years are never grouped: 2019 -> `2019` in every locale."""
    return str(int(year))


def format_quantity(value: float, unit: str, locale: str) -> str:
    """45000 km -> es `45.000 km`; m2 -> `m²`; unknown units are kept as given."""
    return f"{format_number(value, locale)} {_UNIT_SYMBOLS.get(unit.lower(), unit)}"


def format_engine(text: str, locale: str) -> str:
    """Localise a displacement inside an engine string: `1.6 TSI` -> es `1,6 TSI`."""
    _, decimal = separators(locale)
    return _ENGINE_DECIMAL.sub(lambda m: f"{m.group(1)}{decimal}{m.group(2)}", text)


def number_tokens(text: str) -> list[str]:
    """Digit runs with their separators, as written: `45.000 km y 1,6` -> [`45.000`, `1,6`]."""
    return _NUMBER_TOKEN.findall(text)


def number_readings(token: str) -> set[float]:
    """Every value a written number can mean in any of our locales.

    `45.000` -> {45000, 45.0}; `1,6` -> {1.6}; `1.234,5` -> {1234.5}; `2019` -> {2019}.
    """
    token = token.strip(".,")
    if not token:
        return set()
    seps = [c for c in token if c in ".,"]
    if not seps:
        return {float(token)}
    readings: set[float] = set()
    if len(set(seps)) == 2:
        dec = seps[-1]
        whole, _, frac = token.rpartition(dec)
        if _grouped(whole, "," if dec == "." else "."):
            readings.add(float(whole.replace(",", "").replace(".", "") + "." + frac))
        return readings
    sep = seps[0]
    if _grouped(token, sep):
        readings.add(float(token.replace(sep, "")))
    if len(seps) == 1:
        readings.add(float(token.replace(sep, ".")))
    return readings


def _grouped(token: str, sep: str) -> bool:
    """True when `token` is digits grouped by `sep` in threes (`45.000`, `1.234.567`)."""
    parts = token.split(sep)
    if len(parts) < 2:
        return parts[0].isdigit()
    head, rest = parts[0], parts[1:]
    return 1 <= len(head) <= 3 and head.isdigit() and all(
        len(p) == 3 and p.isdigit() for p in rest
    )


def same_number(a: float, b: float) -> bool:
    """Equality that ignores float noise (45000.0 vs 45000, 1.6 vs 1.6000000001)."""
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))
