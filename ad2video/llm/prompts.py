"""Versioned prompt files: `ad2video/prompts/<id>/<version>.yaml`, named `id@version`.

A prompt file holds its id and version, the style rules, a variant per locale (language,
register, extra rules, extra banned phrases), the scene count and duration budget, and the
message templates. Templates name their slots as `{slot}`; any other brace (a JSON example)
is left as written. The sha256 of the file's bytes goes into the manifest with id and version.
"""

from __future__ import annotations

import functools
import hashlib
import re
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ad2video.contracts import PromptRef
from ad2video.errors import UserError


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LocaleVariant(_Part):
    language: str  # how the model is told which language and variety to write
    rules: list[str] = Field(default_factory=list)  # register, vocabulary, number format
    banned: list[str] = Field(default_factory=list)  # on top of the phrase banks' lists


class SceneBudget(_Part):
    min: int = Field(default=1, ge=1)
    max: int = Field(default=8, ge=1)


class DurationBudget(_Part):
    target_s: float = Field(default=30, gt=0)
    max_s: float = Field(default=45, gt=0)
    words_per_second: float = Field(default=2.5, gt=0)
    max_words_per_scene: int = Field(default=40, gt=0)

    @property
    def max_words(self) -> int:
        return int(self.max_s * self.words_per_second)


class PromptFile(_Part):
    id: str
    version: str
    description: str = ""
    scenes: SceneBudget = Field(default_factory=SceneBudget)
    duration: DurationBudget = Field(default_factory=DurationBudget)
    style_rules: list[str] = Field(default_factory=list)
    locales: dict[str, LocaleVariant] = Field(default_factory=dict)
    system: str
    user: str
    repair: str = ""
    sha256: str = ""  # of the file's bytes; filled on load

    @property
    def ref(self) -> PromptRef:
        return PromptRef(id=self.id, version=self.version, sha256=self.sha256)

    def variant(self, locale: str) -> LocaleVariant:
        if locale not in self.locales:
            have = ", ".join(sorted(self.locales)) or "none"
            raise UserError(f"prompt {self.id}@{self.version} has no {locale} variant "
                            f"(it has: {have})")
        return self.locales[locale]


def fill(template: str, slots: dict[str, Any]) -> str:
    """Replace `{name}` for the names in `slots`; every other brace stays as written."""
    return re.sub(r"\{(\w+)\}",
                  lambda m: str(slots[m.group(1)]) if m.group(1) in slots else m.group(), template)


def _folder(prompt_id: str) -> Any:
    return resources.files("ad2video").joinpath("prompts", prompt_id)


def available(prompt_id: str) -> list[str]:
    folder = _folder(prompt_id)
    if not folder.is_dir():
        return []
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


@functools.cache
def load_prompt(spec: str) -> PromptFile:
    """`script@v2` (a bundled file) or a path to a prompt YAML file."""
    if spec.endswith((".yaml", ".yml")):
        path = Path(spec).expanduser()
        if not path.is_file():
            raise UserError(f"prompt file not found: {spec}")
        raw = path.read_bytes()
    else:
        prompt_id, _, version = spec.partition("@")
        versions = available(prompt_id)
        if not version or version not in versions:
            known = ", ".join(f"{prompt_id}@{v}" for v in versions) or "none"
            raise UserError(f"unknown prompt '{spec}' (available: {known})")
        raw = _folder(prompt_id).joinpath(f"{version}.yaml").read_bytes()
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
        prompt = PromptFile.model_validate({**data, "sha256": hashlib.sha256(raw).hexdigest()})
    except (UnicodeDecodeError, yaml.YAMLError, ValidationError, TypeError) as exc:
        detail = " ".join(str(exc).split())[:200]
        raise UserError(f"prompt '{spec}' is not a valid prompt file: {detail}") from None
    return prompt
