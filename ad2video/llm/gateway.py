"""One door to every LLM: keys, rate limits, cache, retries with backoff, cost, records, spans.

`Gateway.complete(link, messages, ...)` returns the reply text and a `CallRecord` per attempt
(what the manifest shows), or raises `CallFailed` carrying those records once the endpoint's
retries are spent. Whether the reply is any good is the caller's business (the writer's
schema and claim checks).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from ad2video.fsutil import sha256_text
from ad2video.llm import tracing
from ad2video.llm.cache import ResponseCache, cache_key
from ad2video.llm.config import Endpoint, Link, LLMConfig
from ad2video.llm.keys import redact, resolve_key
from ad2video.llm.providers import (
    ChatReply,
    ChatRequest,
    OpenAIProvider,
    Permanent,
    ProviderError,
    make_provider,
)
from ad2video.llm.ratelimit import estimate_tokens, limiter_for


class CallRecord(BaseModel):
    """One attempt at one turn with one provider, as the manifest shows it."""

    provider: str  # endpoint name, or "template"
    model: str
    turn: str = "write"  # write, repair, judge, template
    attempt: int = 1  # HTTP attempt within the turn (retries count up)
    outcome: str  # accepted, rejected, rate_limited, server_error, timeout, ..., ok
    status: int | None = None  # HTTP status of a failed attempt
    error: str | None = None
    violations: list[str] = Field(default_factory=list)
    cached: bool = False
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None  # None: no price for this model in the price table
    latency_s: float = 0.0
    waited_s: float = 0.0  # time spent in the client-side rate limiter and backoff


class CallFailed(Exception):
    """Every attempt of one turn failed; `records` says how."""

    def __init__(self, message: str, records: list[CallRecord]) -> None:
        super().__init__(message)
        self.records = records


@dataclass
class Reply:
    text: str
    record: CallRecord
    records: list[CallRecord] = field(default_factory=list)  # retries before it, then it


def cost_usd(config: LLMConfig, model: str, prompt: int, completion: int) -> float | None:
    """Price of a call from the price table; a dated model name uses its family's price."""
    names = sorted((n for n in config.prices if model == n or model.startswith(n + "-")),
                   key=len, reverse=True)
    if not names:
        return None
    price = config.prices[names[0]]
    return round((prompt * price.input + completion * price.output) / 1e6, 8)


