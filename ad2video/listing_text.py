"""Seller text: reading the listing file's bytes, making text safe to show and say, limits.

`read_listing_text` accepts UTF-8 (with or without a byte-order mark) and UTF-16/32 with a
byte-order mark (or, for JSON, recognised by its zero bytes); anything else is an error naming
the first bad byte, never a guess. The file is read up to MAX_LISTING_BYTES and no further.

Runs on the raw listing data before validation (listing_io._normalise). Text that can reach the
screen or the voice (title, typed text attributes, features, free attributes, image captions)
loses control, bidi-override and zero-width characters, keeps at most two combining marks per
letter (no "zalgo"), has braces turned into parentheses (templates and subtitle formats read
braces as markup) and "-->" into an arrow (SubRip's timing marker), and its spaces collapsed.
A feature or free attribute written as "None", "null" or "n/a" carries nothing and is dropped.

Limits, each with a warning and never an error (typed fields keep their contract limits, which
are errors): the description is cut to MAX_DESCRIPTION characters; a feature longer than
MAX_FEATURE characters, a free attribute whose name is longer than MAX_KEY or whose text is
longer than MAX_VALUE, and free attributes beyond the first MAX_FREE are not used.
"""

from __future__ import annotations

import codecs
import json
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ad2video.contracts import CarAttributes, HomeAttributes, OtherAttributes
from ad2video.errors import UserError
from ad2video.pii import scrub

MAX_LISTING_BYTES = 5 << 20  # a listing file is text: anything bigger is not one
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
MAX_DESCRIPTION = 20_000  # contracts.Listing.description's max_length
MAX_FEATURE = 120
MAX_KEY = 60
MAX_VALUE = 200
MAX_FREE = 50
TEXT_FIELDS = ("make", "model", "version", "colour", "engine", "property_type")
NULL_WORDS = frozenset({"none", "null", "nil", "n/a", "na", "undefined", "nan", "-", "--", "?"})

_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)
_DROP = object()
Note = Callable[[str], None]


def read_listing_text(file: Path) -> str:
    """The listing file's text: at most MAX_LISTING_BYTES of UTF-8, or UTF-16/32 when a
    byte-order mark (or, for JSON, the pattern of zero bytes) says so."""
    return _decode(file.name, _read_bytes(file), file.suffix.lower() == ".json")


def _read_bytes(file: Path) -> bytes:
    try:
        with file.open("rb") as stream:
            raw = stream.read(MAX_LISTING_BYTES + 1)  # bounded: a listing file may be a bomb
    except OSError as exc:
        raise UserError(f"cannot read {file.name}: {exc.strerror or exc}") from None
    if len(raw) > MAX_LISTING_BYTES:
        raise UserError(f"{file.name} is too large (more than {MAX_LISTING_BYTES >> 20} MB)")
    return raw


def _decode(name: str, raw: bytes, is_json: bool) -> str:
    encoding = next((enc for bom, enc in _BOMS if raw.startswith(bom)), "utf-8")
    if encoding == "utf-8" and is_json:
        encoding = json.detect_encoding(raw)
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        if not encoding.startswith("utf-8"):
            detail = f"damaged {encoding.upper()[:6]}"
        else:
            line = raw.count(b"\n", 0, exc.start) + 1
            column = exc.start - raw.rfind(b"\n", 0, exc.start)
            detail = f"byte 0x{raw[exc.start]:02X} at line {line} column {column}"
        raise UserError(f"cannot read {name}: not UTF-8 text ({detail}; save it as UTF-8)") \
            from None


