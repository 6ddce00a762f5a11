"""API keys: explicit value -> keys file -> environment variable. Never logged, never written.

The keys file is JSON, `{"<endpoint name>": "<key>"}`, at `keys_file` from the config or
`~/.config/ad2video/keys.json` (AD2VIDEO_KEYS_FILE overrides both). Every key handed out is
remembered so `redact` can blank it from anything about to be written (traces, errors).
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

from ad2video.errors import UserError
from ad2video.llm.config import Endpoint, Link, LLMConfig, config_dir, parse_chain

NO_KEY = "no-key"  # local servers need none, but the SDK insists on a non-empty string
_SEEN: set[str] = set()


def keys_file(config: LLMConfig) -> Path:
    env = os.environ.get("AD2VIDEO_KEYS_FILE")
    return Path(env or config.keys_file or config_dir() / "keys.json").expanduser()


def _from_file(path: Path, name: str) -> str | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise UserError(f"keys file {path} is not valid JSON (expected {{\"{name}\": \"...\"}})"
                        ) from None
    value = data.get(name) if isinstance(data, dict) else None
    return value if isinstance(value, str) and value.strip() else None


def key_source(endpoint: Endpoint, config: LLMConfig) -> str | None:
    """Where the key would come from ('keys file', 'KEY_ENV'), or None when there is none.
    For `doctor`: says whether a key is set without ever showing it."""
    if endpoint.key_env is None:
        return "not needed"
    if _from_file(keys_file(config), endpoint.name):
        return f"keys file {keys_file(config)}"
    if os.environ.get(endpoint.key_env, "").strip():
        return endpoint.key_env
    return None


def resolve_key(endpoint: Endpoint, config: LLMConfig, explicit: str | None = None) -> str:
    """The key for `endpoint`; a missing one says exactly what to set."""
    if endpoint.key_env is None and not explicit:
        return NO_KEY
    key = explicit or _from_file(keys_file(config), endpoint.name)
    if not key and endpoint.key_env:
        key = os.environ.get(endpoint.key_env, "").strip() or None
    if not key:
        raise UserError(
            f"LLM endpoint '{endpoint.name}' needs an API key: set {endpoint.key_env} "
            f"(export {endpoint.key_env}=...) or add \"{endpoint.name}\" to "
            f"{keys_file(config)}")
    _SEEN.add(key)
    return key


def redact(text: str) -> str:
    """`text` with every key handed out in this process replaced by `[redacted]`."""
    for key in sorted(_SEEN, key=len, reverse=True):
        if len(key) >= 4:
            text = text.replace(key, "[redacted]")
    return text


def check_chain(text: str, config: LLMConfig, prompt: str | None = None) -> list[Link]:
    """Parse a chain and fail now, before any work, on an unknown endpoint or prompt, a missing
    key or a missing `llm` extra (a config error is not an outage: no fallback hides it)."""
    from ad2video.llm.prompts import load_prompt

    links = parse_chain(text, config)
    load_prompt(prompt or config.script.prompt)
    endpoints = [link.endpoint for link in links if link.endpoint is not None]
    if endpoints and importlib.util.find_spec("openai") is None:
        raise UserError("--llm with an OpenAI-compatible endpoint needs the `llm` extra: "
                        "pip install 'ad2video[llm]'")
    for endpoint in endpoints:
        resolve_key(endpoint, config)
    return links
