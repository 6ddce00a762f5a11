"""Running one hostile case through the real CLI, and everything its result must satisfy."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ad2video.pii import find_pii
from tests.hostile.build import LEAK_MARKERS, Case

ARGS = ("--size", "144x256", "--fps", "10", "--music", "none", "--transition", "cut")
TIMEOUT_S = 150
MAX_RSS_MB = 700  # largest process (Python with Pillow decoding, espeak, ffmpeg); ~370 seen
MAX_WALL_S = 90
LIMITS = {"images": 40, "shots": 12, "edge": 2560, "narration": 600, "description": 20_000}
SKIP_DIRS = ("out", "cache", "logs", "cwd/out")
# `python -m ad2video` plus a report of peak memory at exit. The kernel's ru_maxrss of a child
# starts at its parent's peak (fork, then exec keeps it), so this harness's own memory would be
# counted; VmHWM after exec is the CLI's own, RUSAGE_CHILDREN covers ffmpeg and espeak.
LAUNCH = """import atexit, os, resource, runpy, sys
def _peak():
    hwm = next(x for x in open('/proc/self/status') if x.startswith('VmHWM')).split()[1]
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(os.environ['HOSTILE_PEAK_FILE'], 'w') as f:
        f.write(f'{hwm} {kids}')
atexit.register(_peak)
sys.argv[0] = 'ad2video'
runpy.run_module('ad2video', run_name='__main__', alter_sys=True)
"""


@dataclass
class Result:
    case: Case
    box: Path
    rc: int
    stdout: str
    stderr: str
    wall_s: float
    max_rss_mb: float
    before: dict[str, tuple[Any, ...]]
    after: dict[str, tuple[Any, ...]]

    @property
    def run_dir(self) -> Path:
        if not self.case.default_out:
            return self.box / "out"
        runs = [p for p in (self.box / "cwd" / "out").glob("*") if p.is_dir()]
        return runs[0] if len(runs) == 1 else self.box / "cwd" / "out" / "?"


def sandbox(root: Path, case: Case) -> tuple[Path, Path]:
    """root/NAME/{listing, outside (secrets a hostile path may reach), home, tmp, cwd, ...}."""
    box = root / case.name
    for sub in ("outside", "home", "tmp", "cwd", "cache", "logs"):
        (box / sub).mkdir(parents=True, exist_ok=True)
    from tests.conftest import make_photo

    make_photo(box / "outside" / "secret.jpg", (10, 10, 10), size=(320, 240))
    (box / "outside" / "secret.txt").write_text("password=hunter2\n", encoding="utf-8")
    return box, case.build(box / "listing")


def snapshot(box: Path) -> dict[str, tuple[Any, ...]]:
    """Every entry under `box` (outputs, the TTS cache and logs excepted): kind, size, mtime."""
    skip = {box / s for s in SKIP_DIRS}
    state: dict[str, tuple[Any, ...]] = {}
    for top, dirs, files in os.walk(box):
        dirs[:] = [d for d in dirs if Path(top, d) not in skip]
        for name in [*dirs, *files]:
            path = Path(top, name)
            st = path.lstat()
            link = os.readlink(path) if path.is_symlink() else None
            if path.is_dir() and not path.is_symlink():  # entries below show any change
                state[str(path.relative_to(box))] = (st.st_mode,)
            else:
                state[str(path.relative_to(box))] = (st.st_mode, st.st_size, st.st_mtime_ns, link)
    return state


def run_case(root: Path, case: Case) -> Result:
    box, target = sandbox(root, case)
    before = snapshot(box)
    out = [] if case.default_out else ["-o", str(box / "out")]
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "HOME": str(box / "home"),
           "TMPDIR": str(box / "tmp"), "AD2VIDEO_CACHE": str(box / "cache"),
           "HOSTILE_PEAK_FILE": str(box / "logs" / "peak")}
    env.pop("AD2VIDEO_DEBUG", None)
    cmd = [sys.executable, "-c", LAUNCH, "render", str(target), *out, *ARGS]
    t0 = time.perf_counter()
    with open(box / "logs" / "stdout", "wb") as so, open(box / "logs" / "stderr", "wb") as se:
        proc = subprocess.Popen(cmd, stdout=so, stderr=se, cwd=box / "cwd", env=env)
        try:
            proc.wait(TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    peak = box / "logs" / "peak"
    peak_kb = max(map(int, peak.read_text().split())) if peak.exists() else 0
    return Result(case, box, proc.returncode,
                  (box / "logs" / "stdout").read_text("utf-8", "replace"),
                  (box / "logs" / "stderr").read_text("utf-8", "replace"),
                  time.perf_counter() - t0, peak_kb / 1024, before, snapshot(box))


# --------------------------------------------------------------------------- checks


def problems(res: Result, ffprobe: str) -> list[str]:
    """Everything wrong with one case's result; [] when it behaved."""
    found = _common(res)
    if res.case.expect == "error":
        return found + _error_problems(res)
    if res.rc != 0:
        return [*found, f"expected a video, got exit {res.rc}: {res.stderr.strip()[-300:]}"]
    try:
        found += _video_problems(res, ffprobe)
    except (OSError, ValueError, KeyError, StopIteration, AssertionError) as exc:
        found.append(f"{type(exc).__name__}: {exc}")
    return found


