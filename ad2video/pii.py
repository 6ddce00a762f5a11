"""Contact details in seller text: phone numbers, e-mail and web addresses, WhatsApp, @handles.

A video must never say or show how to reach the seller (marketplaces forbid it, and a script
writer must not be talked into it), so every text that can be spoken passes `scrub`, and the
script guard refuses a script in which `find_pii` still finds something.

A phone number is 8 or more digits written like one: with a leading +, 0 or (area code), with
dashes, dots or slashes between groups, in three or more spaced groups, or as one long run.
Numbers that read as facts are not phones: thousands ("45.000", "1.234.567"), dates
("12/05/2019") and year ranges ("2019-2024"). Web addresses need a scheme, "www." or a known
top-level domain ("x.com", "autos.com.ar/usados"), so that "1.6" or "nuevo.Es" are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ad2video.contracts import Listing

_SP = r"[ \u00a0]"  # one space (a newline never joins the parts of a phone number)
_PHONE_CANDIDATE = re.compile(
    rf"(?<![\w+])(?:\+{_SP}?)?(?:\({_SP}?\d{{1,5}}{_SP}?\){_SP}?[-.]?{_SP}?)?"
    rf"\d+(?:(?:{_SP}?[-./]{_SP}?|{_SP})\(?\d+\)?)*(?![\w@])"
)
_THOUSANDS = re.compile(r"\d{1,3}(?:([.,' \u00a0])\d{3})(?:\1\d{3})*")
_DATE = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}[/.-]\d{1,2}[/.-]\d{1,2}")
_DECIMAL = re.compile(r"\d{1,3}[.,]\d{1,2}")
_YEAR = re.compile(r"(?:19|20)\d\d")
_YEAR_RANGE = re.compile(r"(?:19|20)\d\d{_SP}?[-/]{_SP}?(?:19|20)\d\d".replace("{_SP}", _SP))

_TLDS = (
    "com|net|org|info|biz|io|co|ly|app|dev|site|online|store|shop|xyz|tv|link|page|club|top"
    "|ar|br|mx|cl|uy|py|bo|ve|ec"
)
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_URL = re.compile(
    r"\b(?:(?:https?|ftp)://|www\d?\.)[^\s<>\"']+"  # scheme or www.: everything up to a space
    rf"|(?<![\w.@-])(?:{_LABEL}\.){{1,6}}(?:{_TLDS})(?:\.[a-z]{{2}})?\b(?:/[^\s<>\"']*)?"
    rf"|(?<![\w.@-])(?:{_LABEL}\.){{1,6}}[a-z]{{2,6}}/[^\s<>\"']+",  # any domain followed by a path
    re.IGNORECASE,
)
_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,6}"
    r"|(?<![\w.+-])[\w.+-]{1,64}\s{0,3}(?:\(at\)|\[at\]|\{at\}|\s(?:at|arroba)\s)\s{0,3}"
    r"[\w-]{1,63}"
    rf"\s{{0,3}}(?:\.|\(dot\)|\[dot\]|\s(?:dot|punto|ponto)\s)\s*(?:{_TLDS})\b",
    re.IGNORECASE,
)
_WHATSAPP = re.compile(
    r"\b(?:wh?ats?\s?app?|wasap+|guasap+|wsp|wpp|wapp|whats|zap\s?zap|wa\.me)\b", re.IGNORECASE
)
_HANDLE = re.compile(r"(?<![\w@.])@[a-z0-9_](?:[a-z0-9_.]{0,28}[a-z0-9_])?", re.IGNORECASE)

# Words that introduce contact details; removed together with them ("Tel: 11 4567-8901").
_LEAD_IN = re.compile(
    r"(?:\b(?:tel[eé]fono|telefone|tel|cel(?:ular)?|m[oó]vil|phone|mobile|call|text|ll[aá]m[aeá]"
    r"(?:me|nos|r)?(?:\s+al)?|escrib[ií](?:me|nos)|mail|e-mail|email|correo|contacto|contact"
    r"|web|site|sitio|visit[aáe]?|ver\s+en|liga[rç]?\s+para|fone)\b\.?\s*[:=]?\s*)$",
    re.IGNORECASE,
)
_PATTERNS = (("e-mail address", _EMAIL), ("web address", _URL),
             ("messaging app mention", _WHATSAPP), ("handle", _HANDLE),
             ("phone number", _PHONE_CANDIDATE))
_SEPARATORS = " \t\n\u00a0:;,-–—|/·•()[]"


@dataclass(frozen=True)
class Found:
    kind: str  # phone number, e-mail address, web address, messaging app mention, handle
    text: str
    start: int
    end: int


def find_pii(text: str) -> list[str]:
    """Every phone number, e-mail, web address, WhatsApp mention or @handle in `text`."""
    return [f.text for f in find_all(text)]


def pii_kinds(text: str) -> list[str]:
    """The kinds of contact details in `text`, each once, in order of first appearance."""
    return list(dict.fromkeys(f.kind for f in find_all(text)))


def find_all(text: str) -> list[Found]:
    """Non-overlapping findings in text order; where two overlap, the one starting first wins
    (then e-mails before the web address inside them, then the longer one)."""
    candidates: list[tuple[int, int, int, Found]] = []
    for rank, (kind, pattern) in enumerate(_PATTERNS):
        for m in pattern.finditer(text):
            for start, piece in _pieces(kind, m):
                if piece:
                    found = Found(kind, piece, start, start + len(piece))
                    candidates.append((start, rank, -len(piece), found))
    kept: list[Found] = []
    for *_, found in sorted(candidates, key=lambda c: c[:3]):
        if not kept or found.start >= kept[-1].end:
            kept.append(found)
    return kept


def _pieces(kind: str, m: re.Match[str]) -> list[tuple[int, str]]:
    if kind == "phone number":
        return phone_runs(m.group(), m.start())
    return [(m.start(), m.group().rstrip(".,;:!?)]}"))]


def phone_runs(candidate: str, offset: int = 0) -> list[tuple[int, str]]:
    """The parts of a run of numbers that read as phone numbers, as (offset, text).

    Sellers write facts next to each other ("208 1.6 2019 45.000 km"): the run is split at a
    decimal, a grouped thousand or (unless it starts like a phone, with +, 0 or "(") a year.
    """
    strong = candidate[:1] in ("+", "(", "0")
    parts: list[tuple[int, str]] = []
    first = last = -1
    for m in re.finditer(r"\S+", candidate):
        tok = m.group()
        fact = bool(_DECIMAL.fullmatch(tok) or (_THOUSANDS.fullmatch(tok) and not tok.isdigit())
                    or (not strong and _YEAR.fullmatch(tok)))
        if not fact:
            first, last = (m.start() if first < 0 else first), m.end()
        if (fact or m.end() == len(candidate)) and first >= 0:
            parts.append((offset + first, candidate[first:last]))
            first = -1
    return [(start, text) for start, text in parts if is_phone(text)]


def is_phone(candidate: str) -> bool:
    """Does this run of digits and separators read as a phone number (not a fact)?"""
    text = candidate.strip()
    digits = sum(c.isdigit() for c in text)
    if digits < 8:
        return False
    if _THOUSANDS.fullmatch(text) or _DATE.fullmatch(text) or _YEAR_RANGE.fullmatch(text):
        return False
    groups = re.findall(r"\d+", text)
    return (
        text[0] in "+(" or text.startswith("0") or len(groups) == 1
        or bool(re.search(r"[-./)]", text)) or len(groups) >= 3
    )


def scrub(text: str, placeholder: str = "") -> str:
    """`text` without contact details (and the "Tel:"/"WhatsApp" words that introduce them),
    each replaced by `placeholder`. Removing one may join the digits around it into another
    ("1234 wsp 5678 9012"), so it repeats until nothing is left."""
    for _ in range(5):
        found = find_all(text)
        if not found:
            break
        text = _remove(text, found, placeholder)
    return text


def _remove(text: str, found: list[Found], placeholder: str) -> str:
    out, pos = [], 0
    for f in found:
        before = text[pos:f.start]
        lead = _LEAD_IN.search(before[-40:])  # only the words right before it
        out.append(before[: len(before) - len(before[-40:]) + lead.start()] if lead else before)
        if placeholder:
            out.append(placeholder)
        pos = f.end
    out.append(text[pos:])
    return _tidy("".join(out))


def _tidy(text: str) -> str:
    """Collapse the gaps left behind: doubled spaces, dangling separators at either end."""
    lines = [re.sub(r"[ \t\u00a0]{2,}", " ", line) for line in text.split("\n")]
    text = "\n".join(line.rstrip() for line in lines)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    text = re.sub(r"(\s[-–—|/·•])(?:\s*[-–—|/·•](?=\s|$))+", r"\1", text)
    return text.strip(_SEPARATORS)


# --------------------------------------------------------------------------- listings

_TEXT_ATTRIBUTES = ("make", "model", "version", "colour", "engine", "property_type")


def scrub_listing(listing: Listing) -> tuple[Listing, list[str]]:
    """A copy of `listing` without contact details in any text a writer may read or say
    (title, description, typed text attributes, features, extra key/values, image captions),
    and one warning per field that had some. The warnings never repeat the details."""
    warnings: list[str] = []

    def clean(text: str, where: str) -> str:
        kinds = pii_kinds(text)
        if not kinds:
            return text
        warnings.append(f"contact details removed from {where} ({', '.join(kinds)})")
        return scrub(text)

    # An empty title is not allowed: "-" is reduced to nothing by the writers, which then use
    # their neutral fallback ("this listing").
    title = clean(listing.title, "the title") or "-"
    description = clean(listing.description, "the description")
    attrs = listing.attributes
    changes: dict[str, Any] = {}
    for name in _TEXT_ATTRIBUTES:
        value = getattr(attrs, name, None)
        if isinstance(value, str):
            changes[name] = clean(value, f"attributes.{name}") or None
    features = [clean(f, f"attributes.features[{i}]") for i, f in enumerate(attrs.features)]
    changes["features"] = [f for f in features if f]
    extra: dict[str, Any] = {}
    for key, value in attrs.extra.items():
        if pii_kinds(key):
            warnings.append(f"attribute dropped: its name holds contact details "
                            f"({', '.join(pii_kinds(key))})")
            continue
        value = clean(value, f"attributes.{key}") if isinstance(value, str) else value
        if value != "":
            extra[key] = value
    changes["extra"] = extra
    images = [
        image.model_copy(update={
            "caption": clean(image.caption, f"the caption of {image.file}") or None
            if image.caption else image.caption,
            "view": clean(image.view, f"the view of {image.file}") or None
            if image.view else image.view,
        })
        for image in listing.images
    ]
    out = listing.model_copy(update={
        "title": title, "description": description, "images": images,
        "attributes": attrs.model_copy(update=changes),
    })
    return out, warnings
