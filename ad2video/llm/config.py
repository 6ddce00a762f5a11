"""`ad2video.toml`: named endpoints, prices, cache, tracing, and the default chain and prompt.

Looked up in this order: an explicit path (`--config`, or AD2VIDEO_CONFIG), `./ad2video.toml`,
then `$XDG_CONFIG_HOME/ad2video/config.toml` (`~/.config/...`). No file means built-in defaults:
one endpoint `openai` (api.openai.com, key in OPENAI_API_KEY). Keys never live here: an
endpoint names the environment variable that holds its key (see ad2video.llm.keys).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ad2video.errors import UserError

TEMPLATE = "template"
DEFAULT_PROMPT = "script@v2"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Endpoint(_Section):
    """One OpenAI-compatible server (OpenAI, Azure, Ollama, vLLM, llama.cpp, a proxy)."""

    name: str = ""  # filled from the table name
    kind: Literal["openai"] = "openai"  # provider class; every server here speaks OpenAI's API
    base_url: str | None = None  # None: the SDK's default (api.openai.com)
    key_env: str | None = None  # env var holding the key; None: the server needs no key
    model: str | None = None  # model used when the chain names only the endpoint
    # json_object_schema: JSON mode with the schema beside it (llama-cpp-python's server)
    structured: Literal["json_schema", "json_object", "json_object_schema", "none"] = (
        "json_schema")
    timeout_s: float = Field(default=60, gt=0)
    max_retries: int = Field(default=2, ge=0, le=10)  # on 429, 5xx, time-outs
    backoff_s: float = Field(default=1.0, ge=0)  # first wait; doubles each retry
    max_backoff_s: float = Field(default=30, ge=0)  # cap, also on a server's Retry-After
    rpm: float | None = Field(default=None, gt=0)  # requests per minute (client side)
    tpm: float | None = Field(default=None, gt=0)  # tokens per minute (client side)
    burst_s: float = Field(default=60, gt=0)  # bucket size: this many seconds of rate at once
    temperature: float = Field(default=0.2, ge=0, le=2)
    max_tokens: int = Field(default=1500, gt=0)


class Price(_Section):
    """USD per million tokens."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)


class CacheSettings(_Section):
    enabled: bool = True
    dir: str | None = None  # default: $AD2VIDEO_CACHE/llm, else ~/.cache/ad2video/llm


class TracingSettings(_Section):
    jsonl: bool = True  # trace.jsonl in the run folder (needs the `llm` extra)
    otlp_endpoint: str | None = None  # e.g. http://localhost:4318/v1/traces


class ScriptSettings(_Section):
    llm: str | None = None  # default chain for `render` when --llm is not given
    prompt: str = DEFAULT_PROMPT


class JudgeSettings(_Section):
    provider: str | None = None  # e.g. "openai:gpt-4o-mini"; its own setting, not the chain's
    prompt: str = "judge@v1"


class LLMConfig(_Section):
    source: str | None = None  # the file read, if any
    keys_file: str | None = None  # default: ~/.config/ad2video/keys.json
    endpoints: dict[str, Endpoint] = Field(default_factory=dict)
    prices: dict[str, Price] = Field(default_factory=dict)
    cache: CacheSettings = Field(default_factory=CacheSettings)
    tracing: TracingSettings = Field(default_factory=TracingSettings)
    script: ScriptSettings = Field(default_factory=ScriptSettings)
    judge: JudgeSettings = Field(default_factory=JudgeSettings)


BUILTIN_ENDPOINTS = {"openai": {"key_env": "OPENAI_API_KEY", "model": "gpt-4o-mini"}}
BUILTIN_PRICES = {"gpt-4o-mini": {"input": 0.15, "output": 0.60}}  # USD / 1M tokens


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "ad2video"


def find_config(explicit: str | Path | None = None) -> Path | None:
    """The config file to read, or None; an explicit path that does not exist is an error."""
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise UserError(f"config file not found: {explicit}")
        return path
    for path in (Path("ad2video.toml"), config_dir() / "config.toml"):
        if path.is_file():
            return path
    return None


def load_config(explicit: str | Path | None = None) -> LLMConfig:
    """Read and validate the config; built-in endpoints and prices sit under the file's."""
    path = find_config(explicit)
    data: dict = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise UserError(f"config file {path}: cannot read it: {exc}") from None
    endpoints = {**BUILTIN_ENDPOINTS, **data.get("endpoints", {})}
    data = {**data, "endpoints": {k: {**v, "name": k} for k, v in endpoints.items()},
            "prices": {**BUILTIN_PRICES, **data.get("prices", {})},
            "source": str(path) if path else None}
    try:
        return LLMConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise UserError(f"config file {path}: {where}: {first['msg']}") from None


# --------------------------------------------------------------------------- the chain


@dataclass(frozen=True)
class Link:
    """One provider of a chain: an endpoint and a model, or the offline template writer."""

    endpoint: Endpoint | None
    model: str

    @property
    def label(self) -> str:
        return TEMPLATE if self.endpoint is None else f"{self.endpoint.name}:{self.model}"


def parse_link(text: str, config: LLMConfig) -> Link:
    """`openai:gpt-4o-mini`, `local` (its default model) or `template`."""
    text = text.strip()
    if text == TEMPLATE:
        return Link(None, TEMPLATE)
    name, _, model = text.partition(":")
    endpoint = config.endpoints.get(name)
    if endpoint is None:
        known = ", ".join(sorted(config.endpoints)) or "none"
        where = config.source or "no config file found"
        raise UserError(f"unknown LLM endpoint '{name}' in '{text}' (configured: {known}; "
                        f"{where}; add [endpoints.{name}] to ad2video.toml)")
    model = model.strip() or endpoint.model or ""
    if not model:
        raise UserError(f"no model for endpoint '{name}': write {name}:MODEL or set "
                        f"model in [endpoints.{name}]")
    return Link(endpoint, model)


def parse_chain(text: str, config: LLMConfig) -> list[Link]:
    """`openai:gpt-4o-mini,local:qwen2.5,template` -> links; the template always ends it."""
    links = [parse_link(part, config) for part in text.split(",") if part.strip()]
    if not links:
        raise UserError(f"--llm chain is empty: '{text}' (e.g. openai:gpt-4o-mini,template)")
    if links[-1].endpoint is not None:
        links.append(Link(None, TEMPLATE))  # the offline writer is always the last resort
    return links
