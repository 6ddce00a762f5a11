"""`--executor ray` on a local Ray gives the same outputs as the local executor.

Needs the `ray` extra (pip install -e '.[test,ray]'); skipped without it. A local Ray takes
about 10 s to start.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import car_listing, run_cli

pytest.importorskip("ray")

ARGS = ["--size", "144x256", "--fps", "10", "--music", "none"]
SAME_FILES = ("script.json", "timeline.json", "narration.json", "shots.json", "video.mp4",
              "captions.srt")
TIMING = {"wall_s", "started_at", "ingest_s", "vision_s", "script_s", "narrate_s",
          "timeline_s", "render_s"}


def _rows(out: Path) -> list[dict]:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))["listings"]


def test_ray_executor_matches_local(tmp_path: Path) -> None:
    root = tmp_path / "listings"
    car_listing(root / "car-a", id="car-a")
    car_listing(root / "car-b", id="car-b", title="2020 Fiat Cronos 1.3")
    (root / "empty").mkdir()
    local, rayed = tmp_path / "local", tmp_path / "ray"
    res = run_cli("batch", str(root), "-o", str(local), *ARGS, "--jobs", "2")
    assert res.returncode == 3, res.stderr
    res = run_cli("batch", str(root), "-o", str(rayed), *ARGS, "--executor", "ray",
                  "--jobs", "2", timeout=600)
    assert res.returncode == 3, res.stderr
    for a, b in zip(_rows(local), _rows(rayed), strict=True):
        assert {k: v for k, v in a.items() if k not in TIMING} == \
            {k: v for k, v in b.items() if k not in TIMING}
    for name in ("car-a", "car-b"):
        for file in SAME_FILES:
            assert (local / name / file).read_bytes() == (rayed / name / file).read_bytes(), file