class Gateway:
    def __init__(self, config: LLMConfig, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self.cache = ResponseCache(config.cache)
        self.sleep = sleep
        self._providers: dict[str, OpenAIProvider] = {}

    def provider(self, endpoint: Endpoint) -> OpenAIProvider:
        if endpoint.name not in self._providers:
            key = resolve_key(endpoint, self.config)
            self._providers[endpoint.name] = make_provider(endpoint, key)
        return self._providers[endpoint.name]

    def complete(self, link: Link, messages: list[dict[str, str]], *, prompt_sha: str,
                 turn: str = "write", schema: dict[str, Any] | None = None,
                 schema_name: str = "reply", seed: int | None = None) -> Reply:
        endpoint = link.endpoint
        assert endpoint is not None, "the template writer makes no LLM calls"
        request = ChatRequest(model=link.model, messages=messages, structured=endpoint.structured,
                              schema=schema, schema_name=schema_name, seed=seed,
                              temperature=endpoint.temperature, max_tokens=endpoint.max_tokens)
        key = cache_key(endpoint.name, endpoint.base_url, link.model, prompt_sha,
                        sha256_text(json.dumps([messages, request.response_format(),
                                                request.temperature, request.max_tokens, seed],
                                               sort_keys=True)))
        hit = self.cache.get(key)
        if hit is not None:
            return self._from_cache(link, request, turn, hit)
        provider = self.provider(endpoint)
        records: list[CallRecord] = []
        for attempt in range(1, endpoint.max_retries + 2):
            record, reply, error = self._attempt(provider, link, request, turn, attempt)
            records.append(record)
            if reply is not None:
                self.cache.put(key, {"text": reply.text, "prompt_tokens": reply.prompt_tokens,
                                     "completion_tokens": reply.completion_tokens})
                return Reply(reply.text, record, records)
            assert error is not None
            if isinstance(error, Permanent) or attempt > endpoint.max_retries:
                break
            wait = self._backoff(endpoint, attempt, error.retry_after)
            record.waited_s = round(record.waited_s + wait, 3)
            self.sleep(wait)
        raise CallFailed(f"{link.label}: {records[-1].outcome}: {records[-1].error}", records)

    @staticmethod
    def _backoff(endpoint: Endpoint, attempt: int, retry_after: float | None) -> float:
        """The server's Retry-After when it sent one, else exponential; both capped."""
        wait = retry_after if retry_after is not None else endpoint.backoff_s * 2 ** (attempt - 1)
        return min(wait, endpoint.max_backoff_s)

    def _attempt(self, provider: OpenAIProvider, link: Link, request: ChatRequest, turn: str,
                 attempt: int) -> tuple[CallRecord, ChatReply | None, ProviderError | None]:
        endpoint = link.endpoint
        assert endpoint is not None
        limiter = limiter_for(endpoint)
        waited = limiter.acquire(estimate_tokens(json.dumps(request.messages),
                                                 request.max_tokens)) if limiter else 0.0
        record = CallRecord(provider=endpoint.name, model=link.model, turn=turn, attempt=attempt,
                            outcome="ok", waited_s=round(waited, 3))
        with tracing.span("llm.chat", "LLM", _span_input(link, request, turn, attempt)) as span:
            t0 = time.perf_counter()
            reply, error = None, None
            try:
                reply = provider.chat(request)
            except ProviderError as exc:
                error = exc
            record.latency_s = round(time.perf_counter() - t0, 3)
            if reply is not None:
                record.prompt_tokens, record.completion_tokens = (reply.prompt_tokens,
                                                                  reply.completion_tokens)
                record.cost_usd = cost_usd(self.config, link.model, reply.prompt_tokens,
                                           reply.completion_tokens)
                span.update(_span_output(reply.text, record))
            else:
                assert error is not None
                record.outcome, record.status = error.outcome, error.status
                record.error = str(error)
                span.update(_span_output(None, record))
                span.error(f"{error.outcome}: {error}")
        return record, reply, error

    def _from_cache(self, link: Link, request: ChatRequest, turn: str,
                    hit: dict[str, Any]) -> Reply:
        record = CallRecord(provider=link.endpoint.name if link.endpoint else "", model=link.model,
                            turn=turn, outcome="ok", cached=True, cost_usd=0.0,
                            prompt_tokens=int(hit.get("prompt_tokens", 0)),
                            completion_tokens=int(hit.get("completion_tokens", 0)))
        with tracing.span("llm.chat", "LLM", _span_input(link, request, turn, 1)) as span:
            span.update(_span_output(hit["text"], record))
        return Reply(str(hit["text"]), record, [record])


def _span_input(link: Link, request: ChatRequest, turn: str, attempt: int) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "llm.system": "openai", "llm.provider": link.endpoint.name if link.endpoint else "",
        "llm.model_name": link.model,
        "llm.invocation_parameters": {"temperature": request.temperature,
                                      "max_tokens": request.max_tokens,
                                      "response_format": request.structured},
        "input.value": json.dumps(request.messages, ensure_ascii=False),
        "input.mime_type": "application/json",
        "ad2video.turn": turn, "ad2video.attempt": attempt,
    }
    for i, message in enumerate(request.messages):
        attrs[f"llm.input_messages.{i}.message.role"] = message["role"]
        attrs[f"llm.input_messages.{i}.message.content"] = message["content"]
    return attrs


def _span_output(text: str | None, record: CallRecord) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "llm.token_count.prompt": record.prompt_tokens,
        "llm.token_count.completion": record.completion_tokens,
        "llm.token_count.total": record.prompt_tokens + record.completion_tokens,
        "ad2video.outcome": record.outcome, "ad2video.cached": record.cached,
        "ad2video.latency_s": record.latency_s, "ad2video.cost_usd": record.cost_usd,
    }
    if text is not None:
        attrs.update({"output.value": redact(text), "output.mime_type": "application/json",
                      "llm.output_messages.0.message.role": "assistant",
                      "llm.output_messages.0.message.content": redact(text)})
    return attrs