def _common(res: Result) -> list[str]:
    found = []
    if "Traceback" in res.stderr + res.stdout or "internal error" in res.stderr:
        found.append(f"crashed: {res.stderr.strip()[-400:]}")
    if re.search(r"\w+Warning: ", res.stderr):
        found.append(f"a Python warning reached the user: {res.stderr.strip()[-300:]}")
    changed = sorted(k for k in res.before.keys() | res.after.keys()
                     if res.before.get(k) != res.after.get(k))
    if changed:
        found.append(f"files written or changed outside the output folder: {changed[:5]}")
    if res.max_rss_mb > MAX_RSS_MB:
        found.append(f"peak memory {res.max_rss_mb:.0f} MB > {MAX_RSS_MB} MB")
    if res.wall_s > MAX_WALL_S:
        found.append(f"took {res.wall_s:.0f} s > {MAX_WALL_S} s")
    leftovers = list(res.box.glob("out/**/*.part*"))
    if leftovers:
        found.append(f"half-written files left: {leftovers[:3]}")
    return found


def _error_problems(res: Result) -> list[str]:
    lines = res.stderr.strip().splitlines()
    found = []
    if res.rc != 2:
        found.append(f"expected exit code 2, got {res.rc}")
    if len(lines) != 1 or not lines[0].startswith("error: "):
        found.append(f"expected one 'error:' line, got {lines[:3]}")
    elif res.case.error not in lines[0]:
        found.append(f"error line lacks {res.case.error!r}: {lines[0][:300]}")
    if lines and re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]", lines[0]):
        found.append("control characters in the error line")
    if (res.run_dir / "video.mp4").exists():
        found.append("a video was written despite the error")
    return found


def _video_problems(res: Result, ffprobe: str) -> list[str]:
    run, case = res.run_dir, res.case
    found = []
    if (res.box / "cwd" / res.stdout.strip()).resolve() != (run / "video.mp4").resolve():
        found.append(f"stdout is not the video path: {res.stdout.strip()[:200]}")
    found += _probe(ffprobe, run / "video.mp4")
    manifest = _load(run / "manifest.json")
    reasons = [f"{s['source']}: {s['reason']}" for s in manifest["skipped_images"]]
    found += [f"no photo skipped with {want!r} (got {sorted(set(reasons))})"
              for want in case.skipped if not any(want in r for r in reasons)]
    found += [f"no warning mentioning {w!r}" for w in case.warnings if w not in res.stderr]
    found += _limits(run)
    found += _srt_problems((run / "captions.srt").read_text(encoding="utf-8"))
    found += _leaks(run, res.box / "cache")
    if case.check:
        case.check(run)
    return found


