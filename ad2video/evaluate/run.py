"""`ad2video eval`: measure every video of a run or batch folder, write eval.json + a report.

A run folder has manifest.json; a batch folder has summary.json (its failed listings appear in
the report with their reason) or, failing that, run folders one level down.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ad2video.contracts import IngestResult, Narration, Script, Shots, Timeline
from ad2video.errors import UserError
from ad2video.evaluate import media
from ad2video.evaluate.judge import Judge
from ad2video.evaluate.metrics import caption_coverage, scene_spans, script_metrics, sync_score

LOUDNESS_TOLERANCE_LU = 1.0  # |integrated - target| above this is an issue
PEAK_MARGIN_DB = 0.1  # true peak above target + this is an issue
MIN_CAPTION_COVERAGE = 0.9


@dataclass(frozen=True)
class RunRef:
    name: str
    folder: Path | None  # None: the listing failed in the batch
    reason: str = ""


def find_runs(root: Path) -> list[RunRef]:
    root = Path(root)
    if not root.is_dir():
        raise UserError(f"run folder not found: {root}")
    if (root / "manifest.json").is_file():
        return [RunRef(root.resolve().name, root)]
    summary = root / "summary.json"
    if summary.is_file():
        try:
            rows = json.loads(summary.read_text(encoding="utf-8"))["listings"]
        except (ValueError, KeyError, TypeError):
            raise UserError(f"cannot read {summary}: not a batch summary") from None
        return [RunRef(r["name"], root / r["name"]) if r.get("status") in ("ok", "cached")
                else RunRef(r["name"], None, r.get("reason") or "not rendered (the batch "
                            "was stopped before it)")
                for r in rows]
    runs = [RunRef(p.name, p) for p in sorted(root.iterdir())
            if p.is_dir() and (p / "manifest.json").is_file()]
    if not runs:
        raise UserError(f"no runs in {root} (expected a run folder with manifest.json or a "
                        "batch folder with summary.json)")
    return runs


def _load(folder: Path, name: str, model: Any) -> Any:
    path = folder / name
    try:
        return model.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"cannot read {name}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise UserError(f"{name} is not a valid {model.__name__}: "
                        f"{' '.join(str(exc).split())[:200]}") from None


def evaluate_run(ref: RunRef, ffmpeg: str | None = None,
                 judge: Judge | None = None) -> dict[str, Any]:
    """Every metric of one run folder; an unreadable run is an entry with its reason."""
    if ref.folder is None:
        return {"name": ref.name, "status": "failed", "reason": ref.reason}
    try:
        return _evaluate(ref, ref.folder, ffmpeg, judge)
    except UserError as exc:
        return {"name": ref.name, "folder": str(ref.folder), "status": "error",
                "reason": str(exc)}


def _evaluate(ref: RunRef, folder: Path, ffmpeg: str | None,
              judge: Judge | None) -> dict[str, Any]:
    script = _load(folder, "script.json", Script)
    listing = _load(folder, "ingest.json", IngestResult).listing
    timeline = _load(folder, "timeline.json", Timeline)
    shots = _load(folder, "shots.json", Shots)
    narration = _load(folder, "narration.json", Narration)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    video = folder / "video.mp4"
    if not video.is_file():
        raise UserError("video.mp4 is missing")
    sm = script_metrics(script, listing)
    sync, sync_how = sync_score(manifest, timeline, shots, script, listing.domain.value)
    av = media.analyse_video(video, ffmpeg)
    metrics = {
        "duration_s": av["duration_s"], "loudness_lufs": av["loudness_lufs"],
        "true_peak_db": av["true_peak_db"], "loudness_range_lu": av["loudness_range_lu"],
        "loudness_target_lufs": timeline.loudness_lufs,
        "true_peak_target_db": timeline.true_peak_db,
        "black": av["black"], "frozen": av["frozen"],
        # Captions turned off on purpose are not missing captions.
        "caption_coverage": caption_coverage(timeline, narration)
        if manifest.get("options", {}).get("captions", True) else None,
        "sync_score": sync, "sync_source": sync_how,
        "claims_supported": sm["claims_supported"],
        "claims_unsupported": len(sm["claims_unsupported"]),
        "banned_phrases": len(sm["banned_phrases"]), "price_mentions": len(sm["price_mentions"]),
        "facts_used_share": sm["facts_used_share"],
    }
    spans = scene_spans(timeline)
    for scene in sm["scenes"]:
        scene["start"], scene["end"] = spans.get(scene["index"], (None, None))
    verdict = judge(script, listing) if judge else None
    for scene in sm["scenes"] if verdict else []:
        scene["judge"] = next((v for v in verdict.get("scenes", [])
                               if v.get("scene") == scene["index"]), None)
    result = {
        "name": ref.name, "folder": str(folder), "status": "ok", "listing_id": listing.id,
        "title": listing.title, "locale": script.locale, "video": str(video),
        "poster": str(folder / "poster.jpg") if (folder / "poster.jpg").is_file() else None,
        "metrics": metrics, "script": sm, "judge": verdict,
    }
    result["issues"] = issues(result)
    return result


def issues(run: dict[str, Any]) -> list[str]:
    """What a rater should look at first, one line each."""
    m, sm, out = run["metrics"], run["script"], []
    out += [f"unsupported claim: {c}" for c in sm["claims_unsupported"]]
    out += sm["banned_phrases"] + sm["price_mentions"] + sm["other_flags"]
    lufs, target = m["loudness_lufs"], m["loudness_target_lufs"]
    if lufs is None or abs(lufs - target) > LOUDNESS_TOLERANCE_LU:
        out.append(f"loudness {lufs} LUFS, target {target:g}")
    if m["true_peak_db"] is None or m["true_peak_db"] > m["true_peak_target_db"] + PEAK_MARGIN_DB:
        out.append(f"true peak {m['true_peak_db']} dBTP above {m['true_peak_target_db']:g}")
    out += [f"black picture {a:.2f}-{b:.2f} s" for a, b in m["black"]]
    out += [f"frozen picture from {a:.2f} s" for a, _ in m["frozen"]]
    cov = m["caption_coverage"]
    if cov is not None and cov < MIN_CAPTION_COVERAGE:
        out.append(f"captions cover {cov:.0%} of the speech")
    return out


def evaluate_all(root: Path, ffmpeg: str | None = None, judge: Judge | None = None,
                 jobs: int = 2, on_done: Callable[[dict[str, Any]], None] | None = None,
                 ) -> list[dict[str, Any]]:
    """Every run of `root`, in order (ffmpeg work runs `jobs` at a time)."""
    refs = find_runs(root)

    def one(ref: RunRef) -> dict[str, Any]:
        result = evaluate_run(ref, ffmpeg, judge)
        if on_done:
            on_done(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, refs))
