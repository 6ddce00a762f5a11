"""Golden outputs: render a set of listings deterministically and compare with stored results.

    STORE/<listing>/script.json     exact (paths normalised)
    STORE/<listing>/timeline.json   exact (paths normalised)
    STORE/<listing>/golden.json     keyframe perceptual hashes (each scene's midpoint, the title
                                    and end cards) and the integrated loudness

`check` passes when both JSON files are identical, every keyframe's hash is within a small
Hamming distance (x264 and scaling may differ in the last bits across machines), and the
loudness is within a tolerance; otherwise it prints a unified diff and what moved.
"""

from __future__ import annotations

import difflib
import json
import multiprocessing as mp
import os
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ad2video import __version__
from ad2video.errors import UserError
from ad2video.fsutil import write_text

# Small and fast for CI, every feature on: captions, music, transitions, cards.
GOLDEN_RENDER: dict[str, Any] = {"size": "270x480", "fps": 15, "music": "calm", "seed": 0,
                                 "preset": "veryfast", "crf": 28}
MAX_DISTANCE = 8  # of 64 bits; another photo or a moved crop is > 20
LOUDNESS_TOLERANCE = 1.0  # LU
MAX_DIFF_LINES = 60
PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass
class Rendered:
    name: str
    script: str  # normalised JSON text
    timeline: str
    meta: dict[str, Any] = field(default_factory=dict)  # keyframes, loudness


def listing_folders(folder: Path) -> list[Path]:
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"listings folder not found: {folder}")
    found = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")
                   and any((p / n).is_file() for n in ("listing.json", "listing.yaml")))
    if not found:
        raise UserError(f"no listing folders in {folder}")
    return found


def normalise(value: Any, run_dir: Path) -> Any:
    """Absolute paths made machine-independent: <ad2video>/..., run-folder relative, or
    <abs>/NAME."""
    if isinstance(value, dict):
        return {k: normalise(v, run_dir) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v, run_dir) for v in value]
    if isinstance(value, str) and os.path.isabs(value) and "\n" not in value:
        path = Path(value).resolve()
        for root, label in ((run_dir.resolve(), ""), (PACKAGE_DIR, "<ad2video>/")):
            if path.is_relative_to(root):
                return label + path.relative_to(root).as_posix()
        return f"<abs>/{path.name}"
    return value


def _json_text(path: Path, run_dir: Path) -> str:
    data = normalise(json.loads(path.read_text(encoding="utf-8")), run_dir)
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def keyframe_times(timeline: dict[str, Any]) -> list[tuple[str, float]]:
    """(label, time): the middle of each card and of each scene's time on screen."""
    spans: dict[str, tuple[float, float]] = {}
    for i, clip in enumerate(timeline["clips"]):
        label = f"scene {clip['scene']}" if clip.get("scene") is not None else \
            ("title card" if i == 0 else "end card" if i == len(timeline["clips"]) - 1
             else f"clip {i}")
        start, end = spans.get(label, (clip["start"], clip["end"]))
        spans[label] = (min(start, clip["start"]), max(end, clip["end"]))
    return [(label, round((a + b) / 2, 3)) for label, (a, b) in spans.items()]


def render_one(folder: Path, work: Path, times: list[tuple[str, float]] | None = None
               ) -> Rendered:
    """Render `folder` with the golden options; hash keyframes at `times` (default: the
    midpoints of this render's scenes)."""
    from ad2video.evaluate.media import analyse_video, frame_hash
    from ad2video.jobs import RenderJob
    from ad2video.pipeline import render_listing

    run_dir = work / folder.name
    render_listing(RenderJob(source=folder, out_dir=run_dir, **GOLDEN_RENDER))
    timeline = json.loads((run_dir / "timeline.json").read_text(encoding="utf-8"))
    duration = float(timeline["duration"])
    video = run_dir / "video.mp4"
    keyframes = [{"label": label, "t": t,
                  "phash": frame_hash(video, min(t, duration - 0.1))}
                 for label, t in (times or keyframe_times(timeline))]
    sound = analyse_video(video)
    meta = {"tool_version": __version__, "options": GOLDEN_RENDER, "keyframes": keyframes,
            "loudness_lufs": sound["loudness_lufs"], "true_peak_db": sound["true_peak_db"],
            "duration_s": round(duration, 3)}
    return Rendered(folder.name, _json_text(run_dir / "script.json", run_dir),
                    _json_text(run_dir / "timeline.json", run_dir), meta)


