"""Offline script writer: calm narration built only from typed listing facts and a phrase bank.

Facts are placed on the scene whose photo topic fits them best (mileage over the dashboard,
fuel over the engine), rendered with the locale's templates (ad2video/locales/*.yaml), and
whatever finds no photo is said in a closing scene. The seller's free-text description is never
read here: it is untrusted text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from ad2video import numfmt
from ad2video.backends import script_facts as sf
from ad2video.contracts import CarAttributes, Card, HomeAttributes, Listing, Scene, Script, Shots
from ad2video.stages.script import is_unsafe, load_bank

TITLE_CARD_S = 2.5
END_CARD_S = 2.5
MAX_SENTENCES = 2
MAX_FEATURES = 3
# Every photo topic gets its own scene: a photo merged into a scene about another topic would
# be on screen while the voice talks about something else (the sync check then drops it).
MAX_SCENES = 12  # the storyboard holds at most 12 photos
WRAP_UP = "wrap_up"

TOPIC_OF_ANGLE = {
    "front": "front", "front_3_4": "front", "side": "side", "rear_3_4": "rear", "rear": "rear",
    "interior": "interior", "rear_seats": "rear_seats", "dashboard": "dashboard",
    "trunk": "trunk", "engine": "engine", "wheel": "wheel", "exterior": "exterior",
    "living": "living", "kitchen": "kitchen", "dining": "dining", "bedroom": "bedroom",
    "bathroom": "bathroom", "garden": "garden", "view": "view", "floor_plan": "floor_plan",
}  # detail, other, unknown and anything new -> "other"

LABEL_ORDER = ("mileage", "engine", "fuel", "transmission", "area", "bedrooms", "bathrooms",
               "rooms", "parking", "doors", "body", "colour", "feature")


@dataclass
class _Plan:
    """One scene being drafted: its photos, the facts placed on it and the sentences said."""

    topic: str
    images: list[int]
    angle: str = ""  # photo topic; differs from `topic` for the intro and wrap-up
    facts: list[sf.Fact] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    said: list[sf.Fact] = field(default_factory=list)


class TemplateWriter:
    """Deterministic, offline writer: same listing, shots, locale and seed -> same script."""

    name = "template"

    def write(self, listing: Listing, shots: Shots, locale: str, seed: int = 0) -> Script:
        draft = _Draft(listing, locale, seed)
        scenes = draft.scenes(_plan(shots))
        return Script(
            listing_id=listing.id,
            locale=locale,  # type: ignore[arg-type]  # validated by the script stage
            writer=self.name,
            title_card=draft.title_card(),
            end_card=draft.end_card(),
            scenes=scenes,
        )


def _plan(shots: Shots) -> list[_Plan]:
    """Group the storyboard into runs of photos that share a topic; the first run is the intro."""
    angle = {s.image: s.angle for s in shots.shots}
    plan: list[_Plan] = []
    for image in shots.storyboard:
        topic = TOPIC_OF_ANGLE.get(angle.get(image, "unknown"), "other")
        if plan and plan[-1].angle == topic:
            plan[-1].images.append(image)
        else:
            plan.append(_Plan(topic, [image], angle=topic))
    if plan:
        plan[0].topic = "intro"
    return plan


class _Draft:
    """State of one write() call: phrase bank, facts, and what has been said so far."""

    def __init__(self, listing: Listing, locale: str, seed: int) -> None:
        self.listing, self.locale, self.seed = listing, locale, seed
        self.bank = load_bank(locale)
        self.facts = sf.listing_facts(listing, locale)
        self.base = _base_slots(listing, locale, self.facts)
        self.openings: set[str] = set()
        self.fillers_used: set[str] = set()

    # ------------------------------------------------------------------ scenes

    def scenes(self, plan: list[_Plan]) -> list[Scene]:
        leftovers = self._allocate(plan)
        for i, scene in enumerate(plan):
            leftovers += self._render(scene, i)
        plan = self._wrap_up(plan, leftovers)
        plan = self._fill_or_merge(plan)
        return [self._scene(i, p) for i, p in enumerate(plan)]

    def _allocate(self, plan: list[_Plan]) -> list[sf.Fact]:
        """Put each fact on the least busy scene of its first fitting topic; else leftovers.
        The intro fits its own facts and, after them, those of its photo's topic."""
        leftovers = []
        for fact in self.facts:
            target = None
            for topic in fact.topics:
                fits = [p for p in plan if topic in (p.topic, p.angle)]
                if fits:
                    target = min(fits, key=lambda p: len(p.facts))
                    break
            (target.facts if target else leftovers).append(fact)
        return leftovers

    def _render(self, scene: _Plan, index: int, limit: int = MAX_SENTENCES) -> list[sf.Fact]:
        """Say the scene's facts in at most `limit` sentences; return the facts left unsaid."""
        pending = list(scene.facts)
        while pending and len(scene.sentences) < limit:
            topic = scene.topic if scene.topic != "intro" or not scene.sentences else scene.angle
            found = self._sentence(pending, topic, index, len(scene.sentences))
            if found is None:
                break
            text, used = found
            scene.sentences.append(text)
            scene.said += used
            pending = [f for f in pending if f not in used]
        return [f for f in pending if f.key not in ("name", "home", "title")]

    def _sentence(self, pending, topic, index, nth) -> tuple[str, list[sf.Fact]] | None:
        """The sentence saying the most pending facts at once: a combo, then a single fact,
        then a list of features, then one extra key/value."""
        plain = [f for f in pending if f.key != "feature"]
        salt = f"{topic}/{nth}"
        for group in self._groups(topic):
            needs = group["needs"]
            chosen = [next((f for f in plain if f.key == k), None) for k in needs]
            if all(chosen):
                text = self._say(group["say"], chosen, index, salt)
                if text:
                    return text, chosen  # type: ignore[return-value]
        feats = [f for f in pending if f.key == "feature"][:MAX_FEATURES]
        if feats:
            bank = self.bank["features"]
            variants = bank.get(topic) or bank["default"]
            slots = {"features": sf.join_list([f.slots["name"] for f in feats], self.bank)}
            text = self._say(variants, feats, index, salt, slots)
            return (text, feats) if text else None
        extra = [f for f in plain if f.key == "extra"][:1]
        text = self._say(self.bank["extra"], extra, index, salt) if extra else None
        return (text, extra) if text else None

    def _groups(self, topic: str) -> list[dict]:
        if topic == "intro":
            return self.bank["intro"]
        singles = [{"needs": [k], "say": v} for k, v in self.bank["single"].items()]
        return self.bank["combos"] + singles

    def _say(self, variants, facts, index, salt, extra=None) -> str | None:
        """Pick a variant (seeded, preferring an unused opening) and fill its slots."""
        slots = dict(self.base)
        for fact in facts:
            slots.update(fact.slots)
        slots.update(extra or {})
        start = _hash(self.listing.id, index, self.seed, salt) % len(variants)
        order = [variants[(start + i) % len(variants)] for i in range(len(variants))]
        order.sort(key=lambda v: _opening(v) in self.openings)  # stable: unused openings first
        for template in order:
            try:
                text = template.format_map(slots)
            except KeyError:
                continue
            self.openings.add(_opening(template))
            return sf.tidy(text)
        return None

    def _wrap_up(self, plan: list[_Plan], leftovers: list[sf.Fact]) -> list[_Plan]:
        """Say leftover facts over the last photo (split off its run, or a run with nothing to
        say), else over the last photo that had nothing to say, else after the last scene."""
        if not leftovers:
            return plan
        if len(plan[-1].images) >= 2:
            plan = [*plan, _Plan(WRAP_UP, [plan[-1].images.pop()])]
        spare = [p for p in plan[1:] if not p.sentences]
        target = spare[-1] if spare else plan[-1]
        if not target.sentences:
            target.topic = WRAP_UP
        target.facts = leftovers
        self._render(target, plan.index(target))
        if target is plan[-1] and target.topic == WRAP_UP and len(target.sentences) < 2:
            closing = self.bank["closing"][self.base["domain"]]
            target.sentences.append(self._say(closing, [], len(plan), "closing") or "")
        target.sentences = [s for s in target.sentences if s]
        return plan

    def _fill_or_merge(self, plan: list[_Plan]) -> list[_Plan]:
        """A scene with nothing to say gets one neutral line about its photo, or joins the
        scene before it (fillers are never repeated and kept to a few)."""
        kept: list[_Plan] = []
        budget = MAX_SCENES - sum(1 for p in plan if p.sentences)
        for i, scene in enumerate(plan):
            if not scene.sentences:
                fillers = self.bank["fillers"].get(scene.topic)
                if fillers and scene.topic not in self.fillers_used and (
                    len(self.fillers_used) < budget
                ):
                    self.fillers_used.add(scene.topic)
                    scene.sentences.append(self._say(fillers, [], i, "filler") or "")
            if (scene.sentences and scene.sentences[0]) or not kept:
                kept.append(scene)
            else:
                kept[-1].images += scene.images
        return kept

    def _scene(self, index: int, p: _Plan) -> Scene:
        labels = sorted((f for f in p.said if f.label), key=_label_rank)
        text = " · ".join(dict.fromkeys(f.label for f in labels[:2] if f.label)) or None
        keys = list(dict.fromkeys(k for f in p.said for k in f.keys))
        narration = " ".join(s for s in p.sentences if s) or self.bank["fillers"]["other"][0]
        return Scene(index=index, topic=p.topic, shots=p.images, narration=narration,
                     on_screen_text=text[:80] if text else None, facts=keys)

    # ------------------------------------------------------------------ cards

    def title_card(self) -> Card:
        heading, lines = _card_facts(self.listing, self.facts, self.base)
        return Card(kind="title", heading=heading, lines=lines, duration=TITLE_CARD_S)

    def end_card(self) -> Card:
        cards = self.bank["cards"]
        return Card(kind="end", heading=cards["end_heading"], lines=list(cards["end_lines"]),
                    duration=END_CARD_S)


