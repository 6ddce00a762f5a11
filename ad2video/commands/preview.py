"""`ad2video preview LISTING --at SECONDS | --contact-sheet`: stills without the video.

Runs every stage before render (ingest, vision, script, narration, timeline: seconds) in a
temporary run folder, then renders only the requested frame(s) with the renderer's own chains.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

Opt = typer.Option


def register(app: typer.Typer) -> None:
    app.command("preview")(preview)


def preview(
    listing: Annotated[Path, typer.Argument(help="Listing folder, listing file, or a bare "
                                            "folder of photos together with --title.")],
    at: Annotated[float | None, Opt("--at", help="Time in the video, seconds.")] = None,
    contact_sheet: Annotated[bool, Opt("--contact-sheet", help="One image with a frame per "
                                       "scene (title card, scenes, end card).")] = False,
    out: Annotated[Path | None, Opt("-o", "--out", help="PNG to write [default: preview.png, "
                                    "or contact-sheet.png].")] = None,
    format: Annotated[str, Opt("--format", "-f", help="vertical, horizontal or square.")
                      ] = "vertical",
    size: Annotated[str | None, Opt("--size", help="Override the format's size, e.g. "
                                    "540x960.")] = None,
    locale: Annotated[str | None, Opt("--locale", "-l", help="en, es, es-AR or pt-BR.")] = None,
    title: Annotated[str | None, Opt("--title", help="Title for a bare folder of photos.")
                     ] = None,
    fps: Annotated[int, Opt("--fps", help="Frames per second.")] = 30,
    max_duration: Annotated[float | None, Opt("--max-duration", help="Longest video, s.")
                            ] = None,
    seed: Annotated[int, Opt("--seed", help="Varies motion, transitions and wording.")] = 0,
    captions: Annotated[bool, Opt("--captions/--no-captions", help="Burn captions.")] = True,
    transition: Annotated[str, Opt("--transition", help="As for render.")] = "fade",
    caption_size: Annotated[int, Opt("--caption-size", help="Pixels; 0 = automatic.")] = 0,
    caption_position: Annotated[str, Opt("--caption-position", help="bottom, middle or top.")
                                ] = "bottom",
    caption_colour: Annotated[str, Opt("--caption-colour", help="#RRGGBB.")] = "#FFFFFF",
    caption_highlight: Annotated[str, Opt("--caption-highlight", help="#RRGGBB.")
                                 ] = "#FFD400",
    logo: Annotated[str | None, Opt("--logo", help="Corner picture (PNG with alpha).")] = None,
    logo_position: Annotated[str, Opt("--logo-position", help="top-left, top-right, "
                                      "bottom-left or bottom-right.")] = "top-right",
    tts: Annotated[str, Opt("--tts", envvar="AD2VIDEO_TTS", help="espeak, piper or openai "
                            "(timings come from the voice).")] = "espeak",
    voice: Annotated[str | None, Opt("--voice", help="TTS voice.")] = None,
    vision: Annotated[str, Opt("--vision", help="heuristic, auto, clip, yolo or clip+yolo.")
                      ] = "heuristic",
    ffmpeg: Annotated[str | None, Opt("--ffmpeg", envvar="AD2VIDEO_FFMPEG",
                                      help="ffmpeg binary to use.")] = None,
) -> None:
    """Write one frame of LISTING's video (--at SECONDS) or a contact sheet, without
    rendering the video.

    Examples:

      ad2video preview examples/car-hatchback --at 4.5 -o frame.png

      ad2video preview examples/car-hatchback --contact-sheet --size 540x960
    """
    from ad2video.errors import UserError
    from ad2video.jobs import RenderJob

    if (at is None) == (not contact_sheet):
        raise UserError("preview needs exactly one of --at SECONDS or --contact-sheet")
    target = out or Path("contact-sheet.png" if contact_sheet else "preview.png")
    with tempfile.TemporaryDirectory(prefix="ad2video-preview-") as run_dir:
        job = RenderJob(
            source=listing, out_dir=Path(run_dir), title=title, format=format, size=size,
            locale=locale, music="none", fps=fps, max_duration=max_duration, seed=seed,
            captions=captions, transition=transition, tts=tts, voice=voice, vision=vision,
            ffmpeg=ffmpeg, caption_size=caption_size, caption_position=caption_position,
            caption_colour=caption_colour, caption_highlight=caption_highlight, logo=logo,
            logo_position=logo_position)
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
