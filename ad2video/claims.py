"""The claim checker: every claim a script makes is checked against the listing.

Whoever wrote the script (the template, an LLM, a person), each text on screen or spoken must
only say what the listing's typed facts say:
- numbers, in any locale's spelling (`45.000 km` is 45000 km, `1,6 L` is 1.6 L), and what
  they count or measure (`3 doors` needs doors == 3; `45,000 km` needs that mileage);
- make and model, fuel, gearbox, body and colour, and features (`sunroof` only when the
  listing has one: the seller's description is untrusted and never a source of facts);
- no price, currency, financing or discount talk; no phone number, e-mail or URL;
- no banned marketing phrase (any locale's, plus a prompt's own), the locale's register
  (voseo for es-AR), no unfilled template slot, no copying of the seller's description.
`check_claims` returns `Violation`s; `str(v)` is the one-line form the script stage reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ad2video import claims_vocab as vocab
from ad2video import numfmt, pii
from ad2video.claims_facts import ListingFacts, number_claims
from ad2video.contracts import Listing, Script
from ad2video.stages.script import MONEY_RE, banned_phrases, find_phrases, load_bank, norm

COPY_NGRAM = 8  # this many words in a row shared with the description counts as copying


@dataclass(frozen=True)
class Violation:
    where: str  # "scene 2", "title card", ...
    kind: str  # number, price, money, banned, register, contact, fact, feature, slot, copy
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def check_claims(script: Script, listing: Listing,
                 extra_banned: Iterable[str] = ()) -> list[Violation]:
    """Every claim of `script` that the listing does not support, in reading order."""
    facts = ListingFacts.of(listing)
    checker = _Checker(facts, script.locale, tuple(extra_banned))
    return [v for where, text in script_texts(script) for v in checker.check(where, text)]


def check_text(text: str, listing: Listing, locale: str, where: str = "text",
               extra_banned: Iterable[str] = ()) -> list[Violation]:
    """The same checks for one piece of text (e.g. a judge's or an editor's sentence)."""
    return _Checker(ListingFacts.of(listing), locale, tuple(extra_banned)).check(where, text)


def script_texts(script: Script) -> Iterator[tuple[str, str]]:
    for card in (script.title_card, script.end_card):
        for text in [card.heading, *card.lines]:
            yield f"{card.kind} card", text
    for scene in script.scenes:
        yield f"scene {scene.index}", scene.narration
        if scene.on_screen_text:
            yield f"scene {scene.index} on-screen text", scene.on_screen_text


def mentioned_facts(text: str, listing: Listing) -> list[str]:
    """Listing fact keys a text states (for Scene.facts of a script not built from facts)."""
    return ListingFacts.of(listing).mentioned(text)


class _Checker:
    def __init__(self, facts: ListingFacts, locale: str, extra_banned: tuple[str, ...]) -> None:
        self.facts = facts
        self.locale = locale
        self.banned = tuple(dict.fromkeys([*banned_phrases(), *map(norm, extra_banned)]))
        self.register = load_bank(locale).get("forbidden_forms", [])

    def check(self, where: str, text: str) -> list[Violation]:
        found: list[tuple[str, str]] = []
        contacts = contact_details(text)
        found += [("contact", f"contact detail '{c}'") for c in contacts]
        bare = scrub_contacts(text, " ") if contacts else text  # their digits are not claims
        found += self._numbers(bare)
        found += [("money", f"price or currency mention '{m.group()}'")
                  for m in MONEY_RE.finditer(text)]
        found += [("money", f"price or currency mention '{m.group()}'")
                  for m in vocab.MONEY_EXTRA_RE.finditer(norm(text))]
        found += [("banned", f"banned phrase '{p}'") for p in find_phrases(text, self.banned)]
        found += [("register", f"not {self.locale} register: '{p}'")
                  for p in find_phrases(text, self.register, accents=True)]
        if re.search(r"[{}]|\bNone\b", text):
            found.append(("slot", f"unfilled template slot in '{text}'"))
        copied = self.facts.description_ngrams
        if copied and where.startswith("scene") and ngrams(text) & copied:
            found.append(("copy", "copies the seller's description"))
        found += self.facts.unsupported(bare, self.locale)
        return [Violation(where, kind, message) for kind, message in dict.fromkeys(found)]

    def _numbers(self, text: str) -> list[tuple[str, str]]:
        out = []
        for token, readings in number_claims(text):
            if any(numfmt.same_number(r, a) for r in readings for a in self.facts.numbers):
                continue
            price = any(self.facts.is_price(r) for r in readings)
            kind, what = ("price", "price amount") if price else ("number", "number")
            out.append((kind, f"{what} '{token}' is not a listing fact"))
        return out


def contact_details(text: str) -> list[str]:
    """Phone numbers, e-mail and web addresses, WhatsApp mentions and @handles in `text`."""
    return pii.find_pii(text)


def scrub_contacts(text: str, mark: str = "<removed>") -> str:
    """`text` with every contact detail (and the "Tel:" before it) replaced by `mark`."""
    return pii.scrub(text, placeholder=mark)


def ngrams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", norm(text))
    return {tuple(words[i : i + COPY_NGRAM]) for i in range(len(words) - COPY_NGRAM + 1)}
