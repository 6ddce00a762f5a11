"""`ad2video voices`: the TTS engines, whether each can run here, and the voice per locale."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ad2video.contracts import LOCALES


def _missing(name: str) -> str | None:
    """Why engine `name` cannot run here, or None."""
    if name == "piper":
        from ad2video.backends import tts_piper

        return tts_piper.missing()
    if name == "openai":
        from ad2video.backends import tts_openai

        return tts_openai.missing()
    return None


def engine_report(name: str, list_all: bool = False) -> dict[str, Any]:
    """One engine: can it run, why not, its timing method, default voice per locale."""
    from ad2video.stages.narrate import default_voice, get_engine

    report: dict[str, Any] = {"engine": name, "available": False, "reason": None,
                              "timing_method": None, "defaults": {}, "voices": {}}
    try:
        engine = get_engine(name)
        report["timing_method"] = engine.timing_method
        report["reason"] = _missing(name)
        if report["reason"] is None:
            have = engine.voices()
            report["available"] = bool(have)
            report["reason"] = None if have else "no voices found"
        for locale in LOCALES:
            try:
                report["defaults"][locale] = default_voice(engine, locale)
            except Exception as exc:  # a listing never crashes: it says why
                report["defaults"][locale] = None
                report["reason"] = report["reason"] or " ".join(str(exc).split())
        if list_all and report["available"]:
            report["voices"] = engine.describe_voices()
    except Exception as exc:
        report["reason"] = " ".join(str(exc).split())
    return report


def _table(reports: list[dict[str, Any]]) -> Table:
    table = Table(title="ad2video voices (--tts ENGINE --voice NAME)")
    for column in ("engine", "runs here", *LOCALES, "word timings", "note"):
        table.add_column(column, overflow="fold")
    for r in reports:
        ok = "[green]yes[/green]" if r["available"] else "[red]no[/red]"
        defaults = [escape(r["defaults"].get(loc) or "-") for loc in LOCALES]
        table.add_row(r["engine"], ok, *defaults, escape(r["timing_method"] or "-"),
                      escape(r["reason"] or ""))
    return table


def _voice_table(reports: list[dict[str, Any]]) -> Table:
    table = Table(title="all voices")
    for column in ("engine", "voice", "about"):
        table.add_column(column, overflow="fold")
    for r in reports:
        for voice, about in r["voices"].items():
            table.add_row(r["engine"], escape(voice), escape(about))
    return table


def voices(
    engine: Annotated[str | None, typer.Option("--engine", "-e", help="Only this engine "
                                               "(espeak, piper, openai).")] = None,
    list_all: Annotated[bool, typer.Option("--all", help="Also list every voice of the "
                                           "engines that can run.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List the voice engines, whether each can run here, and the default voice per locale."""
    from ad2video.jobs import check_choice
    from ad2video.stages.narrate import ENGINES

    names = list(ENGINES)
    if engine is not None:
        check_choice("engine", engine, tuple(names))
        names = [engine]
    reports = [engine_report(n, list_all) for n in names]
    if as_json:
        typer.echo(json.dumps({"engines": reports}, indent=2, ensure_ascii=False))
        return
    console = Console(highlight=False)
    console.print(_table(reports))
    if list_all:
        console.print(_voice_table(reports))


def register(app: typer.Typer) -> None:
    app.command("voices")(voices)
