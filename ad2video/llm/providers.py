"""LLM providers: small classes in a registry (simonw/llm style), one method each.

A provider turns a `ChatRequest` into a `ChatReply`, or raises `Transient` (worth retrying:
429, 5xx, time-outs, dropped connections) or `Permanent` (a bad request, a rejected key).
Retries, limits, caching and records are the gateway's job, not the provider's. Every
endpoint speaks OpenAI's chat-completions protocol, so one provider class covers OpenAI,
Azure OpenAI, Ollama, vLLM, llama.cpp's server and LLM proxies through `base_url`.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ad2video.errors import UserError
from ad2video.llm.config import Endpoint
from ad2video.llm.keys import redact


@dataclass(frozen=True)
class ChatRequest:
    model: str
    messages: list[dict[str, str]]
    structured: str = "json_schema"  # json_schema, json_object, json_object_schema or none
    schema: dict[str, Any] | None = None
    schema_name: str = "reply"
    temperature: float = 0.2
    max_tokens: int = 1500
    seed: int | None = None

    def response_format(self) -> dict[str, Any] | None:
        if self.structured == "json_schema" and self.schema is not None:
            return {"type": "json_schema", "json_schema": {
                "name": self.schema_name, "schema": self.schema, "strict": True}}
        if self.structured == "json_object_schema" and self.schema is not None:
            # llama-cpp-python's server has no json_schema type (it answers 500) but turns a
            # schema given with JSON mode into a grammar: the reply has the schema's shape.
            return {"type": "json_object", "schema": self.schema}
        if self.structured in ("json_schema", "json_object", "json_object_schema"):
            return {"type": "json_object"}
        return None


@dataclass
class ChatReply:
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class ProviderError(Exception):
    """A failed call; `status` is the HTTP status when there was one."""

    outcome = "http_error"

    def __init__(self, message: str, status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(redact(" ".join(message.split()))[:300])
        self.status = status
        self.retry_after = retry_after


class Transient(ProviderError):
    """Worth another try after a wait: 429, 5xx, time-out, connection error."""

    def __init__(self, outcome: str, message: str, status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message, status, retry_after)
        self.outcome = outcome


class Permanent(ProviderError):
    """Retrying will not help: 400, 401, 403, 404, an unusable reply."""


class OpenAIProvider:
    """Any OpenAI-compatible chat-completions server, through the official `openai` SDK."""

    kind: ClassVar[str] = "openai"
    needs_key: ClassVar[bool] = True  # per endpoint: one without key_env sends a dummy key
    supports_schema: ClassVar[bool] = True  # JSON Schema response_format, where the server can

    def __init__(self, endpoint: Endpoint, api_key: str) -> None:
        try:
            import openai
        except ImportError:
            raise UserError("--llm with an OpenAI-compatible endpoint needs the `llm` extra: "
                            "pip install 'ad2video[llm]'") from None
        self.openai = openai
        self.endpoint = endpoint
        # Retries are ours (backoff, Retry-After, a record per attempt), so the SDK makes none.
        self.client = openai.OpenAI(api_key=api_key, base_url=endpoint.base_url,
                                    timeout=endpoint.timeout_s, max_retries=0)

    def chat(self, request: ChatRequest) -> ChatReply:
        kwargs: dict[str, Any] = {"model": request.model, "messages": request.messages,
                                  "temperature": request.temperature,
                                  "max_tokens": request.max_tokens}
        if request.seed is not None:
            kwargs["seed"] = request.seed
        response_format = request.response_format()
        if response_format is not None:
            kwargs["response_format"] = response_format
        try:
            completion = self.client.chat.completions.create(**kwargs)
        except self.openai.APIError as exc:
            raise self._error(exc) from None
        choice = completion.choices[0] if completion.choices else None
        text = choice.message.content if choice and choice.message else None
        if not text:
            raise Permanent("the reply has no message content")
        usage = completion.usage
        return ChatReply(text=text, model=completion.model or request.model,
                         prompt_tokens=usage.prompt_tokens if usage else 0,
                         completion_tokens=usage.completion_tokens if usage else 0,
                         extra={"finish_reason": choice.finish_reason if choice else None})

    def _error(self, exc: Exception) -> ProviderError:
        oa = self.openai
        if isinstance(exc, oa.APITimeoutError):
            return Transient("timeout", f"no reply within {self.endpoint.timeout_s:g} s")
        if isinstance(exc, oa.APIConnectionError):
            return Transient("connection_error", f"cannot connect: {exc}")
        if isinstance(exc, oa.APIStatusError):
            status, wait = exc.status_code, retry_after(exc.response.headers)
            if status == 429:
                return Transient("rate_limited", str(exc), status, wait)
            if status >= 500:
                return Transient("server_error", str(exc), status, wait)
            if status in (401, 403):
                env = self.endpoint.key_env or "its key"
                return Permanent(f"endpoint '{self.endpoint.name}' rejected the key "
                                 f"(HTTP {status}): check {env}", status)
            return Permanent(str(exc), status)
        return Permanent(str(exc))


def retry_after(headers: Any) -> float | None:
    """A server's Retry-After (seconds or an HTTP date) or retry-after-ms, in seconds."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


PROVIDERS: dict[str, type[OpenAIProvider]] = {OpenAIProvider.kind: OpenAIProvider}


def make_provider(endpoint: Endpoint, api_key: str) -> OpenAIProvider:
    return PROVIDERS[endpoint.kind](endpoint, api_key)