# --------------------------------------------------------------------------- title and cards

# Title parts: split at bars, bullets, !?, spaced dashes and ", " (not the comma of "1,6").
_SEGMENT_SPLIT = re.compile(r"\s*(?:[|•·!¡?¿*]+|\s[-–—]+\s|,\s)\s*")
_SELLING = re.compile(r"^(?:se\s+vende|vendo|vende-se|vende|for\s+sale:?|[àa]\s+venda:?)\s+", re.I)


def _clean_title(listing: Listing) -> str:
    """The title without price, lingo, shouting or 'for sale': parts that fail are dropped."""
    text = "".join(c for c in listing.title if c.isalnum() or c in " .,-–—|/!¡?¿*()'&+:·•")
    parts = [p for p in _SEGMENT_SPLIT.split(text) if p and not is_unsafe(p, listing)]
    title = _SELLING.sub("", " ".join(" ".join(parts).split())).strip(" .,-:/")
    if title.isupper():
        title = " ".join(w if len(w) <= 3 else w.capitalize() for w in title.split())
    if len(title) > 60:
        title = title[:60].rsplit(" ", 1)[0]
    return title


def _base_slots(listing: Listing, locale: str, facts: list[sf.Fact]) -> dict[str, str]:
    """Slots every template may use: the cleaned title, a short name, the domain."""
    bank = load_bank(locale)
    attrs = listing.attributes
    short = bank["patterns"]["car_word"]
    if isinstance(attrs, CarAttributes):
        short = (attrs.model or attrs.make or short).strip()
    home = next((f.slots["home"] for f in facts if f.key == "home"), "")
    domain = {"car": "car", "real_estate": "home"}.get(listing.domain.value, "other")
    title = _clean_title(listing) or bank["patterns"]["title_fallback"]
    return {"title": title, "short": short, "home": home, "domain": domain}


