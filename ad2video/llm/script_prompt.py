"""What the script writer sends an LLM and how it reads the reply.

The model gets the typed facts (phrased for the locale, never the price), the planned scenes
(photo topics in screen order) and the seller's description as delimited, scrubbed data. It
answers one narration per planned scene; shots, cards and checks stay on our side.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ad2video.backends import script_facts as sf
from ad2video.backends.script_template import _clean_title, _plan
from ad2video.claims import scrub_contacts
from ad2video.contracts import CarAttributes, Listing, Shots
from ad2video.llm.prompts import PromptFile, fill

MAX_DESCRIPTION = 1500  # characters of seller text sent; the rest adds risk, not facts
MARKER_RE = re.compile(r"<<<|>>>|seller_description", re.IGNORECASE)


class DraftScene(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scene: int = Field(ge=0)
    narration: str = Field(min_length=1, max_length=600)
    on_screen_text: str | None = Field(default=None, max_length=80)


class Draft(BaseModel):
    """The reply an LLM must give: one narration per planned scene."""

    model_config = ConfigDict(extra="forbid")

    scenes: list[DraftScene] = Field(min_length=1)


# Strict JSON Schema for structured output (every property required, no extras).
DRAFT_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "required": ["scenes"],
    "properties": {"scenes": {"type": "array", "items": {
        "type": "object", "additionalProperties": False,
        "required": ["scene", "narration", "on_screen_text"],
        "properties": {"scene": {"type": "integer"}, "narration": {"type": "string"},
                       "on_screen_text": {"type": ["string", "null"]}}}}},
}


@dataclass
class PlannedScene:
    topic: str
    images: list[int]


def plan_scenes(shots: Shots, max_scenes: int) -> list[PlannedScene]:
    """The template's plan (runs of photos sharing a topic, the first being the intro); over
    `max_scenes`, the neighbours with the fewest photos are merged."""
    plan = [PlannedScene(p.topic, list(p.images)) for p in _plan(shots)]
    while len(plan) > max(1, max_scenes):
        i = min(range(1, len(plan)), key=lambda k: len(plan[k - 1].images) + len(plan[k].images))
        plan[i - 1].images += plan.pop(i).images
    return plan


def prompt_facts(listing: Listing, locale: str) -> dict[str, Any]:
    """The listing's typed facts as the locale writes them; never the price or contacts."""
    facts: dict[str, Any] = {"domain": listing.domain.value}
    title = scrub_contacts(_clean_title(listing))
    if title:
        facts["title"] = title
    attrs = listing.attributes
    if isinstance(attrs, CarAttributes):
        for key in ("make", "model", "year", "doors"):
            if getattr(attrs, key) is not None:
                facts[key] = getattr(attrs, key)
    for fact in sf.listing_facts(listing, locale):
        if fact.key == "feature":
            facts.setdefault("features", []).append(fact.label or fact.slots["name"])
        elif fact.key == "extra":
            facts.setdefault("other", {})[fact.slots["key"]] = fact.slots["value"]
        elif fact.key == "name":
            facts["name"] = fact.slots["name"]
        elif fact.key == "home":
            facts["property_type"] = fact.slots["home"]
        elif fact.key != "title":
            facts[fact.key] = fact.label or next(iter(fact.slots.values()))
    return facts


def untrusted_description(listing: Listing) -> str:
    """The seller's description as data: contacts scrubbed, markers defused, length capped."""
    text = scrub_contacts(listing.description)
    text = MARKER_RE.sub("<removed>", text)[:MAX_DESCRIPTION]
    return text.strip() or "(none)"


def messages(prompt: PromptFile, listing: Listing, plan: list[PlannedScene],
             locale: str) -> list[dict[str, str]]:
    variant = prompt.variant(locale)
    system = fill(prompt.system, {
        "language": variant.language,
        "style_rules": "\n".join(f"- {r}" for r in prompt.style_rules),
        "locale_rules": "\n".join(f"- {r}" for r in variant.rules),
    })
    scenes = [{"scene": i, "topic": p.topic, "photos": len(p.images)} for i, p in enumerate(plan)]
    user = fill(prompt.user, {
        "facts": json.dumps(prompt_facts(listing, locale), ensure_ascii=False, indent=1),
        "scenes": "\n".join(json.dumps(s) for s in scenes),
        "scene_count": len(plan), "max_words": prompt.duration.max_words,
        "description": untrusted_description(listing),
    })
    return [{"role": "system", "content": system.strip()},
            {"role": "user", "content": user.strip()}]


def repair_message(prompt: PromptFile, problems: list[str]) -> dict[str, str]:
    listed = "\n".join(f"- {p}" for p in problems[:20])
    return {"role": "user", "content": fill(prompt.repair, {"violations": listed}).strip()}


def parse_json(text: str) -> Any:
    """The JSON object in a reply; code fences and chatter around it are tolerated."""
    body = re.sub(r"^\s*```(?:json)?\s*|\s*```\s*$", "", text.strip())
    try:
        return json.loads(body)
    except json.JSONDecodeError:
        start, end = body.find("{"), body.rfind("}")
        if start < 0 or end <= start:
            raise
        return json.loads(body[start : end + 1])


def read_draft(text: str, plan: list[PlannedScene]) -> tuple[Draft | None, str, list[str]]:
    """(draft, outcome, problems): outcome is ok, invalid_json or schema_invalid."""
    try:
        data = parse_json(text)
    except json.JSONDecodeError as exc:
        return None, "invalid_json", [f"the reply is not valid JSON ({exc.msg} at char "
                                      f"{exc.pos}): reply with one JSON object only"]
    try:
        draft = Draft.model_validate(data)
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc'])) or 'reply'}: {e['msg']}"
                    for e in exc.errors()[:8]]
        return None, "schema_invalid", problems
    numbers = [s.scene for s in draft.scenes]
    if numbers != list(range(len(plan))):
        return None, "schema_invalid", [
            f"scenes must be numbered 0 to {len(plan) - 1}, one each, in order "
            f"(got {numbers})"]
    return draft, "ok", []
