"""Batch: render many listings into one folder, resumably, with a summary.

    OUT/<name>/            one finished run folder per listing (video.mp4, manifest.json, ...)
    OUT/<name>/batch.json  its summary row, with the content key that makes it reusable
    OUT/summary.json|csv   one row per listing: status, reason, durations, cost, metrics
    OUT/.batch/            locks, temporary run folders, events.jsonl

A listing whose inputs and options are unchanged is not rendered again (status "cached"); a
listing that fails is recorded with a one-line reason and the others go on. The summary is
rewritten (atomically) after every listing, so a killed batch still leaves a valid one.
"""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ad2video import __version__
from ad2video.batch_inputs import BatchItem, content_key, discover
from ad2video.batch_worker import Task, failed_row, finished_record, now_iso
from ad2video.errors import UserError
from ad2video.fsutil import sha256_file, write_text

EXECUTORS = ("local", "ray")
FILE_OPTIONS = ("music", "ffmpeg", "config", "prompt")  # render options that may name a file
CSV_COLUMNS = (
    "name", "status", "reason", "listing_id", "cached", "wall_s", "started_at", "duration_s",
    "width", "height", "fps", "frames", "scenes", "clips", "size_bytes", "warnings",
    "skipped_images", "cost_usd", "sync_score", "ingest_s", "vision_s", "script_s",
    "narrate_s", "timeline_s", "render_s", "video", "origin", "key",
)


@dataclass(frozen=True)
class BatchOptions:
    out: Path  # the batch folder
    render: dict[str, Any] = field(default_factory=dict)  # RenderJob fields but source/out_dir
    jobs: int | None = None  # renders at once; None: 1 locally, the cluster's CPUs on Ray
    executor: str = "local"  # local (worker processes) or ray
    ray_address: str | None = None  # a Ray cluster; None starts a local Ray


class BatchReporter(Protocol):
    """What the CLI shows; the batch itself never prints."""

    def begin(self, total: int, names: list[str]) -> None: ...

    def event(self, event: tuple[str, ...]) -> None: ...

    def result(self, row: dict[str, Any]) -> None: ...


def run_batch(source: Path, options: BatchOptions,
              reporter: BatchReporter | None = None) -> dict[str, Any]:
    """Render every listing of `source` into options.out; returns the summary."""
    from ad2video.jobs import check_output_dir

    if options.executor not in EXECUTORS:
        raise UserError(f"unknown executor '{options.executor}' "
                        f"(choose one of: {', '.join(EXECUTORS)})")
    if options.jobs is not None and options.jobs < 1:
        raise UserError(f"--jobs must be at least 1 (got {options.jobs})")
    render = checked_render_options(options.render)
    out = check_output_dir(options.out)
    # The batch folder may sit inside the listings folder: it is not a listing.
    items = [i for i in discover(Path(source).resolve())
             if i.source is None or not i.source.resolve().is_relative_to(out)]
    if not items:
        raise UserError(f"no listings in {source}")
    key_options = _key_options(render)
    state = _State(out, source, options, render, [i.name for i in items])
    tasks = []
    for item in items:
        row, task = _plan(item, out, render, key_options)
        if row is not None:
            state.rows[item.name] = row
        if task is not None:
            tasks.append(task)
    if reporter:
        reporter.begin(len(items), state.names)
        for row in state.rows.values():
            reporter.result(row)
    state.write()
    _execute(tasks, options, state, reporter)
    return state.write(finished=True)


def _plan(item: BatchItem, out: Path, render: dict[str, Any],
          key_options: dict[str, Any]) -> tuple[dict[str, Any] | None, Task | None]:
    """A row now (bad item, or finished before), or a task to run."""
    if item.error is not None:
        return failed_row(item, item.error, now_iso(), 0.0), None
    key = content_key(item, key_options, __version__)
    record = finished_record(out / item.name, key)
    if record is not None:
        return {**record, "status": "cached", "cached": True}, None
    return None, Task(item=item, key=key, out=out, render=render)


def _execute(tasks: list[Task], options: BatchOptions, state: _State,
             reporter: BatchReporter | None) -> None:
    from ad2video.batch_exec import run_local, run_ray

    def on_event(event: tuple[str, ...]) -> None:
        if reporter:
            reporter.event(event)

    def on_result(row: dict[str, Any]) -> None:
        state.rows[row["name"]] = row
        state.write()
        if reporter:
            reporter.result(row)

    if options.executor == "ray":
        run_ray(tasks, options.jobs, options.ray_address, on_event, on_result)
    else:
        run_local(tasks, options.jobs or 1, on_event, on_result)


def checked_render_options(render: dict[str, Any]) -> dict[str, Any]:
    """Refuse bad options before any listing starts; make paths absolute for the workers."""
    from ad2video.jobs import RenderJob, resolve_music, resolve_size

    job = RenderJob(source=Path("."), out_dir=Path("."), **render)
    resolve_size(job.format, job.size)
    music = resolve_music(job.music)
    out = dict(render)
    if music is not None and job.music not in _moods():
        out["music"] = str(music)
    for key in FILE_OPTIONS:  # workers may run elsewhere (another cwd, another node)
        value = out.get(key)
        if key != "music" and isinstance(value, str) and Path(value).expanduser().is_file():
            out[key] = str(Path(value).expanduser().resolve())
    return out


def _moods() -> tuple[str, ...]:
    from ad2video.render.music import MOODS

    return tuple(MOODS)


def _key_options(render: dict[str, Any]) -> dict[str, Any]:
    """The options as they enter the content key: files (music, LLM config, prompt) by their
    bytes, not their paths, so an edited config renders again."""
    key = dict(render)
    for name in FILE_OPTIONS:
        value = key.get(name)
        if name == "ffmpeg" or (name == "music" and value in _moods()):
            continue
        if isinstance(value, str) and Path(value).is_file():
            key[name] = "sha256:" + sha256_file(Path(value))
    return key


class _State:
    """Rows so far, written as summary.json + summary.csv after each change."""

    def __init__(self, out: Path, source: Path, options: BatchOptions, render: dict[str, Any],
                 names: list[str]) -> None:
        self.out, self.names = out, names
        self.rows: dict[str, dict[str, Any]] = {}
        self.t0 = time.perf_counter()
        self.head = {
            "tool": "ad2video", "tool_version": __version__, "source": str(Path(source).resolve()),
            "out": str(out), "executor": options.executor, "jobs": options.jobs,
            "options": render, "started_at": now_iso(),
        }

    def write(self, finished: bool = False) -> dict[str, Any]:
        rows = [self.rows.get(n) or {"name": n, "status": "pending"} for n in self.names]
        counts = {s: sum(r["status"] == s for r in rows)
                  for s in ("ok", "cached", "failed", "pending")}
        summary = {**self.head, "finished_at": now_iso() if finished else None,
                   "wall_s": round(time.perf_counter() - self.t0, 3), "counts": counts,
                   "listings": rows}
        write_text(self.out / "summary.json",
                   json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        write_text(self.out / "summary.csv", summary_csv(rows))
        return summary


def summary_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in CSV_COLUMNS})
    return buf.getvalue()


def failed_count(summary: dict[str, Any]) -> int:
    return sum(r["status"] == "failed" for r in summary["listings"])