def _card_facts(listing: Listing, facts: list[sf.Fact], base: dict) -> tuple[str, list[str]]:
    """Title card heading and up to three short lines of key facts, no price."""
    by_key = {f.key: f.label for f in facts if f.label and f.key != "feature"}
    features = [f.label for f in facts if f.key == "feature" and f.label]
    attrs = listing.attributes

    def pair(*keys: str) -> str:
        return " · ".join(by_key[k] for k in keys if by_key.get(k))

    if isinstance(attrs, CarAttributes) and (attrs.make or attrs.model):
        year = attrs.year and numfmt.format_year(attrs.year)
        heading = " ".join(str(p).strip() for p in (attrs.make, attrs.model, year) if p)
        lines = [pair("mileage"), pair("fuel", "transmission"), pair("body", "colour")]
    elif isinstance(attrs, HomeAttributes):
        heading = pair("home", "area")
        lines = [pair("bedrooms", "bathrooms"), pair("rooms", "parking")]
    else:
        heading, lines = base["title"], []
    lines.append(" · ".join(features[:2]))
    return sf.label(heading or base["title"]), [line for line in lines if line][:3]


def _label_rank(fact: sf.Fact) -> int:
    return LABEL_ORDER.index(fact.key) if fact.key in LABEL_ORDER else len(LABEL_ORDER)


def _hash(*parts: object) -> int:
    """Stable across runs and machines (unlike hash()), so variant choice is reproducible."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _opening(template: str) -> str:
    return " ".join(re.findall(r"\w+|\{\w+\}", template.lower())[:2])