def _probe(ffprobe: str, video: Path) -> list[str]:
    out = subprocess.run([ffprobe, "-v", "error", "-show_streams", "-show_format", "-of",
                          "json", str(video)], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return [f"ffprobe rejects the video: {out.stderr.strip()[:200]}"]
    info = json.loads(out.stdout)
    kinds = {s["codec_type"]: s for s in info["streams"]}
    if "audio" not in kinds or "video" not in kinds:
        return [f"streams: {sorted(kinds)}"]
    v = kinds["video"]
    if (v["codec_name"], v["width"], v["height"]) != ("h264", 144, 256):
        return [f"video stream: {v['codec_name']} {v['width']}x{v['height']}"]
    if float(info["format"]["duration"]) < 3:
        return [f"video is {info['format']['duration']} s long"]
    return []


def _srt_problems(srt: str) -> list[str]:
    """Each SubRip cue is a number, one timing line and text that cannot pass for timing."""
    for block in srt.strip().split("\n\n"):
        lines = block.splitlines()
        if len(lines) < 3 or not lines[0].isdigit() or "-->" not in lines[1] or any(
                "-->" in line for line in lines[2:]):
            return [f"broken SubRip cue: {block[:120]!r}"]
    return []


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _limits(run: Path) -> list[str]:
    ing, shots, script = _load(run / "ingest.json"), _load(run / "shots.json"), _load(
        run / "script.json")
    timeline = _load(run / "timeline.json")
    photos = {c["image_index"] for c in timeline["clips"] if c["kind"] == "photo"}
    checks = {
        "prepared photos": (len(ing["images"]), LIMITS["images"]),
        "storyboard": (len(shots["storyboard"]), LIMITS["shots"]),
        "photos on screen": (len(photos), LIMITS["shots"]),
        "longest photo edge": (max(max(i["width"], i["height"]) for i in ing["images"]),
                               LIMITS["edge"]),
        "longest narration": (max(len(s["narration"]) for s in script["scenes"]),
                              LIMITS["narration"]),
        "description": (len(ing["listing"]["description"]), LIMITS["description"]),
    }
    return [f"{what}: {n} > {limit}" for what, (n, limit) in checks.items() if n > limit]


def said_and_shown(run: Path, cache: Path) -> dict[str, str]:
    """Every text of the video: script (cards, narration, on-screen text), captions, warnings,
    and the transcript: the exact text the TTS engine was given (the synthesis cache records
    it), since speech recognition of the audio is not available offline."""
    texts = {"script.json": " | ".join(_strings(_load(run / "script.json"))),
             "narration words": " ".join(w["text"] for s in _load(run / "narration.json")["scenes"]
                                         for w in s["words"]),
             "timeline captions": " | ".join(c["text"] for c in _load(run / "timeline.json")
                                             ["captions"]),
             "manifest warnings": " | ".join(_load(run / "manifest.json")["warnings"])}
    for name in ("captions.srt", "captions.vtt"):  # cue text only: no numbers, no timings
        lines = (run / name).read_text(encoding="utf-8").splitlines()
        texts[name] = " | ".join(line for line in lines if line.strip() and "-->" not in line
                                 and not line.strip().isdigit() and line.strip() != "WEBVTT")
    ass = (run / "captions.ass").read_text(encoding="utf-8")
    texts["captions.ass"] = " ".join(re.sub(r"\{[^}]*\}", "", line.split(",", 9)[-1])
                                     for line in ass.splitlines() if line.startswith("Dialogue:"))
    spoken = [_load(p)["text"] for p in sorted(cache.rglob("*.json"))]
    texts["transcript"] = " | ".join(spoken)
    return texts


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _leaks(run: Path, cache: Path) -> list[str]:
    texts = said_and_shown(run, cache)
    if not texts["transcript"].strip():
        return ["no transcript recorded (the TTS cache is empty)"]
    found = []
    for where, text in texts.items():
        if find_pii(text):
            found.append(f"contact details in {where}: {find_pii(text)[:3]}")
        flat = re.sub(r"[\s\-()+]", "", text.lower())
        found += [f"planted detail {m!r} in {where}" for m in LEAK_MARKERS if m in flat]
    return found
