"""`ad2video batch`: render a folder of listings (or a listings.jsonl) into one batch folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from ad2video.progress import STAGES

EXIT_SOME_FAILED = 3


class BatchProgress:
    """An overall bar plus one line per running listing; plain lines when not a terminal."""

    def __init__(self, console: Console, quiet: bool = False) -> None:
        self.console, self.quiet = console, quiet
        self.progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
            MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=True,
            disable=quiet or not console.is_terminal)
        self.overall: TaskID | None = None
        self.running: dict[str, TaskID] = {}

    def __enter__(self) -> BatchProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def begin(self, total: int, names: list[str]) -> None:
        self.overall = self.progress.add_task("listings", total=total)

    def event(self, event: tuple[str, ...]) -> None:
        kind, name = event[0], event[1]
        if kind == "start" and name not in self.running:
            self.running[name] = self.progress.add_task(f"  {name}", total=None)
        elif kind == "stage" and name in self.running:
            stage = event[2]
            step = STAGES.index(stage) + 1 if stage in STAGES else 0
            self.progress.update(self.running[name],
                                 description=f"  {name} [{step}/{len(STAGES)}] {stage}")

    def result(self, row: dict[str, Any]) -> None:
        task = self.running.pop(row["name"], None)
        if task is not None:
            self.progress.remove_task(task)
        if self.overall is not None:
            self.progress.advance(self.overall)
        if self.quiet:
            return
        name, status = row["name"], row["status"]
        if status == "ok":
            self.console.print(f"[green]✓[/green] {name}  {row['wall_s']:.1f} s  "
                               f"{row.get('duration_s') or 0:.1f} s video", highlight=False)
        elif status == "cached":
            self.console.print(f"[cyan]=[/cyan] {name}  unchanged, kept", highlight=False)
        else:
            self.console.print(f"[red]✗[/red] {name}: {row['reason']}", highlight=False,
                               markup=True, soft_wrap=True)


def _opt(*names: str, help: str, envvar: str | None = None) -> Any:
    return typer.Option(*names, help=help, envvar=envvar)


MaybeText = str | None


def batch(
    listings: Annotated[Path, typer.Argument(help="A folder of listing folders, or a "
                                             "listings.jsonl (one listing object or path "
                                             "per line; paths relative to the file).")],
    out: Annotated[Path, _opt("-o", "--out", help="Batch folder: one run folder per listing, "
                                                  "summary.csv and summary.json.")],
    jobs: Annotated[int | None, _opt("--jobs", "-j", help="Listings rendered at once "
                                     "\\[default: 1; with Ray, the cluster's CPUs].")] = None,
    executor: Annotated[str, _opt("--executor", help="local (worker processes) or ray.")
                        ] = "local",
    ray_address: Annotated[MaybeText, _opt("--ray-address", help="Ray cluster address, e.g. "
                                           "auto or ray://host:10001 \\[default: a local Ray]."
                                           )] = None,
    format: Annotated[str, _opt("--format", "-f", help="vertical, horizontal or square.")
                      ] = "vertical",
    size: Annotated[MaybeText, _opt("--size", help="Override the size, e.g. 540x960.")] = None,
    locale: Annotated[MaybeText, _opt("--locale", "-l", help="en, es, es-AR or pt-BR "
                                      "\\[default: each listing's language].")] = None,
    music: Annotated[str, _opt("--music", help="calm, upbeat, a file, or none.")] = "calm",
    fps: Annotated[int, _opt("--fps", help="Frames per second.")] = 30,
    max_duration: Annotated[float | None, _opt("--max-duration", help="Longest video, s.")
                            ] = None,
    seed: Annotated[int, _opt("--seed", help="Varies motion and wording.")] = 0,
    captions: Annotated[bool, _opt("--captions/--no-captions", help="Burn captions in.")
                        ] = True,
    transition: Annotated[str, _opt("--transition", help="fade, cut, ...")] = "fade",
    vision: Annotated[str, _opt("--vision", help="heuristic, clip, yolo, clip+yolo or auto.")
                      ] = "heuristic",
    llm: Annotated[MaybeText, _opt("--llm", help="LLM chain for the scripts, e.g. "
                                   "openai:gpt-4o-mini,template.")] = None,
    prompt: Annotated[MaybeText, _opt("--prompt", help="Script prompt id@version or file.")
                      ] = None,
    config: Annotated[MaybeText, _opt("--config", envvar="AD2VIDEO_CONFIG",
                                      help="ad2video.toml to read.")] = None,
    tts: Annotated[str, _opt("--tts", envvar="AD2VIDEO_TTS", help="espeak, piper or openai.")
                   ] = "espeak",
    voice: Annotated[MaybeText, _opt("--voice", help="TTS voice.")] = None,
    rate: Annotated[int | None, _opt("--rate", help="Words per minute.")] = None,
    crf: Annotated[int, _opt("--crf", help="x264 quality.")] = 23,
    preset: Annotated[str, _opt("--preset", help="x264 speed preset.")] = "veryfast",
    ffmpeg: Annotated[MaybeText, _opt("--ffmpeg", envvar="AD2VIDEO_FFMPEG",
                                      help="ffmpeg binary to use.")] = None,
    quiet: Annotated[bool, _opt("--quiet", "-q", help="Print only the summary path.")] = False,
) -> None:
    """Render every listing of LISTINGS into OUT; unchanged listings are not rendered again.

    Exit code 0 when every listing rendered, 3 when some failed (see summary.csv), 2 for bad
    options.

    Examples:

      ad2video batch examples -o out/batch --size 540x960 --jobs 2

      ad2video batch listings.jsonl -o out/batch --executor ray --ray-address auto
    """
    render = {k: v for k, v in locals().items() if k in RENDER_OPTIONS}
    _run(listings, out, render, jobs, executor, ray_address, quiet)


RENDER_OPTIONS = ("format", "size", "locale", "music", "fps", "max_duration", "seed",
                  "captions", "transition", "vision", "llm", "prompt", "config", "tts",
                  "voice", "rate", "crf", "preset", "ffmpeg")


def _run(listings: Path, out: Path, render: dict[str, Any], jobs: int | None, executor: str,
         ray_address: str | None, quiet: bool) -> None:
    from ad2video.batch import BatchOptions, failed_count, run_batch

    options = BatchOptions(out=out, render=render, jobs=jobs, executor=executor,
                           ray_address=ray_address)
    err = Console(stderr=True, highlight=False)
    with BatchProgress(err, quiet) as progress:
        summary = run_batch(listings, options, progress)
    counts = summary["counts"]
    if not quiet:
        err.print(f"{counts['ok']} rendered, {counts['cached']} unchanged, "
                  f"{counts['failed']} failed in {summary['wall_s']:.1f} s", highlight=False)
    typer.echo(str(Path(summary["out"]) / "summary.csv"))
    if failed_count(summary):
        raise typer.Exit(EXIT_SOME_FAILED)


def register(app: typer.Typer) -> None:
    app.command()(batch)
