"""Batch throughput: videos per minute with 1 and 2 jobs, and the unchanged re-run (cache).

N car listings (4 textured 1600x1200 photos each, distinct facts) rendered with the real
pipeline through `ad2video.batch.run_batch` (worker processes, as `ad2video batch` does).

    python benchmarks/batch_bench.py [--listings 6] [--size 540x960] [--fps 30]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from render_bench import make_photo  # the same textured photos

from ad2video.batch import BatchOptions, run_batch

VIEWS = ("front_3_4", "side", "interior", "rear")
MAKES = (("Peugeot", "208"), ("Fiat", "Cronos"), ("Ford", "Ka"), ("Renault", "Clio"),
         ("Toyota", "Etios"), ("Volkswagen", "Gol"), ("Chevrolet", "Onix"), ("Honda", "Fit"))


def make_listings(root: Path, count: int) -> Path:
    for i in range(count):
        folder = root / f"car-{i:02d}"
        folder.mkdir(parents=True)
        for k, view in enumerate(VIEWS):
            make_photo(folder / f"{view}.jpg", seed=i * 10 + k)
        make, model = MAKES[i % len(MAKES)]
        listing = {
            "id": f"car-{i:02d}", "domain": "car", "language": "en",
            "title": f"{2012 + i} {make} {model}",
            "attributes": {"make": make, "model": model, "year": 2012 + i,
                           "mileage": {"value": 20000 + 7000 * i, "unit": "km"},
                           "fuel": "gasoline", "transmission": "manual", "colour": "white",
                           "features": ["air conditioning"]},
            "images": [{"file": f"{v}.jpg", "view": v} for v in VIEWS],
        }
        (folder / "listing.json").write_text(json.dumps(listing), encoding="utf-8")
    return root


def timed_batch(listings: Path, out: Path, jobs: int, render: dict) -> tuple[float, dict]:
    started = time.perf_counter()
    summary = run_batch(listings, BatchOptions(out=out, render=render, jobs=jobs))
    wall = time.perf_counter() - started
    if summary["counts"]["failed"]:
        raise SystemExit(f"batch failed: {summary['listings']}")
    return wall, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=6)
    parser.add_argument("--size", default="540x960")
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    render = {"size": args.size, "fps": args.fps, "music": "calm"}
    work = args.workdir or Path(tempfile.mkdtemp(prefix="ad2video-batch-bench-"))
    listings = make_listings(work / "listings", args.listings)
    rows = []
    for jobs in (1, 2):
        wall, summary = timed_batch(listings, work / f"out-{jobs}", jobs, render)
        video_s = sum(r["duration_s"] for r in summary["listings"])
        rows.append((f"{jobs} job{'s' if jobs > 1 else ''}", wall, args.listings / wall * 60,
                     video_s / wall))
    wall, summary = timed_batch(listings, work / "out-2", 2, render)
    assert summary["counts"]["cached"] == args.listings, summary["counts"]
    load = os.getloadavg()[0]
    print(f"{args.listings} listings, {args.size} at {args.fps} fps, {os.cpu_count()} CPUs, "
          f"load average {load:.1f} at the end")
    print(f"{'run':<22}{'wall s':>8}{'videos/min':>12}{'video s per s':>15}")
    for name, w, vpm, ratio in rows:
        print(f"{name:<22}{w:>8.1f}{vpm:>12.1f}{ratio:>15.2f}")
    print(f"{'unchanged re-run':<22}{wall:>8.2f}{'(all cached)':>12}")


if __name__ == "__main__":
    main()
