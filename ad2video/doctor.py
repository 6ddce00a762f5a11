"""`ad2video doctor`: what this machine can run, and what to do about what it cannot."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

from rich.console import Console
from rich.markup import escape
from rich.table import Table

NEEDED_FILTERS = ("zoompan", "xfade", "ass", "sidechaincompress", "loudnorm", "amix", "adelay",
                  "scale", "crop", "loop", "settb", "afade", "alimiter")
Check = tuple[str, bool, str]


def _ffmpeg_checks() -> list[Check]:
    from ad2video.render import ffmpeg as ff

    try:
        exe = ff.find_ffmpeg()
    except Exception as exc:  # doctor reports, never crashes
        return [("ffmpeg", False, str(exc))]
    checks: list[Check] = [("ffmpeg", True, f"{exe} ({ff.ffmpeg_version(exe)})")]
    have = ff.has_filters(NEEDED_FILTERS, exe)
    missing = [name for name, ok in have.items() if not ok]
    checks.append(("ffmpeg filters", not missing,
                   "all present" if not missing else "missing: " + ", ".join(missing)))
    probe = ff.find_ffprobe()
    checks.append(("ffprobe", probe is not None,
                   str(probe) if probe else "not found (only tests need it: "
                   "pip install 'ad2video[test]')"))
    return checks


def _voice_checks() -> list[Check]:
    try:
        from ad2video.stages.narrate import available_voices

        voices = available_voices()
    except Exception as exc:
        return [("espeak-ng voices", False, " ".join(str(exc).split()))]
    return [(f"voice {loc}", bool(v), v or "missing") for loc, v in voices.items()]


def _module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def _vision_rows() -> list[Check]:
    from ad2video.stages.vision import doctor_rows

    return doctor_rows()


def _backend_checks() -> list[Check]:
    return [
        ("vision: heuristic", True, "built in (view hints, captions, file names; offline)"),
        *_vision_rows(),
        ("script: template", True, "built in (listing facts only; en, es, es-AR, pt-BR)"),
        _llm_check(),
        ("voice: espeak-ng", _module("espeakng_loader"), "bundled by espeakng-loader"),
        *_tts_checks(),
    ]


def _tts_checks() -> list[Check]:
    """Optional voice engines (`ad2video voices` lists their voices per locale)."""
    from ad2video.backends import tts_openai, tts_piper

    piper, openai = tts_piper.missing(), tts_openai.missing()
    return [
        ("voice: piper", piper is None, piper or "installed (offline neural voice, --tts piper)"),
        ("voice: openai", openai is None, openai or "API key set (--tts openai; not contacted)"),
    ]


def _llm_check() -> Check:
    """Which LLM endpoints are configured and whether their keys are set (never the keys)."""
    try:
        from ad2video.llm.config import load_config
        from ad2video.llm.keys import key_source

        config = load_config()
        keys = [f"{e.name}: " + (f"key from {src}" if (src := key_source(e, config))
                                 else f"no key, set {e.key_env}")
                for e in config.endpoints.values()]
    except Exception as exc:  # doctor reports, never crashes
        return ("script: LLM", False, " ".join(str(exc).split()))
    if not _module("openai"):
        return ("script: LLM", False, "not installed: pip install 'ad2video[llm]' (the "
                "template writer is used)")
    where = config.source or "no ad2video.toml found (built-in endpoint only)"
    return ("script: LLM", True, f"--llm ENDPOINT:MODEL,...; {where}; " + "; ".join(keys))


def run_doctor(console: Console) -> bool:
    """Print a table of checks; True when everything needed for `render` is present."""
    groups: list[Callable[[], list[Check]]] = [_ffmpeg_checks, _voice_checks, _backend_checks]
    table = Table(title="ad2video doctor", show_lines=False)
    table.add_column("check")
    table.add_column("ok")
    table.add_column("detail", overflow="fold")
    essential_ok = True
    for group in groups:
        for name, ok, detail in group():
            mark = "[green]yes[/green]" if ok else "[red]no[/red]"
            table.add_row(escape(name), mark, escape(detail))
            if not ok and (name.startswith(("ffmpeg", "voice ")) or name == "espeak-ng voices"):
                essential_ok = False
    console.print(table)
    console.print("ready to render" if essential_ok else "not ready: see the rows marked no")
    return essential_ok
