"""Script stage: Listing + Shots -> Script (narration per scene), checked against the listing.

`check_script` is the guard every writer's output passes: numbers must be listing numbers,
no price or currency, no marketing lingo, the locale's register (voseo for es-AR), and nothing
copied from the seller's free text.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any, Protocol

import yaml

from ad2video import numfmt
from ad2video.contracts import LOCALES, CarAttributes, HomeAttributes, Listing, Script, Shots
from ad2video.errors import UserError

MONEY_RE = re.compile(
    r"R\$|US\$|U\$S|\$|€|£|\b(?:usd|eur|ars|brl|pesos?|d[oó]lar(?:es)?|dollars?|reais|euros?"
    r"|prices?|precios?|preços?|financ\w*|descuentos?|descontos?|discounts?|cuotas?|parcelas?"
    r"|installments?)\b",
    re.IGNORECASE,
)
# Extra keys that carry money or personal data: never spoken, their numbers never allowed.
SENSITIVE_KEY_RE = re.compile(
    r"pri[cz]|precio|pre[cç]o|valor|cost|custo|financ|cuota|parcela|descuento|desconto|discount"
    r"|expensa|iptu|condom|fee|tax|impuesto|imposto|phone|tel[eé]fono|telefone|whatsapp|mail"
    r"|contact|direcci|endere|address",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ScriptOptions:
    locale: str = "en"  # narration language: en, es, es-AR (voseo), pt-BR
    writer: str = "template"  # script writer backend, see known_writers()
    seed: int = 0  # picks phrasing variants; same inputs and seed -> same script
    llm: str | None = None  # LLM chain, e.g. "openai:gpt-4o-mini,local:qwen2.5,template"
    prompt: str | None = None  # LLM prompt id@version (default: the config's, else script@v2)
    config: str | None = None  # ad2video.toml to read (default: looked up, see ad2video.llm)


class Writer(Protocol):
    name: str

    def write(self, listing: Listing, shots: Shots, locale: str, seed: int = 0) -> Script: ...


def known_writers() -> dict[str, Callable[[], Writer]]:
    # Imported here: the writers import this module's guard helpers.
    from ad2video.backends.script_template import TemplateWriter

    return {TemplateWriter.name: TemplateWriter}


def resolve_locale(locale: str) -> str:
    """`es-ar`, `pt_BR` -> the canonical code; anything else is a UserError."""
    wanted = locale.replace("_", "-").lower()
    for code in LOCALES:
        if code.lower() == wanted:
            return code
    raise UserError(f"unknown locale '{locale}' (choose one of: {', '.join(LOCALES)})")


def run(listing: Listing, shots: Shots, options: ScriptOptions) -> Script:
    """Write the script with the chosen writer and refuse one that fails `check_script`."""
    return run_with_report(listing, shots, options)[0]


def run_with_report(listing: Listing, shots: Shots,
                    options: ScriptOptions) -> tuple[Script, dict[str, Any]]:
    """`run`, plus what the LLM chain did (calls, outcomes, tokens, cost; {} without one)."""
    locale = resolve_locale(options.locale)
    writers = known_writers()
    if options.writer not in writers:
        names = ", ".join(sorted(writers))
        raise UserError(f"unknown script writer '{options.writer}' (choose one of: {names})")
    if not shots.storyboard:
        raise UserError(f"listing '{listing.id}' has no usable photos to write a script for")
    writer = _llm_writer(options) if options.llm else writers[options.writer]()
    script = writer.write(listing, shots, locale, seed=options.seed)
    problems = check_script(script, listing)
    if problems:
        raise UserError(f"script writer '{writer.name}' failed the fact check: {problems[0]}")
    report = getattr(writer, "report", None)
    return script, (report.model_dump(mode="json") if report is not None else {})


def _llm_writer(options: ScriptOptions) -> Writer:
    from ad2video.backends.script_llm import LLMWriter
    from ad2video.llm.config import load_config
    from ad2video.llm.keys import check_chain
    from ad2video.llm.prompts import load_prompt

    config = load_config(options.config)
    prompt = load_prompt(options.prompt or config.script.prompt)
    return LLMWriter(check_chain(options.llm or "", config), config, prompt)


# --------------------------------------------------------------------------- phrase bank


@functools.cache
def load_bank(locale: str) -> dict[str, Any]:
    """The locale's phrase bank; `inherits: es` merges the parent file under this one."""
    path = resources.files("ad2video").joinpath("locales", f"{locale}.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    parent = data.pop("inherits", None)
    return _merge(load_bank(parent), data) if parent else data


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        both = isinstance(value, dict) and isinstance(base.get(key), dict)
        out[key] = _merge(base[key], value) if both else value
    return out


def norm(text: str) -> str:
    """Lowercase, accents removed, spaces collapsed: the form phrases are matched in."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(plain.lower().split()).strip(" .!")


@functools.cache
def banned_phrases() -> tuple[str, ...]:
    """Every locale's banned phrases: lingo is banned whatever language it slips in through."""
    return tuple(sorted({norm(p) for loc in LOCALES for p in load_bank(loc).get("banned", [])}))


def find_phrases(text: str, phrases: Iterable[str], accents: bool = False) -> list[str]:
    """Which of `phrases` occur in `text` as whole words, case-insensitive; accent-insensitive
    unless `accents` (voseo and tú differ only by an accent: mirá/mira, llamame/llámame)."""
    fold = (lambda s: " ".join(s.lower().split())) if accents else norm
    plain = fold(text)
    return [p for p in phrases if re.search(rf"(?<!\w){re.escape(fold(p))}(?!\w)", plain)]


def mentions_price(text: str, listing: Listing) -> bool:
    """Money words, currency symbols or the price amount itself."""
    if MONEY_RE.search(text):
        return True
    if listing.price is None:
        return False
    return any(_is_price(r, listing) for t in numfmt.number_tokens(text)
               for r in numfmt.number_readings(t))


def _is_price(value: float, listing: Listing) -> bool:
    return listing.price is not None and numfmt.same_number(value, listing.price.amount)


def is_unsafe(text: str, listing: Listing) -> bool:
    """Seller text that must not be repeated: money, the price, or marketing lingo."""
    return mentions_price(text, listing) or bool(find_phrases(text, banned_phrases()))


# --------------------------------------------------------------------------- the guard


def listing_numbers(listing: Listing) -> list[float]:
    """Numbers a script may say: typed numeric fields, plus numbers written in the title,
    typed text fields, features and non-money extras (never the price)."""
    attrs = listing.attributes
    typed: list[float | None] = []
    texts = [listing.title, *attrs.features]
    if isinstance(attrs, CarAttributes):
        typed += [attrs.year, attrs.doors, attrs.owners, attrs.mileage and attrs.mileage.value]
        texts += [attrs.make, attrs.model, attrs.version, attrs.engine, attrs.colour]
    elif isinstance(attrs, HomeAttributes):
        typed += [attrs.bedrooms, attrs.bathrooms, attrs.floors, attrs.parking]
        typed.append(attrs.area and attrs.area.value)
        texts.append(attrs.property_type)
    for key, value in attrs.extra.items():
        if not SENSITIVE_KEY_RE.search(key):
            texts += [key, str(value)]
    written = {r for t in texts if t for tok in numfmt.number_tokens(t)
               for r in numfmt.number_readings(tok)}
    return [float(v) for v in typed if v is not None] + [
        v for v in written if not _is_price(v, listing)
    ]


def check_script(script: Script, listing: Listing) -> list[str]:
    """Every rule broken by the script, one line each; [] when it is safe to narrate.
    The rules live in the claim checker, ad2video.claims."""
    from ad2video.claims import check_claims  # it builds on this module's phrase helpers

    return [str(v) for v in check_claims(script, listing)]