def clean_text(text: str, lines: bool = False) -> str:
    """`text` without invisible characters or markup braces, spaces collapsed (line breaks kept
    when `lines`)."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    text = text.replace("{", "(").replace("}", ")").replace("-->", "→")  # SRT's cue arrow
    text = _tame_marks(text)
    if lines:
        return "\n".join(" ".join(line.split()) for line in text.splitlines()).strip()
    return " ".join(text.split())


def _tame_marks(text: str) -> str:
    out, run = [], 0
    for char in text:
        run = run + 1 if unicodedata.combining(char) else 0
        if run <= 2:
            out.append(char)
    return "".join(out)


def is_null_word(text: str) -> bool:
    return text.strip().casefold() in NULL_WORDS


def tidy_listing(data: dict[str, Any], name: str, warnings: list[str] | None) -> dict[str, Any]:
    """Clean and limit the free text of raw listing data (see the module docstring)."""
    note: Note = warnings.append if warnings is not None else (lambda _message: None)
    if isinstance(data.get("title"), str):
        data["title"] = clean_text(data["title"])
    if isinstance(data.get("description"), str):
        data["description"] = cut_description(data["description"], name, note)
    if isinstance(data.get("images"), list):
        data["images"] = [_tidy_image(i) for i in data["images"]]
    if isinstance(data.get("attributes"), dict):
        model = {"car": CarAttributes, "real_estate": HomeAttributes}.get(
            str(data.get("domain")), OtherAttributes)
        data["attributes"] = _tidy_attributes(data["attributes"], set(model.model_fields),
                                              name, note)
    return data


def cut_description(text: str, name: str, note: Note) -> str:
    if len(text) > MAX_DESCRIPTION:
        note(f"{name}: the description is {len(text)} characters long; only the first "
             f"{MAX_DESCRIPTION} are used")
        cut = text[:MAX_DESCRIPTION]
        space = cut.rfind(" ", MAX_DESCRIPTION - 200)
        text = cut[:space] if space > 0 else cut
    return clean_text(text, lines=True)


def _tidy_image(item: Any) -> Any:
    if not isinstance(item, dict):
        return item
    return {k: clean_text(v) if k in ("caption", "view") and isinstance(v, str) else v
            for k, v in item.items()}


def _tidy_attributes(attrs: dict[str, Any], fields: set[str], name: str,
                     note: Note) -> dict[str, Any]:
    out = dict(attrs)
    for field in TEXT_FIELDS:
        if isinstance(out.get(field), str):
            text = clean_text(out[field])
            out[field] = None if not text or is_null_word(text) else text
    features = out.get("features")
    if isinstance(features, list) and all(isinstance(f, str) for f in features):
        out["features"] = _features(features, name, note)
    kept = 0
    extra = out.get("extra")
    containers: list[dict[str, Any]] = [out, *([extra] if isinstance(extra, dict) else [])]
    for box in containers:
        for key in [k for k in box if box is not out or k not in fields]:
            value = _free_value(str(key), box.pop(key), name, note)
            if value is _DROP:
                continue
            kept += 1
            if kept <= MAX_FREE:
                box[clean_text(str(key))] = value
    if kept > MAX_FREE:
        note(f"{name}: {kept} free attributes; only the first {MAX_FREE} are used")
    return out


def _features(features: list[str], name: str, note: Note) -> list[str]:
    kept = []
    for i, feature in enumerate(features):
        text = clean_text(feature)
        if not text or is_null_word(text):
            continue
        if len(text) > MAX_FEATURE:
            note(f"{name}: feature {i + 1} is {len(text)} characters long (at most "
                 f"{MAX_FEATURE}): not used")
            continue
        kept.append(text)
    return kept


def _free_value(key: str, value: Any, name: str, note: Note) -> Any:
    """A free attribute's cleaned value, or _DROP when it must not be used."""
    if len(key) > MAX_KEY:
        note(f"{name}: an attribute name is {len(key)} characters long (at most {MAX_KEY}): "
             "not used")
        return _DROP
    if not clean_text(key):
        return _DROP
    if isinstance(value, str):
        value = clean_text(value)
        if not value or is_null_word(value):
            return _DROP
        if len(value) > MAX_VALUE:
            note(f"{name}: attribute '{scrub(clean_text(key))}' is {len(value)} characters "
                 f"long (at most {MAX_VALUE}): not used")
            return _DROP
    return value
