"""Response cache on disk, keyed by endpoint, model, prompt hash and input hash.

One JSON file per key under $AD2VIDEO_CACHE/llm (else ~/.cache/ad2video/llm). A hit replays
the reply text and its token counts; nothing about keys is stored.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from ad2video.fsutil import sha256_text, write_text
from ad2video.llm.config import CacheSettings


def default_dir(settings: CacheSettings) -> Path:
    if settings.dir:
        return Path(settings.dir).expanduser()
    root = os.environ.get("AD2VIDEO_CACHE")
    if root:
        return Path(root).expanduser() / "llm"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ad2video" / "llm"


def cache_key(endpoint: str, base_url: str | None, model: str, prompt_sha: str,
              input_sha: str) -> str:
    parts = json.dumps([endpoint, base_url, model, prompt_sha, input_sha])
    return sha256_text(parts)


class ResponseCache:
    def __init__(self, settings: CacheSettings) -> None:
        self.enabled = settings.enabled
        self.root = default_dir(settings)

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        if not self.enabled:
            return None
        path = self._path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # absent or damaged: a miss, the call is made again
        return data if isinstance(data, dict) and "text" in data else None

    def put(self, key: str, entry: dict[str, Any]) -> None:
        if not self.enabled:
            return
        with contextlib.suppress(OSError):  # a cache that cannot be written costs a repeat call
            write_text(self._path(key), json.dumps(entry, ensure_ascii=False, sort_keys=True))
