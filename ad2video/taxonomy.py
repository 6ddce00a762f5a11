"""Angle/topic taxonomy per domain, storyboard order, and multilingual keywords for tagging.

`match_angle(text, domain)` reads a file name, caption or view hint (en, es, pt, fr, it, de):
accent- and case-insensitive, split into tokens on anything that is not a letter (so "_", "-",
".", spaces and digits all separate words). When several tags match, the most specific wins
(`_PRIORITY`): "asientos traseros" is rear_seats, not rear; "steering wheel" is dashboard, not
wheel. A three-quarter mark ("3/4", "3-4", "34", "three quarter", "tres cuartos") turns front or
rear into front_3_4 / rear_3_4; front or rear together with side does the same.
"""

from __future__ import annotations

import re

from ad2video.contracts import Domain
from ad2video.listing_words import fold

UNKNOWN = "unknown"

CAR_ORDER = (
    "front_3_4", "front", "side", "rear_3_4", "rear", "interior", "dashboard", "rear_seats",
    "trunk", "engine", "wheel", "detail", "other",
)
HOME_ORDER = (
    "exterior", "living", "kitchen", "dining", "bedroom", "bathroom", "garden", "view",
    "floor_plan", "other",
)
OTHER_ORDER = ("detail", "other")
_ORDERS = {Domain.car: CAR_ORDER, Domain.real_estate: HOME_ORDER, Domain.other: OTHER_ORDER}

# Words per tag ('+' joins the words of a phrase). Plurals in -s/-es are found by stripping.
_CAR_WORDS = {
    "front": "front frente frontal delantera delantero dianteira dianteiro avant anteriore vorne",
    "rear": "rear back trasera trasero traseira traseiro arriere posteriore posterior hinten heck "
            "atras tras",
    "side": "side lateral perfil profil profile costado lado seite laterale fianco",
    "interior": "interior interieur interno interni innenraum innen cabina cabine habitaculo "
                "inside asiento asientos seat seats banco bancos siege sieges sedile sedili "
                "sitz sitze butacas tapizado",
    "dashboard": "dashboard dash tablero painel odometro cuadro velocimetro cockpit cruscotto "
                 "armaturenbrett volante steering+wheel consola console tableau+de+bord "
                 "instrument instrumentos kilometraje",
    "rear_seats": "rear+seat back+seat backseat asientos+traseros asiento+trasero "
                  "bancos+traseiros banco+traseiro sieges+arriere sedili+posteriori rucksitz "
                  "rucksitze fondsitz plazas+traseras",
    "trunk": "trunk boot baul maletero porta+malas portamalas bagageiro bagagliaio coffre "
             "kofferraum cajuela cargo",
    "engine": "engine motor moteur motore hood bonnet capo capot",
    "wheel": "wheel rueda roda llanta tyre tire jante rim neumatico pneu cerchio cerchione "
             "felge reifen rin aro",
    "detail": "detail detalle detalhe dettaglio closeup",
    "other": "other otro otra outro autre altro",
}
_HOME_WORDS = {
    "exterior": "exterior fachada frente facade frontal exterieur edificio building predio "
                "aussen esterno outside",
    "living": "living sala salon lounge sala+de+estar soggiorno wohnzimmer sejour "
              "livingroom family+room",
    "kitchen": "kitchen cocina cozinha cuisine cucina kuche kitchenette",
    "dining": "dining comedor jantar sala+de+jantar salle+a+manger pranzo esszimmer",
    "bedroom": "bedroom dormitorio quarto habitacion chambre suite recamara schlafzimmer "
               "cuarto alcoba",
    "bathroom": "bathroom bath bano banheiro banho salle+de+bain toilette toilet wc bagno "
                "badezimmer aseo ducha shower",
    "garden": "garden jardin jardim patio yard backyard quintal giardino garten pool piscina "
              "piscine terraza terrace terrasse",
    "view": "view vista vue panorama aussicht balcon balcony varanda sacada",
    "floor_plan": "floor+plan floorplan plano planta plan blueprint planimetria grundriss layout",
    "other": "other otro otra outro autre altro",
}
_OTHER_WORDS = {"detail": _CAR_WORDS["detail"], "other": _CAR_WORDS["other"]}

