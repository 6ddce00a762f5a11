"""What a listing supports, prepared once for the claim checker (ad2video.claims).

Sources are the typed attributes, the features list, non-money extras and the title; never
the seller's free-text description (it is untrusted: "it has a sunroof" written there is not
a fact). Phrases are matched in `norm` form: lowercase, no accents.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from ad2video import claims_vocab as vocab
from ad2video import numfmt
from ad2video.backends import script_facts as sf
from ad2video.contracts import LOCALES, CarAttributes, HomeAttributes, Listing
from ad2video.stages.script import SENSITIVE_KEY_RE, listing_numbers, load_bank, norm

_NUM = r"\d+(?:[.,]\d+)*"


def _phrase_re(phrases: list[str]) -> re.Pattern[str]:
    alts = "|".join(re.escape(p) for p in sorted(set(phrases), key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])")


def _scan(plain: str, index: dict[str, str]) -> list[tuple[str, str]]:
    """(key, phrase) for every phrase of `index` in `plain`, longest phrases first."""
    if not index:
        return []
    return [(index[m.group()], m.group()) for m in _phrase_re(list(index)).finditer(plain)]


def _invert(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {norm(p): key for key, phrases in table.items() for p in phrases}


@functools.cache
def _bank_index(section: str) -> dict[str, str]:
    """Every locale's name or alias of a feature or colour -> its key, without the article
    forms ("a sunroof" is found as "sunroof") and without names under 3 letters ("ac")."""
    articles = {a for loc in LOCALES for a in load_bank(loc)["grammar"].get("strip_articles", [])}
    return {name: key for name, key in sf._index(section).items()
            if len(name) >= 3 and not (" " in name and name.split()[0] in articles)}


FUEL, GEARBOX, BODY = (_invert(vocab.FUEL_WORDS), _invert(vocab.TRANSMISSION_WORDS),
                       _invert(vocab.BODY_WORDS))
UNIT_OF = _invert(vocab.UNITS)
COUNT_OF = _invert(vocab.COUNT_NOUNS)
MAKE_ALIASES = {"vw": "volkswagen", "chevy": "chevrolet", "mercedes": "mercedes-benz"}
_UNITS = "|".join(map(re.escape, sorted(UNIT_OF, key=len, reverse=True)))
_MULT = r"(?:\s*(?:mil|thousand|k)(?!\w))"  # "45 mil km", "45k km": thousands
UNIT_RE = re.compile(rf"(?<![\w.,])({_NUM}{_MULT}?)\s*({_UNITS})(?![\w²])")
NUMBER_RE = re.compile(rf"(?<![\w.,])({_NUM})({_MULT})?")
_NOUNS = "|".join(map(re.escape, sorted(COUNT_OF, key=len, reverse=True)))


def language(locale: str) -> str:
    return locale.split("-")[0]


@functools.cache
def count_re(lang: str) -> re.Pattern[str]:
    """A count claim in `lang`: a number (digits or a word) and, one word on at most, a noun."""
    words = "|".join(map(re.escape, sorted(vocab.NUMBER_WORDS[lang], key=len, reverse=True)))
    return re.compile(rf"(?<![\w.,])({_NUM}|{words})\s+(?:\w+\s+)?({_NOUNS})(?!\w)")


def readings(token: str, lang: str = "en") -> set[float]:
    """Values a written number can mean: `45.000`, `45 mil`, `45k`, `1,6`, `tres`."""
    token = token.strip()
    if token in vocab.NUMBER_WORDS[lang]:
        return {float(vocab.NUMBER_WORDS[lang][token])}
    digits = re.match(_NUM, token)
    values = numfmt.number_readings(digits.group()) if digits else set()
    return {v * 1000 for v in values} if re.search(_MULT + "$", token) else values


def number_claims(text: str) -> list[tuple[str, set[float]]]:
    """Each number written in `text` (digits, with a `mil`/`thousand`/`k` multiplier) and
    its readings in any locale."""
    return [(m.group(1), readings(m.group())) for m in NUMBER_RE.finditer(text)]


def _family(key: str, families: tuple[set[str], ...]) -> set[str]:
    return set().union({key}, *(f for f in families if key in f))


@dataclass
class ListingFacts:
    listing: Listing
    numbers: list[float] = field(default_factory=list)
    text: str = ""  # the seller's typed text (title, fields, features, extras) in norm form
    counts: dict[str, float | None] = field(default_factory=dict)
    units: dict[str, set[float]] = field(default_factory=dict)
    attrs: dict[str, set[str]] = field(default_factory=dict)  # fuel/gearbox/body/colour
    features: set[str] = field(default_factory=set)
    names: str = ""  # make, model, version and title in norm form
    description_ngrams: set[tuple[str, ...]] = field(default_factory=set)
    is_car: bool = False

    @classmethod
    def of(cls, listing: Listing) -> ListingFacts:
        from ad2video.claims import ngrams  # the checker's own n-gram rule

        facts = cls(listing=listing, numbers=listing_numbers(listing))
        facts.text = norm(" | ".join(_typed_texts(listing)))
        facts.is_car = isinstance(listing.attributes, CarAttributes)
        facts._counts()
        facts._units()
        facts._attributes()
        facts._features()
        # Runs the title shares with the description are fair to say: the title is a fact.
        facts.description_ngrams = ngrams(listing.description) - ngrams(listing.title)
        return facts

    def is_price(self, value: float) -> bool:
        price = self.listing.price
        return price is not None and numfmt.same_number(value, price.amount)

    # ------------------------------------------------------------------ building

    def _counts(self) -> None:
        a = self.listing.attributes
        self.counts = {k: getattr(a, k, None) for k in vocab.COUNT_NOUNS}
        rooms = [v for k, v in a.extra.items() if norm(k) in sf.ROOM_KEYS and isinstance(v, int)]
        self.counts["rooms"] = rooms[0] if rooms else None

    def _units(self) -> None:
        a = self.listing.attributes
        self.units = {u: set() for u in vocab.UNITS}
        for m in UNIT_RE.finditer(self.text):
            self.units[UNIT_OF[m.group(2)]] |= readings(m.group(1))
        if isinstance(a, CarAttributes):
            if a.mileage:
                self.units[a.mileage.unit].add(a.mileage.value)
            for text in (a.engine, a.version, self.listing.title):
                for token in numfmt.number_tokens(text or ""):
                    self.units["litre"] |= {r for r in numfmt.number_readings(token) if r < 10}
        if isinstance(a, HomeAttributes) and a.area:
            self.units[a.area.unit].add(a.area.value)

    def _attributes(self) -> None:
        a = self.listing.attributes
        if not isinstance(a, CarAttributes):
            return
        fuel, gear, body = a.fuel, a.transmission, a.body
        self.attrs = {
            "fuel": vocab.FUEL_COMPATIBLE.get(fuel, {fuel}) if fuel else set(),
            "transmission": vocab.TRANSMISSION_COMPATIBLE.get(gear, {gear}) if gear else set(),
            "body": vocab.BODY_COMPATIBLE.get(body, {body}) if body else set(),
            "colour": set(),
        }
        colour = sf.canonical(a.colour, "colours") if a.colour else None
        if colour:
            self.attrs["colour"] = _family(colour, vocab.COLOUR_FAMILIES)

    def _features(self) -> None:
        a = self.listing.attributes
        raws = [*a.features, *(k.replace("_", " ") for k, v in a.extra.items() if v is True)]
        keys = {k for raw in raws for k in [_bank_index("features").get(norm(raw))] if k}
        keys |= {k for k, _ in _scan(self.text, _bank_index("features"))}
        if isinstance(a, HomeAttributes) and a.parking:
            keys.add("parking")
        self.features = set().union(*(_family(k, vocab.FEATURE_FAMILIES) for k in keys))

    # ------------------------------------------------------------------ checking

    def unsupported(self, text: str, locale: str) -> list[tuple[str, str]]:
        """(kind, message) for each claim of `text` about counts, quantities, names, fuel,
        gearbox, body, colour or features that the listing does not support."""
        plain = norm(text)
        out = self._count_claims(plain, language(locale)) + self._unit_claims(plain)
        if self.is_car:
            out += self._name_claims(plain)
            for what, index in (("fuel", FUEL), ("transmission", GEARBOX), ("body", BODY),
                                ("colour", _bank_index("colours"))):
                out += [("fact", f"{what} '{p}' is not what the listing says")
                        for key, p in _scan(plain, index)
                        if key not in self.attrs.get(what, set()) and not self._says(p)]
        out += [("feature", f"feature '{p}' is not in the listing")
                for key, p in _scan(plain, _bank_index("features"))
                if key not in self.features and not self._says(p)]
        return out

    def _says(self, phrase: str) -> bool:
        return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", self.text) is not None

    def _count_claims(self, plain: str, lang: str) -> list[tuple[str, str]]:
        out = []
        for m in count_re(lang).finditer(plain):
            what, value = COUNT_OF[m.group(2)], self.counts.get(COUNT_OF[m.group(2)])
            if value is None and self._says(m.group()):
                continue
            if value is None or not any(numfmt.same_number(r, value) for r in
                                        readings(m.group(1), lang)):
                given = f"says {value:g}" if value is not None else f"gives no {what}"
                out.append(("fact", f"'{m.group()}' does not match the listing ({given})"))
        return out

    def _unit_claims(self, plain: str) -> list[tuple[str, str]]:
        out = []
        for m in UNIT_RE.finditer(plain):
            unit = UNIT_OF[m.group(2)]
            allowed = self.units.get(unit, set())
            if not any(numfmt.same_number(r, a) for r in readings(m.group(1))
                       for a in allowed):
                out.append(("fact", f"'{m.group()}' is not a quantity the listing gives"))
        return out

    def _name_claims(self, plain: str) -> list[tuple[str, str]]:
        out = []
        for kind, words in (("make", vocab.MAKES), ("model", vocab.MODELS)):
            for m in _phrase_re(list(words)).finditer(plain):
                full = MAKE_ALIASES.get(m.group(), m.group())
                forms = {full} | {a for a, f in MAKE_ALIASES.items() if f == full}
                if not any(self._says(f) for f in forms):
                    out.append(("fact", f"{kind} '{m.group()}' is not the listing's {kind}"))
        return out

    def mentioned(self, text: str) -> list[str]:
        """Fact keys `text` states, in a stable order."""
        plain, a, keys = norm(text), self.listing.attributes, []
        for token in numfmt.number_tokens(text):
            for name in ("year", "doors", "owners", "bedrooms", "bathrooms", "parking"):
                value = getattr(a, name, None)
                if value is not None and any(numfmt.same_number(r, value)
                                             for r in numfmt.number_readings(token)):
                    keys.append(name)
        mileage = a.mileage if isinstance(a, CarAttributes) else None
        if mileage and any(UNIT_OF[m.group(2)] == mileage.unit and any(
                numfmt.same_number(r, mileage.value) for r in readings(m.group(1)))
                for m in UNIT_RE.finditer(plain)):
            keys.append("mileage")
        if isinstance(a, CarAttributes):
            keys += [k for k in ("make", "model") if getattr(a, k) and
                     re.search(rf"(?<!\w){re.escape(norm(getattr(a, k)))}(?!\w)", plain)]
        keys += [f"features:{k}" for k, _ in _scan(plain, _bank_index("features"))]
        return list(dict.fromkeys(keys))


def _typed_texts(listing: Listing) -> list[str]:
    a = listing.attributes
    texts = [listing.title, *a.features]
    texts += [f"{k.replace('_', ' ')} {v}" for k, v in a.extra.items()
              if not SENSITIVE_KEY_RE.search(k)]
    if isinstance(a, CarAttributes):
        texts += [a.make, a.model, a.version, a.engine, a.colour]
    elif isinstance(a, HomeAttributes):
        texts.append(a.property_type)
    return [t for t in texts if t]
