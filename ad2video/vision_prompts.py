"""Zero-shot prompt ensembles for CLIP, one list of descriptions per taxonomy tag.

Each tag's text embedding is the normalised mean of its prompts, each prompt wrapped in every
template (the CLIP paper's "prompt ensembling": several phrasings average out wording quirks).
Tags are the ones in ad2video.taxonomy; `check_prompts` keeps the two in step.
"""

from __future__ import annotations

import hashlib

from ad2video.contracts import Domain
from ad2video.taxonomy import angles

# Two phrasings per description: each prompt costs a text-encoder pass (cached on disk after).
TEMPLATES = ("a photo of {}.", "a marketplace listing photo of {}.")

_CAR = {
    "front_3_4": ("the front three-quarter view of a car", "a car seen from the front corner",
                  "a car photographed diagonally from the front"),
    "front": ("the front of a car, head-on", "a car's grille and headlights from straight ahead"),
    "side": ("the side profile of a car", "a car seen from the side"),
    "rear_3_4": ("the rear three-quarter view of a car", "a car seen from the back corner"),
    "rear": ("the back of a car", "a car's tail lights and rear bumper from behind"),
    "interior": ("the interior of a car with the front seats", "a car cabin seen through the door"),
    "dashboard": ("a car dashboard with the steering wheel", "a car's instrument cluster and "
                  "odometer"),
    "rear_seats": ("the rear seats of a car", "the back seat of a car"),
    "trunk": ("the open trunk of a car", "a car's empty boot or luggage space"),
    "engine": ("a car engine under the open hood", "an engine bay"),
    "wheel": ("a car wheel and tyre", "an alloy rim close up"),
    "detail": ("a close-up detail of a car", "a car headlight or badge close up"),
    "other": ("a document or a paper", "a screenshot or a logo"),
}
_HOME = {
    "exterior": ("the outside of a house", "the facade of an apartment building"),
    "living": ("a living room with a sofa", "a lounge with armchairs and a television"),
    "kitchen": ("a kitchen with cabinets and a stove", "a kitchen counter and sink"),
    "dining": ("a dining room with a table and chairs", "a dining table set for a meal"),
    "bedroom": ("a bedroom with a bed", "a bed with pillows in a room"),
    "bathroom": ("a bathroom with a toilet and shower", "a bathroom sink and mirror"),
    "garden": ("a garden or backyard", "a patio, terrace or swimming pool"),
    "view": ("the view from a window or balcony", "a city skyline seen from a balcony"),
    "floor_plan": ("a floor plan drawing", "an architectural plan of an apartment"),
    "other": ("a document or a paper", "a screenshot or a logo"),
}
_OTHER = {
    "detail": ("a close-up detail of a product", "a product photographed close up"),
    "other": ("a product for sale", "an object on a table"),
}
PROMPTS: dict[Domain, dict[str, tuple[str, ...]]] = {
    Domain.car: _CAR, Domain.real_estate: _HOME, Domain.other: _OTHER,
}


def prompts(domain: Domain | str) -> dict[str, list[str]]:
    """Tag -> every prompt text of its ensemble, in taxonomy order."""
    table = PROMPTS[Domain(domain)]
    return {tag: [t.format(d) for d in table[tag] for t in TEMPLATES] for tag in angles(domain)}


def prompts_hash(domain: Domain | str) -> str:
    """Short hash of a domain's prompts: text embeddings are cached under it."""
    text = "\n".join(f"{tag}\t{p}" for tag, ps in prompts(domain).items() for p in ps)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def check_prompts() -> list[str]:
    """Tags without prompts or prompts without a tag (empty when in step)."""
    problems = []
    for domain, table in PROMPTS.items():
        tags = set(angles(domain))
        problems += [f"{domain}: no prompts for {t}" for t in sorted(tags - set(table))]
        problems += [f"{domain}: unknown tag {t}" for t in sorted(set(table) - tags)]
    return problems
