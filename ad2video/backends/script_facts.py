"""What a script may say about a listing: facts from typed fields, phrased per locale.

Only typed attributes, the features list, extra key/values and a cleaned title are read; the
free-text description is untrusted and never used. Money never becomes a fact.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ad2video import numfmt
from ad2video.contracts import LOCALES, CarAttributes, Domain, HomeAttributes, Listing
from ad2video.stages.script import SENSITIVE_KEY_RE, is_unsafe, load_bank, norm

ROOM_KEYS = {"ambientes", "rooms", "comodos", "habitaciones"}
FLOORS_SPOKEN_FOR = {"house", "townhouse", "duplex"}  # elsewhere `floors` may mean a floor level

# Where each feature is best said (photo topics in order); unlisted ones go to the closing scene.
FEATURE_TOPICS: dict[str, tuple[str, ...]] = {
    "air_conditioning": ("interior", "dashboard", "living", "bedroom"),
    "climate_control": ("dashboard", "interior"), "sunroof": ("interior", "side"),
    "panoramic_roof": ("interior", "side"), "leather_seats": ("interior", "rear_seats"),
    "heated_seats": ("interior", "rear_seats"), "navigation": ("dashboard", "interior"),
    "parking_sensors": ("rear", "front"), "rear_camera": ("rear", "dashboard"),
    "cruise_control": ("dashboard", "interior"), "bluetooth": ("dashboard", "interior"),
    "carplay": ("dashboard", "interior"), "android_auto": ("dashboard", "interior"),
    "touchscreen": ("dashboard", "interior"), "alloy_wheels": ("wheel", "side", "front"),
    "keyless_entry": ("interior",), "power_windows": ("interior",),
    "led_headlights": ("front",), "fog_lights": ("front",), "tow_bar": ("rear", "trunk"),
    "roof_rails": ("side", "trunk"), "isofix": ("rear_seats", "interior"),
    "third_row": ("rear_seats", "trunk"), "folding_rear_seats": ("trunk", "rear_seats"),
    "balcony": ("view", "living", "exterior"), "pool": ("garden", "exterior"),
    "garage": ("exterior",), "garden": ("garden", "exterior"),
    "terrace": ("view", "garden", "exterior"), "fireplace": ("living",),
    "barbecue": ("garden", "exterior"), "laundry": ("kitchen",), "security": ("exterior",),
    "furnished": ("living", "bedroom"), "heating": ("living", "bedroom"),
    "wardrobes": ("bedroom",), "rear_parking_sensors": ("rear",), "fitted_kitchen": ("kitchen",),
    "wood_floors": ("living", "bedroom"), "security_24h": ("exterior",),
}


@dataclass(eq=False)  # identity equality: two facts with equal text are still two facts
class Fact:
    key: str  # template need: name, mileage, feature, extra, ...
    slots: dict[str, str]
    keys: list[str]  # listing fact keys for Scene.facts
    topics: tuple[str, ...] = ()
    label: str | None = None


@functools.cache
def _index(section: str) -> dict[str, str]:
    """Any locale's name or alias for a colour, feature or home type -> its canonical key."""
    index: dict[str, str] = {}
    for locale in LOCALES:
        bank = load_bank(locale)
        table = bank["values"][section]
        for key, names in table.items():
            names = names if isinstance(names, list) else [names]
            for name in [*names, *bank.get("aliases", {}).get(key, [])]:
                index.setdefault(norm(name), key)
                index.setdefault(norm(strip_article(name, bank)), key)
    return index


def canonical(raw: str, section: str) -> str | None:
    return _index(section).get(norm(raw))


def strip_article(name: str, bank: dict) -> str:
    words = name.split(" ", 1)
    articles = bank["grammar"].get("strip_articles", [])
    return words[1] if len(words) == 2 and words[0].lower() in articles else name


def label(text: str) -> str:
    return text[:1].upper() + text[1:]


def tidy(text: str) -> str:
    text = re.sub(r"\s+([,.;:])", r"\1", " ".join(text.split()))
    text = label(text)
    return text if text.endswith((".", "!", "?")) else text + "."


def join_list(items: list[str], bank: dict) -> str:
    grammar = bank["grammar"]
    if len(items) < 2:
        return "".join(items)
    return grammar["list_sep"].join(items[:-1]) + f" {grammar['and']} " + items[-1]