# Most specific first: the first tag in this list that matched wins.
_PRIORITY = {
    Domain.car: ("engine", "trunk", "rear_seats", "dashboard", "wheel", "interior", "front_3_4",
                 "rear_3_4", "front", "rear", "side", "detail", "other"),
    Domain.real_estate: ("floor_plan", "bathroom", "kitchen", "dining", "bedroom", "living",
                         "garden", "view", "exterior", "other"),
    Domain.other: ("detail", "other"),
}

# Three-quarter marks. Written forms count alone ("3/4" is a front three-quarter); bare digit
# forms ("34", "3-4", "3_4") only next to front/rear, so "IMG_2034" or "foto 34" stay untagged.
_THREE_QUARTER_TEXT = re.compile(r"(?<!\d)3\s*/\s*4(?!\d)|¾")
_THREE_QUARTER_DIGITS = re.compile(r"(?<!\d)3[\s_\-]?4(?!\d)")
_THREE_QUARTER_WORDS = ("three quarter", "tres cuartos", "tres quartos", "trois quarts")


def _compile(words: dict[str, str]) -> dict[tuple[str, ...], str]:
    table = {}
    for tag, text in words.items():
        for word in text.split():
            table[tuple(word.split("+"))] = tag
    return table


_TABLES = {
    Domain.car: _compile(_CAR_WORDS),
    Domain.real_estate: _compile(_HOME_WORDS),
    Domain.other: _compile(_OTHER_WORDS),
}


def angles(domain: Domain | str) -> tuple[str, ...]:
    """The tags of a domain, in storyboard order (without 'unknown')."""
    return _ORDERS[Domain(domain)]


def storyboard_order(domain: Domain | str) -> tuple[str, ...]:
    return angles(domain)


def tokens(text: str) -> list[str]:
    """Folded words of `text`: "Baúl_abierto-02.JPG" -> ['baul', 'abierto', 'jpg']."""
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)  # camelCase: "frontView" -> "front View"
    return [t for t in re.split(r"[^a-z]+", fold(text)) if t]


def match_angle(text: str | None, domain: Domain | str) -> str | None:
    """The taxonomy tag `text` names, or None when it names none."""
    if not text:
        return None
    domain = Domain(domain)
    canonical = fold(text).replace(" ", "_").replace("-", "_")
    if canonical in _ORDERS[domain]:
        return canonical
    found = _tags(tokens(text), _TABLES[domain])
    if domain is Domain.car:
        found |= _three_quarter(text, found)
    return next((tag for tag in _PRIORITY[domain] if tag in found), None)


def _tags(words: list[str], table: dict[tuple[str, ...], str]) -> set[str]:
    found: set[str] = set()
    longest = max(len(k) for k in table)
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            tag = _lookup(tuple(words[i : i + size]), table)
            if tag:
                found.add(tag)
                i += size
                break
        else:
            i += 1
    return found


def _lookup(phrase: tuple[str, ...], table: dict[tuple[str, ...], str]) -> str | None:
    if phrase in table:
        return table[phrase]
    last = phrase[-1]
    for cut in ("es", "s"):  # plurals: "ruedas", "habitaciones", "wheels"
        if last.endswith(cut) and (stem := (*phrase[:-1], last[: -len(cut)])) in table:
            return table[stem]
    return None


def _three_quarter(text: str, found: set[str]) -> set[str]:
    words = " ".join(tokens(text))
    written = bool(_THREE_QUARTER_TEXT.search(text)) or any(
        w in words for w in _THREE_QUARTER_WORDS
    )
    digits = bool(_THREE_QUARTER_DIGITS.search(text))
    marked = written or (digits and bool(found & {"front", "rear"}))
    if "rear" in found and (marked or "side" in found):
        return {"rear_3_4"}
    if ("front" in found and (marked or "side" in found)) or written:
        return {"front_3_4"}
    return set()
