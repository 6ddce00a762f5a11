"""Command-line interface: a thin typer app over the pipeline."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from ad2video import __version__
from ad2video.cli_options import (
    CaptionColourOpt,
    CaptionHighlightOpt,
    CaptionPositionOpt,
    CaptionSizeOpt,
    CaptionsOpt,
    ClipModelOpt,
    ClipPretrainedOpt,
    ClipWeightsOpt,
    ConfigOpt,
    CrfOpt,
    EncoderOpt,
    FfmpegOpt,
    FormatOpt,
    FpsOpt,
    ListingOpt,
    LlmOpt,
    LocaleOpt,
    LogoOpt,
    LogoPositionOpt,
    MaxDurationOpt,
    MusicOpt,
    OutOpt,
    PresetOpt,
    PromptOpt,
    QualityOpt,
    QuietOpt,
    RateOpt,
    SeedOpt,
    SizeOpt,
    TitleOpt,
    TransitionOpt,
    TtsOpt,
    VisionOpt,
    VisionThresholdOpt,
    VoiceOpt,
    YoloWeightsOpt,
)
from ad2video.errors import UserError

try:  # typer >= 0.20 vendors its own click
    from typer._click import exceptions as click_exc
except ImportError:  # pragma: no cover - older typer uses click itself
    from click import exceptions as click_exc  # type: ignore[no-redef]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    help=(
        "Turn a marketplace listing (photos + facts) into a narrated, captioned short video.\n\n"
        "Quick start:  [bold]ad2video render examples/car-hatchback[/bold]  "
        "(writes out/<listing id>/video.mp4)\n\n"
        "Everything runs offline by default: template script writer, espeak-ng voice, "
        "heuristic photo tagging, bundled ffmpeg."
    ),
)
err = Console(stderr=True, highlight=False)
# Seller text and file names reach messages: control and bidi-override characters would let
# them rewrite the terminal or reorder what the user reads.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """One line that a terminal shows as written: control characters spelled out (\\x1b)."""
    return _UNPRINTABLE.sub(lambda m: ascii(m.group())[1:-1], " ".join(text.split()))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ad2video {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """ad2video command-line tool."""


@app.command()
def render(
    listing: ListingOpt, out: OutOpt = None, format: FormatOpt = "vertical",
    locale: LocaleOpt = None, music: MusicOpt = "calm", title: TitleOpt = None, fps: FpsOpt = 30,
    max_duration: MaxDurationOpt = None, size: SizeOpt = None, seed: SeedOpt = 0,
    captions: CaptionsOpt = True, transition: TransitionOpt = "fade",
    caption_size: CaptionSizeOpt = 0, caption_position: CaptionPositionOpt = "bottom",
    caption_colour: CaptionColourOpt = "#FFFFFF",
    caption_highlight: CaptionHighlightOpt = "#FFD400", logo: LogoOpt = None,
    logo_position: LogoPositionOpt = "top-right", tts: TtsOpt = "espeak", voice: VoiceOpt = None,
    rate: RateOpt = None, ffmpeg: FfmpegOpt = None, encoder: EncoderOpt = "auto",
    quality: QualityOpt = "standard", crf: CrfOpt = None, preset: PresetOpt = None,
    vision: VisionOpt = "heuristic", vision_threshold: VisionThresholdOpt = 0.3,
    clip_model: ClipModelOpt = "ViT-B-32", clip_pretrained: ClipPretrainedOpt = None,
    clip_weights: ClipWeightsOpt = None, yolo_weights: YoloWeightsOpt = None, llm: LlmOpt = None,
    prompt: PromptOpt = None, config: ConfigOpt = None, quiet: QuietOpt = False,
) -> None:
    """Render LISTING into a narrated video.

    Examples:

      ad2video render examples/car-hatchback

      ad2video render examples/home-apartment --format square --locale pt-BR -o out/home

      ad2video render ./photos --title "2019 Peugeot 208" --music none
    """
    # every option but these is a RenderJob field of the same name (taken before any import)
    fields = {k: v for k, v in locals().items() if k not in ("listing", "out", "quiet")}
    from ad2video.jobs import RenderJob
    from ad2video.progress import StageReporter

    job = RenderJob(source=listing, out_dir=out or Path("out") / "_pending", **fields)
    if out is None:
        job = _default_out(job)
    reporter = StageReporter(err, quiet=quiet)
    with reporter:
        from ad2video.pipeline import render_listing

        manifest = render_listing(job, reporter)
    video = job.out_dir / "video.mp4"
    for warning in manifest.warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(printable(warning))}")
    typer.echo(str(video))


def _default_out(job):  # -> RenderJob
    """out/<listing id>, known only after the listing is read."""
    from dataclasses import replace

    from ad2video.listing_io import load_listing

    listing, _ = load_listing(job.source, job.title)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in listing.id)[:80]
    safe = safe.strip(".") or "listing"  # never "." or "..": the run folder stays inside out/
    return replace(job, out_dir=Path("out") / safe)


@app.command()
def schema(
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Write to a file instead of "
                                             "standard output.")] = None,
) -> None:
    """Print the JSON Schema of listing.json."""
    from ad2video.contracts import Listing
    from ad2video.fsutil import write_text

    text = json.dumps(Listing.model_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        write_text(out, text)


@app.command()
def doctor() -> None:
    """Check this machine: ffmpeg and its filters, ffprobe, voices, and which backends can run."""
    from ad2video.doctor import run_doctor

    ok = run_doctor(Console(highlight=False))
    raise typer.Exit(0 if ok else 1)


def _register_commands() -> None:
    from ad2video.commands import register_all

    register_all(app)


_register_commands()


def main() -> None:
    """Entry point: bad input is one line on stderr and exit code 2, never a traceback."""
    try:
        code = app(standalone_mode=False)
    except UserError as exc:
        err.print(f"error: {printable(str(exc))}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        if exc.exit_code == 130:  # typer turns Ctrl-C into Exit(130)
            err.print("error: interrupted", markup=False)
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("error: interrupted", markup=False)
        sys.exit(130)
    except click_exc.NoArgsIsHelpError as exc:
        err.print(exc.ctx.get_help() if exc.ctx else str(exc), markup=False)
        sys.exit(2)
    except click_exc.ClickException as exc:
        hint = f"{exc.ctx.command_path} --help" if getattr(exc, "ctx", None) else "--help"
        message = printable(exc.format_message())
        err.print(f"error: {message} (see {hint})", markup=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("error: interrupted", markup=False)
        sys.exit(130)
    except Exception as exc:  # a bug: still one line unless debugging
        if os.environ.get("AD2VIDEO_DEBUG"):
            raise
        detail = printable(str(exc))
        err.print(f"error: internal error: {type(exc).__name__}: {detail} "
                  "(set AD2VIDEO_DEBUG=1 for a traceback)", markup=False, soft_wrap=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
