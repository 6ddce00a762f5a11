"""LLM script writer: a chain of providers with fallback, each reply checked before use.

Like whisper's decode-with-fallback, the next provider is tried when a call fails *or* its
script fails a check: per provider, one write turn and at most one repair turn (listing the
JSON errors or the claim violations), then the next provider, and the offline template writer
last. `report` (a `WriterReport`) says what happened; it goes into the manifest.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, ValidationError

from ad2video.backends.script_template import TemplateWriter
from ad2video.claims import check_claims, mentioned_facts
from ad2video.contracts import Listing, PromptRef, Scene, Script, Shots
from ad2video.llm import tracing
from ad2video.llm.config import Link, LLMConfig
from ad2video.llm.gateway import CallFailed, CallRecord, Gateway, Reply
from ad2video.llm.prompts import PromptFile
from ad2video.llm.script_prompt import (
    DRAFT_SCHEMA,
    Draft,
    PlannedScene,
    messages,
    plan_scenes,
    read_draft,
    repair_message,
)

MAX_CAPTION_WORDS = 5  # what the prompts ask of on_screen_text


class WriterReport(BaseModel):
    """What the chain did, for the manifest's `llm` field."""

    chain: list[str]
    prompt: PromptRef | None = None
    used: str = ""  # the link that wrote the script
    calls: list[CallRecord] = Field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = 0.0  # None when a paid call had no price in the table
    latency_s: float = 0.0

    def add(self, records: list[CallRecord]) -> None:
        self.calls += records
        for r in records:
            self.prompt_tokens += r.prompt_tokens
            self.completion_tokens += r.completion_tokens
            self.latency_s = round(self.latency_s + r.latency_s, 3)
            if r.cost_usd is None and (r.prompt_tokens or r.completion_tokens):
                self.cost_usd = None
            elif self.cost_usd is not None and r.cost_usd is not None:
                self.cost_usd = round(self.cost_usd + r.cost_usd, 8)


class LLMWriter:
    """Writes with the first link of `chain` whose script passes every check."""

    name = "llm"

    def __init__(self, chain: list[Link], config: LLMConfig, prompt: PromptFile,
                 gateway: Gateway | None = None) -> None:
        self.chain, self.config, self.prompt = chain, config, prompt
        self.gateway = gateway or Gateway(config)
        self.report = WriterReport(chain=[link.label for link in chain], prompt=prompt.ref)

    def write(self, listing: Listing, shots: Shots, locale: str, seed: int = 0) -> Script:
        self.report = WriterReport(chain=[link.label for link in self.chain],
                                   prompt=self.prompt.ref)
        plan = plan_scenes(shots, self.prompt.scenes.max)
        for link in self.chain:
            if link.endpoint is None:
                break
            with tracing.span("script.provider", "CHAIN", {"ad2video.link": link.label}) as span:
                script = self._try(link, listing, shots, plan, locale, seed)
                span.set("ad2video.accepted", script is not None)
            if script is not None:
                self.report.used = link.label
                return script
        self.report.used = "template"
        self.report.add([CallRecord(provider="template", model="template", turn="template",
                                    outcome="accepted", cost_usd=0.0)])
        return TemplateWriter().write(listing, shots, locale, seed=seed)

    def _try(self, link: Link, listing: Listing, shots: Shots, plan: list[PlannedScene],
             locale: str, seed: int) -> Script | None:
        """One write turn and, when its reply fails a check, one repair turn."""
        sent = messages(self.prompt, listing, plan, locale)
        for turn in ("write", "repair"):
            try:
                reply = self.gateway.complete(link, sent, prompt_sha=self.prompt.sha256,
                                              turn=turn, schema=DRAFT_SCHEMA,
                                              schema_name="script", seed=seed)
            except CallFailed as failed:
                self.report.add(failed.records)
                return None
            script, problems = self._judge(reply, link, listing, shots, plan, locale)
            self.report.add(reply.records)
            if script is not None:
                return script
            sent = [*sent, {"role": "assistant", "content": reply.text},
                    repair_message(self.prompt, problems)]
        return None

    def _judge(self, reply: Reply, link: Link, listing: Listing, shots: Shots,
               plan: list[PlannedScene], locale: str) -> tuple[Script | None, list[str]]:
        """The script a reply makes, or None and the problems (recorded on the reply)."""
        draft, outcome, problems = read_draft(reply.text, plan)
        script = None
        if draft is not None:
            try:
                script = self._script(draft, link, listing, shots, plan, locale)
            except ValidationError as exc:
                outcome = "schema_invalid"
                problems = [" ".join(str(e["msg"]).split()) for e in exc.errors()[:5]]
        if script is not None:
            problems = self._violations(script, listing, locale)
            outcome = "rejected" if problems else "accepted"
        reply.record.outcome, reply.record.violations = outcome, problems
        return (script if outcome == "accepted" else None), problems

    def _script(self, draft: Draft, link: Link, listing: Listing, shots: Shots,
                plan: list[PlannedScene], locale: str) -> Script:
        # Cards come from the template: they are facts in a fixed layout, nothing to write.
        cards = TemplateWriter().write(listing, shots, locale)
        scenes = [Scene(index=i, topic=p.topic, shots=p.images, narration=d.narration.strip(),
                        on_screen_text=(d.on_screen_text or "").strip() or None,
                        facts=mentioned_facts(d.narration, listing))
                  for i, (p, d) in enumerate(zip(plan, draft.scenes, strict=True))]
        return Script(listing_id=listing.id, locale=locale, writer=f"llm:{link.label}",
                      prompt=self.prompt.ref, title_card=cards.title_card,
                      end_card=cards.end_card, scenes=scenes)

    def _violations(self, script: Script, listing: Listing, locale: str) -> list[str]:
        banned = self.prompt.locales[locale].banned if locale in self.prompt.locales else []
        problems = [str(v) for v in check_claims(script, listing, banned)]
        budget = self.prompt.duration
        problems += [f"scene {s.index}: the narration says nothing" for s in script.scenes
                     if not re.search(r"\w", s.narration)]
        problems += [f"scene {s.index}: on-screen text of {n} words, more than "
                     f"{MAX_CAPTION_WORDS}" for s in script.scenes
                     if (n := len((s.on_screen_text or "").split())) > MAX_CAPTION_WORDS]
        words = [len(s.narration.split()) for s in script.scenes]
        problems += [f"scene {i}: {n} words, more than {budget.max_words_per_scene}"
                     for i, n in enumerate(words) if n > budget.max_words_per_scene]
        if sum(words) > budget.max_words:
            problems.append(f"script: {sum(words)} words in all, more than {budget.max_words} "
                            f"({budget.max_s:g} s at {budget.words_per_second:g} words/s)")
        return problems
