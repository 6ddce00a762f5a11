"""The optional LLM judge (ad2video.llm.judge), when this install has it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ad2video.contracts import Listing, Script
from ad2video.errors import UserError

Judge = Callable[[Script, Listing], dict[str, Any]]


def make_judge(provider: str | None, config_path: str | None = None) -> tuple[Judge | None, str]:
    """A function judging one script, or None and the note saying why there is none."""
    if not provider:
        return None, "no LLM judge asked for (--judge PROVIDER)"
    try:
        from ad2video.llm.config import load_config
        from ad2video.llm.judge import judge_script
    except ImportError as exc:
        return None, f"LLM judge skipped: not available in this install ({exc.name or exc})"
    config = load_config(config_path)
    lock = threading.Lock()  # one call at a time: videos are analysed in threads

    def judge(script: Script, listing: Listing) -> dict[str, Any]:
        try:
            with lock:
                report = judge_script(script, listing, provider, config)
        except UserError as exc:
            return {"status": "error", "note": str(exc)}
        except Exception as exc:  # a provider failing must not lose the other metrics
            return {"status": "error", "note": f"{type(exc).__name__}: {exc}"}
        data = report.model_dump(mode="json") if hasattr(report, "model_dump") else report
        if not isinstance(data, dict):
            data = {"result": data}
        return {"status": "ok", **data}

    return judge, f"LLM judge: {provider}"
