"""One batch listing: render into a temporary folder, then rename it into place.

A listing's folder under the batch folder only ever holds a finished render: the pipeline
writes into `.batch/tmp/<name>.<random>/run`, and only after `batch.json` (the record, with the
content key) is written there is the folder renamed onto `<name>`. A per-name lock (flock, freed
by the kernel when its holder dies) keeps two processes off the same listing, so a killed run
that resumes never renders a finished listing twice. `.batch/events.jsonl` logs each start,
finish and failure.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from ad2video import __version__
from ad2video.batch_inputs import BatchItem, stage_object
from ad2video.errors import UserError
from ad2video.fsutil import write_text
from ad2video.progress import STAGES

DONE_FILE = "batch.json"
STATE_DIR = ".batch"


class EventSink(Protocol):
    def put(self, item: Any) -> None: ...


@dataclass(frozen=True)
class Task:
    item: BatchItem
    key: str  # content key of the item + options (batch_inputs.content_key)
    out: Path  # the batch folder
    render: dict[str, Any]  # RenderJob fields other than source and out_dir


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def finished_record(folder: Path, key: str) -> dict[str, Any] | None:
    """The record of a complete render of `key` in `folder`, or None."""
    try:
        record = json.loads((folder / DONE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("key") != key or not (folder / "video.mp4").is_file():
        return None
    return record


def render_task(task: Task, events: EventSink | None = None) -> dict[str, Any]:
    """Render one listing (or reuse its finished render); always returns a summary row."""
    with _name_lock(task.out, task.item.name):
        record = finished_record(task.out / task.item.name, task.key)
        if record is not None:
            return {**record, "status": "cached", "cached": True}
        _clear_stale(task.out, task.item.name)
        return _render(task, events)


def _render(task: Task, events: EventSink | None) -> dict[str, Any]:
    from ad2video.jobs import RenderJob
    from ad2video.pipeline import render_listing

    item, started, t0 = task.item, now_iso(), time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix=f"{item.name}.", dir=_state(task.out, "tmp")))
    log_event(task.out, item.name, "start", task.key)
    try:
        source = item.source or stage_object(item, tmp / "input")
        run_dir = tmp / "run"
        job = RenderJob(source=source, out_dir=run_dir, **task.render)
        manifest = render_listing(job, _Hook(events, item.name)).model_dump(mode="json")
        final = task.out / item.name
        row = ok_row(task, manifest, run_dir, started, time.perf_counter() - t0)
        _fix_manifest(run_dir, final, item)
        write_text(run_dir / DONE_FILE, json.dumps(row, indent=2, sort_keys=True) + "\n")
        _swap_into_place(run_dir, final, tmp)
    except UserError as exc:
        reason = str(exc)
    except Exception as exc:  # a bug in one listing must not stop the batch
        reason = f"internal error: {type(exc).__name__}: {' '.join(str(exc).split())}"
    else:
        log_event(task.out, item.name, "done", task.key)
        return row
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log_event(task.out, item.name, "failed", task.key)
    return failed_row(item, reason, started, time.perf_counter() - t0, task.key)


class _Hook:
    """Forwards stage progress to the batch's event queue (if any)."""

    def __init__(self, events: EventSink | None, name: str) -> None:
        self.events, self.name = events, name

    def start(self, name: str) -> None:
        if self.events is not None:
            with contextlib.suppress(Exception):  # progress is never worth a failed render
                self.events.put(("stage", self.name, name))

    def done(self, name: str, note: str, seconds: float) -> None:
        pass


def ok_row(task: Task, manifest: dict[str, Any], run_dir: Path, started: str,
           wall: float) -> dict[str, Any]:
    video = manifest.get("video") or {}
    stages = {f"{s['name']}_s": s["wall_s"] for s in manifest.get("stages", [])}
    video_file = run_dir / "video.mp4"
    return {
        "name": task.item.name, "origin": task.item.origin, "status": "ok", "reason": "",
        "cached": False, "key": task.key, "listing_id": manifest.get("listing_id", ""),
        "started_at": started, "wall_s": round(wall, 3), "tool_version": __version__,
        "video": f"{task.item.name}/video.mp4",
        "size_bytes": video_file.stat().st_size if video_file.is_file() else 0,
        "duration_s": video.get("duration"), "width": video.get("width"),
        "height": video.get("height"), "fps": video.get("fps"), "frames": video.get("frames"),
        "scenes": video.get("scenes"), "clips": video.get("clips"),
        "warnings": len(manifest.get("warnings", [])),
        "skipped_images": len(manifest.get("skipped_images", [])),
        "cost_usd": manifest_cost(manifest), "sync_score": manifest.get("sync_score"),
        **{f"{s}_s": stages.get(f"{s}_s") for s in STAGES},
    }


def failed_row(item: BatchItem, reason: str, started: str, wall: float,
               key: str = "") -> dict[str, Any]:
    return {"name": item.name, "origin": item.origin, "status": "failed", "reason": reason,
            "cached": False, "key": key, "started_at": started, "wall_s": round(wall, 3)}


def manifest_cost(manifest: dict[str, Any]) -> float | None:
    """Money the listing cost (LLM calls, paid voices); None when a paid call had no price."""
    total = 0.0
    for part in (manifest.get("llm") or {}, manifest.get("tts") or {}, manifest):
        if isinstance(part, dict) and "cost_usd" in part:
            if part["cost_usd"] is None:
                return None
            total += float(part["cost_usd"])
    return round(total, 6)


def _fix_manifest(run_dir: Path, final: Path, item: BatchItem) -> None:
    """The manifest names the folder the render ends up in, not its temporary one."""
    path = run_dir / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["options"]["out_dir"] = str(final.resolve())
    if item.source is None:
        data["options"]["source"] = item.origin
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n")


def _swap_into_place(run_dir: Path, final: Path, tmp: Path) -> None:
    """Rename the finished run onto `final`; an older render there is moved aside first."""
    if final.exists():
        os.replace(final, tmp / "previous")
    os.replace(run_dir, final)


def _state(out: Path, sub: str) -> Path:
    path = out / STATE_DIR / sub
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def _name_lock(out: Path, name: str) -> Iterator[None]:
    with open(_state(out, "locks") / f"{name}.lock", "a+b") as f:
        fcntl.flock(f, fcntl.LOCK_EX)  # released by the kernel if this process dies
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _clear_stale(out: Path, name: str) -> None:
    """Temporary folders a killed run left for this name (we hold its lock: nobody uses them)."""
    for stale in _state(out, "tmp").glob(f"{name}.*"):
        shutil.rmtree(stale, ignore_errors=True)


def log_event(out: Path, name: str, event: str, key: str) -> None:
    """One line appended with a single write (O_APPEND): lines from processes never mix."""
    line = json.dumps({"t": now_iso(), "name": name, "event": event, "key": key[:16],
                       "pid": os.getpid()}) + "\n"
    fd = os.open(_state(out, "") / "events.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT,
                 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)
