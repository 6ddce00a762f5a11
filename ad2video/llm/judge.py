"""An optional LLM judge: scores each scene of a script for truthfulness, tone and price talk.

For the evaluation harness: `judge_script(script, listing, "openai:gpt-4o-mini", config)`.
The judge has its own provider setting (`[judge] provider` in ad2video.toml), separate from
the writer's chain, and its own prompt (`judge@v1`). Each scene's score also carries the
deterministic claim checker's findings, so a lenient judge cannot hide a broken rule.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ad2video.claims import check_claims
from ad2video.contracts import Listing, PromptRef, Script
from ad2video.errors import UserError
from ad2video.llm.config import LLMConfig, load_config, parse_link
from ad2video.llm.gateway import CallFailed, CallRecord, Gateway
from ad2video.llm.prompts import fill, load_prompt
from ad2video.llm.script_prompt import parse_json, prompt_facts


class SceneVerdict(BaseModel):
    """What the judge model must reply per scene."""

    model_config = ConfigDict(extra="forbid")

    scene: int = Field(ge=0)
    truthfulness: float = Field(ge=0, le=5)
    tone: float = Field(ge=0, le=5)
    price_mention: bool
    unsupported: list[str] = Field(default_factory=list)
    comment: str = ""


class _Verdicts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scenes: list[SceneVerdict]


class SceneScore(SceneVerdict):
    claim_violations: list[str] = Field(default_factory=list)  # the claim checker's findings


class JudgeReport(BaseModel):
    provider: str
    model: str
    prompt: PromptRef
    scenes: list[SceneScore]
    truthfulness: float  # mean over scenes, 0..5
    tone: float  # mean over scenes, 0..5
    price_mentions: int  # scenes the judge saw price talk in
    claim_violations: int  # the claim checker's findings over the whole script
    calls: list[CallRecord] = Field(default_factory=list)
    cost_usd: float | None = 0.0


JUDGE_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "required": ["scenes"],
    "properties": {"scenes": {"type": "array", "items": {
        "type": "object", "additionalProperties": False,
        "required": ["scene", "truthfulness", "tone", "price_mention", "unsupported", "comment"],
        "properties": {"scene": {"type": "integer"}, "truthfulness": {"type": "number"},
                       "tone": {"type": "number"}, "price_mention": {"type": "boolean"},
                       "unsupported": {"type": "array", "items": {"type": "string"}},
                       "comment": {"type": "string"}}}}},
}


def judge_script(script: Script, listing: Listing, provider_spec: str,
                 config: LLMConfig | None = None, prompt: str | None = None,
                 gateway: Gateway | None = None) -> JudgeReport:
    """Score every scene of `script` with the judge at `provider_spec` (endpoint:model)."""
    config = config or load_config()
    link = parse_link(provider_spec, config)
    if link.endpoint is None:
        raise UserError("the judge needs an LLM endpoint (e.g. openai:gpt-4o-mini), "
                        "not the template")
    spec = load_prompt(prompt or config.judge.prompt)
    gateway = gateway or Gateway(config)
    scenes = [{"scene": s.index, "topic": s.topic, "narration": s.narration,
               "on_screen_text": s.on_screen_text} for s in script.scenes]
    rules = "\n".join(f"- {r}" for r in spec.style_rules)
    sent = [{"role": "system", "content": fill(spec.system, {"style_rules": rules}).strip()},
            {"role": "user", "content": fill(spec.user, {
                "facts": json.dumps(prompt_facts(listing, script.locale), ensure_ascii=False),
                "scenes": json.dumps(scenes, ensure_ascii=False, indent=1)}).strip()}]
    calls: list[CallRecord] = []
    for turn in ("judge", "repair"):
        try:
            reply = gateway.complete(link, sent, prompt_sha=spec.sha256, turn=turn,
                                     schema=JUDGE_SCHEMA, schema_name="judge")
        except CallFailed as failed:
            raise UserError(f"LLM judge {link.label} failed: {failed}") from None
        calls += reply.records
        verdicts, problem = _read(reply.text, len(script.scenes))
        reply.record.outcome = "accepted" if verdicts else "schema_invalid"
        if verdicts is not None:
            return _report(link.label, link.model, spec.ref, verdicts, script, listing, calls)
        reply.record.violations = [problem]
        sent = [*sent, {"role": "assistant", "content": reply.text},
                {"role": "user", "content": f"Your reply was not usable: {problem}. "
                                            "Reply again with the JSON object only."}]
    raise UserError(f"LLM judge {link.label} gave no usable verdict: {calls[-1].violations[0]}")


def _read(text: str, count: int) -> tuple[list[SceneVerdict] | None, str]:
    try:
        verdicts = _Verdicts.model_validate(parse_json(text)).scenes
    except (json.JSONDecodeError, ValidationError) as exc:
        return None, " ".join(str(exc).split())[:300]
    if [v.scene for v in verdicts] != list(range(count)):
        return None, f"one verdict per scene, numbered 0 to {count - 1} in order"
    return verdicts, ""


def _report(provider: str, model: str, ref: PromptRef, verdicts: list[SceneVerdict],
            script: Script, listing: Listing, calls: list[CallRecord]) -> JudgeReport:
    found = check_claims(script, listing)
    scores = [SceneScore(**v.model_dump(), claim_violations=[
        str(f) for f in found if f.where.split(" on-screen")[0] == f"scene {v.scene}"])
        for v in verdicts]
    costs = [c.cost_usd for c in calls]
    return JudgeReport(
        provider=provider, model=model, prompt=ref, scenes=scores,
        truthfulness=round(sum(s.truthfulness for s in scores) / len(scores), 3),
        tone=round(sum(s.tone for s in scores) / len(scores), 3),
        price_mentions=sum(s.price_mention for s in scores), claim_violations=len(found),
        calls=calls, cost_usd=None if None in costs else round(sum(costs), 8))