def english_article(phrase: str) -> str:
    """'a' or 'an' by the sound of the first word (SUV -> an, 8-door -> an, Audi -> an)."""
    word = phrase.split()[0] if phrase.split() else ""
    digits = re.match(r"[0-9]+", word)
    if digits:
        d = digits.group()
        return "an" if d[0] == "8" or (d[:2] in ("11", "18") and len(d) in (2, 4, 5)) else "a"
    bare = re.sub(r"[^A-Za-z]", "", word)
    if bare.isupper() and 1 < len(bare) <= 4 and bare not in {"FIAT", "SEAT", "JEEP", "MINI"}:
        return "an" if bare[0] in "AEFHILMNORSX" else "a"
    low = bare.lower()
    if low.startswith(("uni", "use", "usu", "eu", "one", "ur")):
        return "a"
    return "an" if low[:1] in ("a", "e", "i", "o", "u") or low.startswith("hour") else "a"


def with_article(phrase: str, bank: dict, pattern: str) -> str:
    if bank["grammar"].get("articles") == "english":
        return f"{english_article(phrase)} {phrase}"
    return bank["patterns"][pattern].format(name=phrase, raw=phrase)


def count(bank: dict, what: str, n: int) -> str:
    forms = bank["counts"][what]
    return (forms["one"] if n == 1 else forms["other"]).format(
        n=numfmt.format_int(n, bank["locale"])
    )


# --------------------------------------------------------------------------- listing -> facts


def listing_facts(listing: Listing, locale: str) -> list[Fact]:
    """Everything the template may say, in the order it is best said."""
    bank = load_bank(locale)
    attrs = listing.attributes
    if isinstance(attrs, CarAttributes):
        facts = _car_facts(attrs, listing, bank)
    elif isinstance(attrs, HomeAttributes):
        facts = _home_facts(attrs, listing, bank)
    else:
        facts = [Fact("title", {}, ["title"], ("intro",))]
    other = listing.domain == Domain.other
    # Extra keys are the seller's own words in the seller's language: said as plain facts
    # only for "other" listings, where they are all there is (room counts excepted).
    extras = [f for f in _extra_facts(listing, bank, other) if other or f.key == "rooms"]
    return facts + _feature_facts(listing, bank, other) + extras


def _car_facts(a: CarAttributes, listing: Listing, bank: dict) -> list[Fact]:
    v, loc = bank["values"], bank["locale"]
    facts = [_name_fact(a, listing, bank) or Fact("title", {}, ["title"], ("intro",))]
    if a.body:
        noun, phrase = v["body"][a.body]
        keys = ["body"]
        if a.doors:
            phrase = bank["patterns"]["body_doors"].format(
                n=numfmt.format_int(a.doors, loc), noun=noun, a_body=phrase)
            if bank["grammar"].get("articles") == "english":  # "a 5-door", "an 8-door"
                phrase = with_article(phrase, bank, "a_car")
            keys.append("doors")
        facts.append(Fact("body", {"body": phrase}, keys, ("intro", "side", "rear"), label(noun)))
    elif a.doors:
        doors = count(bank, "doors", a.doors)
        facts.append(Fact("doors", {"doors": doors}, ["doors"], ("side", "rear"), doors))
    if a.colour and not is_unsafe(a.colour, listing):
        key = canonical(a.colour, "colours")
        colour = v["colours"][key] if key else a.colour.strip().lower()
        facts.append(Fact("colour", {"colour": colour}, ["colour"],
                          ("intro", "side", "front", "rear"), label(colour)))
    if a.mileage:
        km = numfmt.format_quantity(a.mileage.value, a.mileage.unit, loc)
        facts.append(Fact("mileage", {"mileage": km}, ["mileage"], ("dashboard", "interior"), km))
    if a.fuel:
        facts.append(Fact("fuel", {"fuel": v["fuel"][a.fuel]}, ["fuel"], ("engine", "dashboard"),
                          v["fuel_label"][a.fuel]))
    if a.transmission:
        facts.append(Fact("transmission", {"transmission": v["transmission"][a.transmission]},
                          ["transmission"], ("dashboard", "engine", "interior"),
                          v["transmission_label"][a.transmission]))
    if a.engine and not is_unsafe(a.engine, listing):
        engine = numfmt.format_engine(a.engine.strip(), loc)
        topics = ("engine", "dashboard")
        facts.append(Fact("engine", {"engine": engine}, ["engine"], topics, engine))
    if a.owners:
        facts.append(Fact("owners", {"owners": count(bank, "owners", a.owners)}, ["owners"]))
    return facts


