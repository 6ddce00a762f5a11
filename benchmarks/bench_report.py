"""Printing the renderer benchmark's figures (one table per question)."""

from __future__ import annotations

import os
import statistics

from ad2video.render import ffmpeg as ff


def _median(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def report(figures: dict, size: tuple[int, int], runs: int, load: list[float]) -> None:
    rows = figures["rows"]
    wall, cpu = _median(rows, "wall"), _median(rows, "cpu")
    floor, floor_cpu = _median(rows, "floor_wall"), _median(rows, "floor_cpu")
    print(f"\n{size[0]}x{size[1]}, 30 s, 8 photos; median of {runs} run(s); ffmpeg "
          f"{ff.ffmpeg_version()}; {os.cpu_count()} CPUs, 1-min load average "
          f"{min(load):.1f}-{max(load):.1f} during the run (other jobs share this machine: "
          "read ratios, not seconds)")
    print(f"{'':<38}{'wall s':>8}{'x floor':>9}{'CPU s':>8}{'x floor':>9}{'peak RSS':>10}"
          f"{'MB':>6}")
    print(f"{'encode floor (same frames, raw yuv)':<38}{floor:>8.1f}{1:>9.2f}{floor_cpu:>8.1f}"
          f"{1:>9.2f}{_median(rows, 'floor_rss'):>7.0f} MB{_median(rows, 'floor_mb'):>6.1f}")
    print(f"{'ours: render stage, all of it':<38}{wall:>8.1f}"
          f"{statistics.median(r['wall'] / r['floor_wall'] for r in rows):>9.2f}{cpu:>8.1f}"
          f"{statistics.median(r['cpu'] / r['floor_cpu'] for r in rows):>9.2f}"
          f"{_median(rows, 'rss'):>7.0f} MB{_median(rows, 'mb'):>6.1f}")
    print(f"{'  its one-graph ffmpeg run (+pictures)':<38}{_median(rows, 'main_wall'):>8.1f}"
          f"{_median(rows, 'main_wall') / floor:>9.2f}{_median(rows, 'main_cpu'):>8.1f}"
          f"{_median(rows, 'main_cpu') / floor_cpu:>9.2f}")
    _moviepy(figures.get("slice"))
    _memory(rows, figures["long"], figures.get("stretched"))
    _smoothness(figures["smooth"], figures["error"])


def _moviepy(piece: dict | None) -> None:
    if piece is None:
        return
    mp, mine, seconds = piece["moviepy"], piece["ours"], piece["seconds"]
    if mp is None:
        print("\nmoviepy: not installed (pip install 'ad2video[bench]'), skipped")
        return
    scale = 30 / seconds
    print(f"\nmoviepy 2.x vs ours on the same {seconds:g} s slice of the job (moviepy is run "
          f"once, on the slice only; x{scale:g} estimates 30 s):")
    print(f"  moviepy {mp['wall']:.1f} s wall, {mp['cpu']:.1f} CPU s, peak RSS "
          f"{mp['rss']:.0f} MB (~{mp['wall'] * scale:.0f} s for 30 s)")
    print(f"  ours    {mine['wall']:.1f} s wall, {mine['cpu']:.1f} CPU s")
    print(f"  moviepy / ours: {mp['wall'] / mine['wall']:.1f}x wall, "
          f"{mp['cpu'] / mine['cpu']:.1f}x CPU")


def _memory(rows: list[dict], long: dict, stretched: dict | None) -> None:
    short = _median(rows, "rss")
    print(f"\npeak RSS of the render's ffmpeg: 30 s job (8 photos) {short:.0f} MB; 120 s job "
          f"(32 photos) {long['rss']:.0f} MB ({(long['rss'] / short - 1) * 100:+.0f}%, "
          f"{long['wall']:.1f} s wall, {long['cpu']:.1f} CPU s)")
    if stretched is not None:
        print(f"  120 s with the same 8 photos (4x longer each): {stretched['rss']:.0f} MB "
              f"({(stretched['rss'] / short - 1) * 100:+.0f}%)")


def _smoothness(table: dict[str, dict[str, float]], error: tuple[float, float]) -> None:
    print("\nmotion smoothness: std of the 2nd difference of the per-frame displacement "
          "(phase correlation, centre 512x512), px/frame^2 (lower is smoother):")
    print(f"  {'motion':<8}{'ours':>8}{'zoompan':>10}{'sub-pixel reference':>22}"
          f"{'(8-bit frames)':>16}")
    for name, row in table.items():
        print(f"  {name:<8}{row['ours']:>8.3f}{row['zoompan']:>10.3f}{row['reference']:>22.3f}"
              f"{row['reference_8bit']:>16.3f}")
    print(f"  ours vs the ideal float window (plan mirror, all frames of the 30 s job): RMS "
          f"{error[0]:.2f} px, max {error[1]:.2f} px over the frame")
