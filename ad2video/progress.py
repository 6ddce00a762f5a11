"""Per-stage progress on the terminal (rich): a spinner while a stage runs, a line when done."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

STAGES = ("ingest", "vision", "script", "narrate", "timeline", "render")


class StageReporter:
    """Shows each pipeline stage; plain lines when stderr is not a terminal."""

    def __init__(self, console: Console, quiet: bool = False) -> None:
        self.console = console
        self.quiet = quiet
        self.progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
            console=console, transient=True, disable=quiet or not console.is_terminal,
        )
        self.task: TaskID | None = None

    def __enter__(self) -> StageReporter:
        self.progress.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.progress.stop()

    def start(self, name: str) -> None:
        step = STAGES.index(name) + 1 if name in STAGES else 0
        label = f"[{step}/{len(STAGES)}] {name}"
        if self.task is not None:
            self.progress.remove_task(self.task)
        self.task = self.progress.add_task(label, total=None)

    def done(self, name: str, note: str, seconds: float) -> None:
        if self.task is not None:
            self.progress.remove_task(self.task)
            self.task = None
        if not self.quiet:
            self.console.print(f"[green]✓[/green] {name:<9} {seconds:6.2f} s  {note}",
                               highlight=False, markup=True)
