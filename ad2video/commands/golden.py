"""`ad2video golden update|check DIR`: golden outputs for CI."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

golden_app = typer.Typer(no_args_is_help=True, help="Golden outputs: render a set of listings "
                         "deterministically and store (update) or compare (check) the results.")

StoreOption = Annotated[Path | None, typer.Option(
    "--store", help="Where the golden files live \\[default: tests/golden/<DIR name>].")]
DirArgument = Annotated[Path, typer.Argument(help="A folder of listing folders, e.g. examples.")]


def _store(folder: Path, store: Path | None) -> Path:
    return store if store is not None else Path("tests") / "golden" / folder.resolve().name


@golden_app.command("update")
def update_command(folder: DirArgument, store: StoreOption = None) -> None:
    """Render every listing of DIR and (over)write its golden files."""
    from ad2video.golden import update

    for line in update(folder, _store(folder, store)):
        typer.echo(line)


@golden_app.command("check")
def check_command(
    folder: DirArgument,
    store: StoreOption = None,
    max_distance: Annotated[int, typer.Option("--max-distance", help="Largest Hamming distance "
                                              "(of 64 bits) between keyframe hashes.")] = 8,
    loudness_tolerance: Annotated[float, typer.Option("--loudness-tolerance", help="Largest "
                                                      "loudness change, LU.")] = 1.0,
) -> None:
    """Render every listing of DIR and compare with its golden files; exit 1 on a difference.

    script.json and timeline.json must match exactly; each scene's keyframe by perceptual hash
    and the loudness within tolerances. After an intended change: `ad2video golden update DIR`.
    """
    from ad2video.golden import check

    started = time.perf_counter()
    store = _store(folder, store)
    failed = 0
    for name, problems in check(folder, store, max_distance, loudness_tolerance):
        typer.echo(f"{'ok  ' if not problems else 'FAIL'}  {name}")
        for line in problems:
            typer.echo(f"      {line}")
        failed += bool(problems)
    typer.echo(f"golden check: {failed} failed ({time.perf_counter() - started:.1f} s); "
               f"store {store}")
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(golden_app, name="golden")