def _render_all(jobs: list[tuple[Path, list[tuple[str, float]] | None]], work: Path,
                workers: int) -> Iterator[Rendered]:
    """render_one for each job, `workers` processes at once (espeak-ng is not thread-safe)."""
    if workers <= 1 or len(jobs) <= 1:
        yield from (render_one(folder, work, times) for folder, times in jobs)
        return
    with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=mp.get_context("spawn")) as pool:
        futures = [pool.submit(render_one, folder, work, times) for folder, times in jobs]
        yield from (f.result() for f in futures)


def update(folder: Path, store: Path, workers: int = 2) -> Iterator[str]:
    """Render every listing of `folder` and store its golden files; yields one line each."""
    with tempfile.TemporaryDirectory(prefix="ad2video-golden-") as work:
        jobs = [(listing, None) for listing in listing_folders(folder)]
        for got in _render_all(jobs, Path(work), workers):
            target = store / got.name
            write_text(target / "script.json", got.script)
            write_text(target / "timeline.json", got.timeline)
            write_text(target / "golden.json", json.dumps(got.meta, indent=2) + "\n")
            yield f"updated {target}"


def _diff(name: str, kind: str, old: str, new: str) -> list[str]:
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(),
                                      f"golden/{name}/{kind}", f"rendered/{name}/{kind}",
                                      lineterm="", n=2))
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f"... {len(lines) - MAX_DIFF_LINES} more lines"]
    return [f"{kind} differs:", *lines]


def compare(name: str, stored: Path, got: Rendered, max_distance: int,
            tolerance: float) -> list[str]:
    """Every difference between the stored golden and this render, readable."""
    from ad2video.evaluate.media import hamming

    problems: list[str] = []
    for kind, text in (("script.json", got.script), ("timeline.json", got.timeline)):
        old = (stored / kind).read_text(encoding="utf-8")
        if old != text:
            problems += _diff(name, kind, old, text)
    meta = json.loads((stored / "golden.json").read_text(encoding="utf-8"))
    for old, new in zip(meta["keyframes"], got.meta["keyframes"], strict=True):
        distance = hamming(old["phash"], new["phash"])
        if distance > max_distance:
            problems.append(f"keyframe '{old['label']}' at {old['t']:.2f} s moved: Hamming "
                            f"distance {distance} > {max_distance} "
                            f"(golden {old['phash']}, now {new['phash']})")
    old_lufs, new_lufs = meta["loudness_lufs"], got.meta["loudness_lufs"]
    if old_lufs is None or new_lufs is None or abs(old_lufs - new_lufs) > tolerance:
        problems.append(f"loudness {new_lufs} LUFS, golden {old_lufs} "
                        f"(tolerance {tolerance:g} LU)")
    return problems


def check(folder: Path, store: Path, max_distance: int = MAX_DISTANCE,
          tolerance: float = LOUDNESS_TOLERANCE, workers: int = 2,
          ) -> Iterator[tuple[str, list[str]]]:
    """Yields (listing name, problems) for every listing of `folder`; [] means it matches.
    Keyframes are hashed at the golden's times, so a moved cut shows as a moved frame."""
    jobs = []
    for listing in listing_folders(folder):
        stored = store / listing.name
        if not (stored / "golden.json").is_file():
            yield listing.name, [f"no golden files in {stored} (run `ad2video golden "
                                 f"update {folder} --store {store}`)"]
            continue
        meta = json.loads((stored / "golden.json").read_text(encoding="utf-8"))
        jobs.append((listing, [(k["label"], k["t"]) for k in meta["keyframes"]]))
    with tempfile.TemporaryDirectory(prefix="ad2video-golden-") as work:
        for got in _render_all(jobs, Path(work), workers):
            stored = store / got.name
            yield got.name, compare(got.name, stored, got, max_distance, tolerance)
