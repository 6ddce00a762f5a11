"""Kill a batch with SIGKILL mid-run, run it again: every video complete, none rendered twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import car_listing, probe, run_cli

ARGS = ["--size", "144x256", "--fps", "10", "--music", "none", "--jobs", "1"]


def _events(out: Path) -> list[dict]:
    path = out / ".batch" / "events.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return False
    return "\nState:\tZ" not in status  # a zombie has finished


def _summary_ok(out: Path) -> bool:
    """The parent has recorded the first finished listing (it writes after the worker's row
    arrives, which may be after the worker already started the next one)."""
    try:
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return summary["counts"]["ok"] == 1


def _kill_when_second_starts(cmd: list[str], out: Path) -> int:
    """Start the batch; SIGKILL it once the first listing is done (and in the summary) and the
    second started.
    Returns the pid of the worker that was rendering the second one."""
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline:
            events = _events(out)
            started = [e for e in events if e["event"] == "start" and e["name"] == "car-1"]
            if any(e["event"] == "done" for e in events) and started and _summary_ok(out):
                return started[0]["pid"]
            assert proc.poll() is None, "the batch ended before it could be killed"
            time.sleep(0.02)
        raise AssertionError("the batch never reached its second listing")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def test_sigkill_mid_batch_then_resume(tmp_path: Path, ffprobe: str) -> None:
    root = tmp_path / "listings"
    for i in range(3):
        car_listing(root / f"car-{i}", id=f"car-{i}")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "ad2video", "batch", str(root), "-o", str(out), *ARGS]
    worker = _kill_when_second_starts(cmd, out)

    # Killed: the finished listing is in place, the half-rendered one only in .batch/tmp.
    assert (out / "car-0" / "batch.json").is_file()
    assert not (out / "car-1").exists() and not (out / "car-2").exists()
    assert any(p.name.startswith("car-1.") for p in (out / ".batch" / "tmp").iterdir())
    partial = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert partial["counts"] == {"ok": 1, "cached": 0, "failed": 0, "pending": 2}
    deadline = time.monotonic() + 10
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(worker), "the worker outlived the killed batch"

    res = run_cli("batch", str(root), "-o", str(out), *ARGS)
    assert res.returncode == 0, res.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    statuses = {r["name"]: r["status"] for r in summary["listings"]}
    assert statuses == {"car-0": "cached", "car-1": "ok", "car-2": "ok"}
    events = _events(out)
    for name in statuses:
        assert [e["event"] for e in events if e["name"] == name].count("done") == 1, name
    assert [e["event"] for e in events if e["name"] == "car-0"] == ["start", "done"]
    for row in summary["listings"]:
        folder = out / row["name"]
        info = probe(ffprobe, folder / "video.mp4")
        assert {s["codec_name"] for s in info["streams"]} == {"h264", "aac"}
        assert abs(float(info["format"]["duration"]) - row["duration_s"]) < 0.2
        assert json.loads((folder / "batch.json").read_text(encoding="utf-8"))["key"] == row["key"]
        assert not list(folder.rglob("*.part*")), "half-written file in place"
    assert list((out / ".batch" / "tmp").iterdir()) == []
