"""The evaluation report: one self-contained HTML file (its data inline, no network).

Videos are linked by relative path (to the run folders), so the report opens from disk next to
the batch and plays each video in place. Raters' good/bad marks and comments live in the
browser's localStorage and are exported as a JSON download.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ad2video import __version__
from ad2video.fsutil import atomic_path, write_text
from ad2video.render import ffmpeg as ff

PLACEHOLDER = "__AD2VIDEO_DATA__"


def href(path: str | Path, base: Path) -> str:
    """A relative URL from the report's folder to `path`."""
    rel = os.path.relpath(Path(path).resolve(), base.resolve())
    return "/".join(quote(part) for part in Path(rel).parts)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def metric_rows(m: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(label, value, is it a problem) for the report's metrics table."""
    lufs, peak = m["loudness_lufs"], m["true_peak_db"]
    target, peak_target = m["loudness_target_lufs"], m["true_peak_target_db"]
    cov = m["caption_coverage"]
    return [
        ("duration", f"{m['duration_s'] or 0:.1f} s", False),
        ("loudness", f"{lufs} LUFS (target {target:g})",
         lufs is None or abs(lufs - target) > 1.0),
        ("true peak", f"{peak} dBTP (max {peak_target:g})",
         peak is None or peak > peak_target + 0.1),
        ("black frames", f"{len(m['black'])} span(s)", bool(m["black"])),
        ("frozen frames", f"{len(m['frozen'])} span(s)", bool(m["frozen"])),
        ("caption coverage", _pct(cov), cov is not None and cov < 0.9),
        ("sync score", f"{_pct(m['sync_score'])} ({m['sync_source']})", False),
        ("listing facts used", _pct(m["facts_used_share"]), False),
        ("claims supported", str(m["claims_supported"]), False),
        ("claims unsupported", str(m["claims_unsupported"]), m["claims_unsupported"] > 0),
        ("banned phrases", str(m["banned_phrases"]), m["banned_phrases"] > 0),
        ("price mentions", str(m["price_mentions"]), m["price_mentions"] > 0),
    ]


def _judge_note(judge: dict[str, Any] | None) -> str | None:
    if not judge:
        return None
    shown = {k: v for k, v in judge.items() if isinstance(v, str | int | float | bool)}
    return "LLM judge: " + ", ".join(f"{k}={v}" for k, v in shown.items())


def _entry(run: dict[str, Any], base: Path, previews: dict[str, Path]) -> dict[str, Any]:
    entry = {k: run.get(k) for k in ("name", "status", "reason", "listing_id", "title")}
    if run["status"] != "ok":
        return entry
    sources = [{"src": href(run["video"], base), "type": "video/mp4"}]
    if run["name"] in previews:  # for browsers without H.264 (e.g. Chromium open builds)
        sources.append({"src": href(previews[run["name"]], base), "type": "video/webm"})
    return {**entry, "video": href(run["video"], base), "sources": sources,
            "poster": href(run["poster"], base) if run.get("poster") else None,
            "rows": metric_rows(run["metrics"]), "issues": run["issues"],
            "scenes": run["script"]["scenes"], "cards": run["script"]["cards"],
            "judge_note": _judge_note(run.get("judge"))}


def report_id(root: Path) -> str:
    """Stable for a run folder: a regenerated report keeps the ratings already made."""
    return hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:12]


def write_report(results: list[dict[str, Any]], root: Path, target: Path, note: str,
                 previews: dict[str, Path] | None = None) -> Path:
    base = target.parent
    base.mkdir(parents=True, exist_ok=True)
    data = {
        "report_id": report_id(root), "source": str(Path(root).resolve()),
        "title": f"ad2video evaluation: {Path(root).resolve().name}",
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tool_version": __version__, "note": note,
        "runs": [_entry(r, base, previews or {}) for r in results],
    }
    # Inside <script type="application/json"> only "</script" could end the block early.
    payload = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    template = resources.files("ad2video.evaluate").joinpath("report.html")
    html = template.read_text(encoding="utf-8").replace(PLACEHOLDER, payload)
    write_text(target, html)
    return target


def make_preview(video: Path, target: Path, ffmpeg: str | None = None) -> Path:
    """A small VP9/Opus WebM of `video` (kept when it is newer than the video)."""
    if target.is_file() and target.stat().st_mtime >= video.stat().st_mtime:
        return target
    with atomic_path(target) as tmp:
        ff.run_ffmpeg(["-y", "-i", str(video), "-c:v", "libvpx-vp9", "-deadline", "realtime",
                       "-cpu-used", "8", "-row-mt", "1", "-b:v", "0", "-crf", "40",
                       "-c:a", "libopus", "-b:a", "64k", "-f", "webm", str(tmp)], ffmpeg)
    return target
