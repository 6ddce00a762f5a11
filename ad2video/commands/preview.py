"""`ad2video preview LISTING --at SECONDS | --contact-sheet`: stills without the video.

Runs every stage before render (ingest, vision, script, narration, timeline: seconds) in a
temporary run folder, then renders only the requested frame(s) with the renderer's own chains.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from ad2video.cli_options import (
    CaptionColourOpt,
    CaptionHighlightOpt,
    CaptionPositionOpt,
    CaptionSizeOpt,
    CaptionsOpt,
    FfmpegOpt,
    FormatOpt,
    FpsOpt,
    ListingOpt,
    LocaleOpt,
    LogoOpt,
    LogoPositionOpt,
    MaxDurationOpt,
    SeedOpt,
    SizeOpt,
    TitleOpt,
    TransitionOpt,
    TtsOpt,
    VisionOpt,
    VoiceOpt,
)

AtOpt = Annotated[float | None, typer.Option("--at", help="Time in the video, seconds.")]
ContactSheetOpt = Annotated[bool, typer.Option(
    "--contact-sheet", help="One image with a frame per scene (title card, scenes, end card).")]
PreviewOutOpt = Annotated[Path | None, typer.Option(
    "-o", "--out", help="PNG to write [default: preview.png, or contact-sheet.png].")]


def register(app: typer.Typer) -> None:
    app.command("preview")(preview)


def preview(
    listing: ListingOpt, at: AtOpt = None, contact_sheet: ContactSheetOpt = False,
    out: PreviewOutOpt = None, format: FormatOpt = "vertical", size: SizeOpt = None,
    locale: LocaleOpt = None, title: TitleOpt = None, fps: FpsOpt = 30,
    max_duration: MaxDurationOpt = None, seed: SeedOpt = 0, captions: CaptionsOpt = True,
    transition: TransitionOpt = "fade", caption_size: CaptionSizeOpt = 0,
    caption_position: CaptionPositionOpt = "bottom", caption_colour: CaptionColourOpt = "#FFFFFF",
    caption_highlight: CaptionHighlightOpt = "#FFD400", logo: LogoOpt = None,
    logo_position: LogoPositionOpt = "top-right", tts: TtsOpt = "espeak", voice: VoiceOpt = None,
    vision: VisionOpt = "heuristic", ffmpeg: FfmpegOpt = None,
) -> None:
    """Write one frame of LISTING's video (--at SECONDS) or a contact sheet, without
    rendering the video.

    Examples:

      ad2video preview examples/car-hatchback --at 4.5 -o frame.png

      ad2video preview examples/car-hatchback --contact-sheet --size 540x960
    """
    # the look and stage options are RenderJob fields of the same name (before any import)
    fields = {k: v for k, v in locals().items()
              if k not in ("listing", "at", "contact_sheet", "out")}
    from ad2video.errors import UserError
    from ad2video.jobs import RenderJob

    if (at is None) == (not contact_sheet):
        raise UserError("preview needs exactly one of --at SECONDS or --contact-sheet")
    target = out or Path("contact-sheet.png" if contact_sheet else "preview.png")
    with tempfile.TemporaryDirectory(prefix="ad2video-preview-") as run_dir:
        job = RenderJob(source=listing, out_dir=Path(run_dir), music="none", **fields)
        _write(job, at, target)
    typer.echo(str(target))


def _write(job, at: float | None, target: Path) -> None:  # job: RenderJob
    from ad2video.pipeline import plan_listing
    from ad2video.render.preview import frame_at, render_contact_sheet, render_frame
    from ad2video.stages.render import RenderOptions

    timeline = plan_listing(job)
    options = RenderOptions(ffmpeg=Path(job.ffmpeg) if job.ffmpeg else None)
    if at is None:
        render_contact_sheet(timeline, job.out_dir, target, options)
    else:
        render_frame(timeline, job.out_dir, frame_at(timeline, at), target, options)