def _name_fact(a: CarAttributes, listing: Listing, bank: dict) -> Fact | None:
    if not (a.make or a.model):
        return None
    loc = bank["locale"]
    parts = {"make": a.make, "model": a.model, "version": a.version,
             "year": a.year and numfmt.format_year(a.year)}
    if parts["version"]:
        bad = is_unsafe(parts["version"], listing)
        parts["version"] = None if bad else numfmt.format_engine(parts["version"], loc)
    name = " ".join(bank["patterns"]["car_name"].format(
        **{k: (val or "").strip() for k, val in parts.items()}).split())
    keys = [k for k, val in parts.items() if val]
    return Fact("name", {"name": name, "a_name": with_article(name, bank, "a_car")}, keys,
                ("intro",))


def _home_facts(a: HomeAttributes, listing: Listing, bank: dict) -> list[Fact]:
    v, loc = bank["values"], bank["locale"]
    raw = (a.property_type or "").strip()
    key = canonical(raw, "home_types") if raw else None
    if key:
        noun, a_home = v["home_types"][key]
    elif raw and not is_unsafe(raw, listing):
        noun = raw if raw.isupper() else raw.lower()  # "PH" is an acronym, "Loft" a noun
        a_home = with_article(noun, bank, "home_unknown")
    else:
        noun, a_home = bank["patterns"]["home_none"]
    keys = ["property_type"] if raw else []
    facts = [Fact("home", {"home": noun, "a_home": a_home}, keys, ("intro",), label(noun))]
    if a.area:
        area = numfmt.format_quantity(a.area.value, a.area.unit, loc)
        facts.append(Fact("area", {"area": area}, ["area"], ("intro", "floor_plan"), area))
    counted = [("bedrooms", a.bedrooms, ("bedroom", "intro")),
               ("bathrooms", a.bathrooms, ("bathroom", "bedroom", "floor_plan")),
               ("parking", a.parking, ("exterior", "garden"))]
    if key in FLOORS_SPOKEN_FOR:
        counted.append(("floors", a.floors, ("exterior", "floor_plan")))
    for what, n, topics in counted:
        if n:
            text = count(bank, what, n)
            facts.append(Fact(what, {what: text}, [what], topics, label(text)))
    return facts


def _feature_facts(listing: Listing, bank: dict, other: bool) -> list[Fact]:
    facts: dict[str, Fact] = {}
    raws = list(listing.attributes.features)
    raws += [k.replace("_", " ") for k, val in listing.attributes.extra.items()
             if val is True and not SENSITIVE_KEY_RE.search(k)]
    for raw in raws:
        raw = " ".join(raw.split())
        key = canonical(raw, "features")
        if key:
            name, topics = bank["values"]["features"][key], FEATURE_TOPICS.get(key, ())
        elif raw and len(raw) <= 40 and not is_unsafe(raw, listing):
            key, name, topics = norm(raw).replace(" ", "_"), raw, ("other",) if other else ()
        else:
            continue
        facts.setdefault(key, Fact("feature", {"name": name}, [f"features:{key}"], topics,
                                   label(strip_article(name, bank))))
    return list(facts.values())


def _extra_facts(listing: Listing, bank: dict, other: bool) -> list[Fact]:
    facts = []
    for key, val in listing.attributes.extra.items():
        if isinstance(val, bool) or SENSITIVE_KEY_RE.search(key):
            continue
        if isinstance(val, int | float):
            year_like = re.search(r"year|a[nñ]o|model", key, re.I)
            value = str(val) if year_like else numfmt.format_number(val, bank["locale"])
        else:
            value = " ".join(str(val).split())
        unsafe = is_unsafe(f"{key} {value}", listing) or re.search(r"[0-9]{7,}", value)
        if not value or len(value) > 40 or unsafe:
            continue
        if norm(key) in ROOM_KEYS and isinstance(val, int) and "rooms" in bank["counts"]:
            rooms = count(bank, "rooms", val)
            facts.append(Fact("rooms", {"rooms": rooms}, [f"extra:{key}"],
                              ("floor_plan", "living"), label(rooms)))
            continue
        slots = {"key": key.replace("_", " ").lower(), "value": value}
        facts.append(Fact("extra", slots, [f"extra:{key}"], ("other",) if other else ()))
    return facts[:4]
