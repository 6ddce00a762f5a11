"""The options of one render job (CLI flags map onto these one to one) and their checks."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ad2video.contracts import LOCALES, CaptionStyle, Logo
from ad2video.errors import UserError
from ad2video.stages.timeline import FORMATS


@dataclass(frozen=True)
class RenderJob:
    source: Path  # listing folder, listing.json/.yaml, or a bare folder of photos
    out_dir: Path  # run folder: every stage's JSON, the video, captions, poster, manifest
    title: str | None = None  # title for a bare folder of photos
    format: str = "vertical"  # vertical 1080x1920, horizontal 1920x1080, square 1080x1080
    size: str | None = None  # WIDTHxHEIGHT override of the format's size (e.g. previews)
    locale: str | None = None  # en, es, es-AR, pt-BR; None = from the listing's language
    music: str = "calm"  # a bundled mood, a file path, or "none"
    fps: int = 30  # frames per second
    max_duration: float | None = None  # drop trailing scenes to stay under this (seconds)
    seed: int = 0  # varies motion and wording choices deterministically
    captions: bool = True  # burn karaoke captions into the video
    transition: str = "fade"  # transition between clips, or "cut"
    vision: str = "heuristic"  # vision backend: heuristic, auto, clip, yolo or clip+yolo
    vision_threshold: float = 0.3  # a model's angle tag less confident than this is 'unknown'
    clip_model: str = "ViT-B-32"  # open_clip architecture for the clip backend
    clip_pretrained: str | None = None  # open_clip weights tag (None: env or laion2b_s34b_b79k)
    clip_weights: str | None = None  # local CLIP checkpoint file (None: $AD2VIDEO_CLIP_WEIGHTS)
    yolo_weights: str | None = None  # YOLO weights file or name (None: env or yolov8n.pt)
    writer: str = "template"  # script writer backend
    llm: str | None = None  # LLM chain for the script, e.g. "openai:gpt-4o-mini,template"
    prompt: str | None = None  # LLM script prompt id@version (default: config's, or script@v2)
    config: str | None = None  # ad2video.toml path (default: ./ad2video.toml, ~/.config/...)
    tts: str = "espeak"  # TTS engine: espeak (offline), piper (offline neural), openai (API)
    voice: str | None = None  # TTS voice override (default: the locale's voice)
    rate: int | None = None  # speaking rate in words per minute
    ffmpeg: str | None = None  # path to an ffmpeg binary (default: bundled imageio-ffmpeg)
    preset: str | None = None  # encoder speed preset; None = the --quality's (x264 veryfast)
    crf: int | None = None  # x264 crf / NVENC cq; None = the --quality's (x264 23)
    encoder: str = "auto"  # auto (NVENC when it works here, else libx264), libx264, h264_nvenc..
    quality: str = "standard"  # draft, standard or high (encoder preset + quality)
    caption_size: int = 0  # caption font size in pixels; 0 = 7% of the frame's shorter side
    caption_position: str = "bottom"  # bottom (above the apps' UI band), middle or top
    caption_colour: str = "#FFFFFF"  # caption text colour, #RRGGBB
    caption_highlight: str = "#FFD400"  # colour of the word being spoken, #RRGGBB
    logo: str | None = None  # picture (PNG alpha honoured) kept in a corner of every frame
    logo_position: str = "top-right"  # top-left, top-right, bottom-left or bottom-right

    def __post_init__(self) -> None:
        check_choice("format", self.format, tuple(FORMATS))
        if self.locale is not None:
            check_choice("locale", self.locale, LOCALES)
        from ad2video.stages.narrate import ENGINES

        check_choice("tts", self.tts, tuple(ENGINES))
        if not 1 <= self.fps <= 120:
            raise UserError(f"--fps must be between 1 and 120 (got {self.fps})")
        if self.max_duration is not None and self.max_duration <= 0:
            raise UserError(f"--max-duration must be positive (got {self.max_duration:g})")
        if self.crf is not None and not 0 <= self.crf <= 51:
            raise UserError(f"--crf must be between 0 and 51 (got {self.crf})")
        self._check_look()

    def _check_look(self) -> None:
        """Transition, caption style, logo and encoder: fail before any stage runs."""
        from ad2video.render.encoders import check_choice as check_encoder
        from ad2video.render.transitions import check_transition

        check_transition(self.transition)
        check_encoder(self.encoder, self.quality)
        check_choice("caption position", self.caption_position, ("bottom", "middle", "top"))
        check_choice("logo position", self.logo_position,
                     ("top-left", "top-right", "bottom-left", "bottom-right"))
        for flag, colour in (("--caption-colour", self.caption_colour),
                             ("--caption-highlight", self.caption_highlight)):
            if not re.fullmatch(r"#[0-9A-Fa-f]{6}", colour):
                raise UserError(f"{flag} must look like #FFD400 (got '{colour}')")
        if self.caption_size and not 8 <= self.caption_size <= 400:
            raise UserError(f"--caption-size must be 0 (automatic) or 8 to 400 pixels "
                            f"(got {self.caption_size})")
        if self.logo is not None:
            check_logo(Path(self.logo).expanduser())

    def render_options(self) -> dict[str, Any]:
        return {"ffmpeg": self.ffmpeg, "preset": self.preset, "crf": self.crf,
                "encoder": self.encoder, "quality": self.quality}

    def caption_style(self) -> CaptionStyle:
        return CaptionStyle(size=self.caption_size, position=self.caption_position,
                            primary_colour=self.caption_colour.upper(),
                            highlight_colour=self.caption_highlight.upper())

    def logo_spec(self) -> Logo | None:
        if self.logo is None:
            return None
        return Logo(path=str(Path(self.logo).expanduser().resolve()),
                    position=self.logo_position)  # type: ignore[arg-type]


def check_logo(path: Path) -> None:
    """The logo must be a picture Pillow can read (PNG with alpha, JPEG, ...)."""
    if not path.is_file():
        raise UserError(f"logo not found: {path}")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.verify()
    except (OSError, UnidentifiedImageError, SyntaxError) as exc:
        raise UserError(f"cannot read logo {path}: {exc}") from None


def check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise UserError(f"unknown {name} '{value}' (choose one of: {', '.join(choices)})")


def resolve_size(fmt: str, size: str | None) -> tuple[int, int]:
    """Output size in pixels: the format's, or an explicit even WIDTHxHEIGHT."""
    if size is None:
        return FORMATS[fmt]
    match = re.fullmatch(r"(\d{2,5})x(\d{2,5})", size.strip().lower())
    if not match:
        raise UserError(f"--size must look like 1080x1920 (got '{size}')")
    width, height = int(match[1]), int(match[2])
    if width % 2 or height % 2 or not (64 <= width <= 4096 and 64 <= height <= 4096):
        raise UserError(f"--size must be even numbers between 64 and 4096 (got '{size}')")
    return width, height


def resolve_music(music: str) -> Path | None:
    """'none' -> no music; a bundled mood name -> its file; else a path that must exist."""
    if music.strip().lower() in ("none", "off", ""):
        return None
    from ad2video.render.music import MOODS, bundled_music

    if music in MOODS:
        return bundled_music(music)
    path = Path(music).expanduser()
    if not path.is_file():
        raise UserError(f"music file not found: {music} (use a file path, one of: "
                        f"{', '.join(MOODS)}, or none)")
    return path.resolve()


def check_output_dir(out_dir: Path) -> Path:
    """Create the run folder and prove it is writable before any work starts."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".write-test-"):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UserError(f"cannot write to output folder {out_dir}: {reason}") from None
    if not os.access(out_dir, os.W_OK):
        raise UserError(f"cannot write to output folder {out_dir}: Permission denied")
    return out_dir.resolve()
