"""Preview stills: one frame of the video, or a contact sheet with a frame per scene (PNG)."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ad2video.contracts import Timeline
from ad2video.errors import UserError
from ad2video.fsutil import atomic_path, write_text
from ad2video.render import captions as cap
from ad2video.render import ffmpeg as ff
from ad2video.render.pictures import PictureFeed, canvas_size
from ad2video.render.stillframe import frame_graph, scene_moments
from ad2video.stages.render import RenderOptions, check_ffmpeg, sources_for

SHEET_TILE_WIDTH = 360  # pixels per contact-sheet tile (frames are scaled down to this)
SHEET_COLUMNS = 4


def frame_at(timeline: Timeline, seconds: float) -> int:
    """The frame shown at `seconds`; one-line error outside the video."""
    if not 0 <= seconds <= timeline.duration:
        raise UserError(f"--at {seconds:g} is outside the video (0 to {timeline.duration:.2f} s)")
    last = round(timeline.duration * timeline.fps) - 1
    return min(math.floor(seconds * timeline.fps + 1e-6), last)


def render_frame(timeline: Timeline, run_dir: Path, frame: int, out: Path,
                 options: RenderOptions | None = None) -> Path:
    """Write frame `frame` of the video as a PNG at the output size (one small ffmpeg run)."""
    options = options or RenderOptions()
    check_ffmpeg(timeline, options)
    with tempfile.TemporaryDirectory(prefix="ad2video-still-") as tmp:
        ass = None
        if timeline.captions:
            ass = Path(tmp) / "captions.ass"
            write_text(ass, cap.ass_text(timeline))
        plan = frame_graph(timeline, sources_for(timeline, run_dir, ass), frame)
        graph = Path(tmp) / "still.txt"
        write_text(graph, plan.graph)
        feed = PictureFeed(plan.pictures, canvas_size(plan.pictures))
        with atomic_path(out) as tmp_png:
            ff.run_ffmpeg(["-y", *plan.input_args(), *ff.filter_script_args(graph, options.ffmpeg),
                           "-map", plan.video_label, "-frames:v", "1", "-update", "1",
                           "-f", "image2", "-c:v", "png", str(tmp_png)], options.ffmpeg,
                          feed=feed)
    return out


def render_contact_sheet(timeline: Timeline, run_dir: Path, out: Path,
                         options: RenderOptions | None = None) -> Path:
    """One PNG: a labelled frame per scene (title card, each scene, end card), in a grid."""
    moments = scene_moments(timeline)
    tile_w = min(SHEET_TILE_WIDTH, timeline.width)
    tile_h = round(timeline.height * tile_w / timeline.width)
    label_h = max(16, tile_w // 12)
    cols = min(SHEET_COLUMNS, len(moments))
    rows = math.ceil(len(moments) / cols)
    sheet = Image.new("RGB", (cols * tile_w, rows * (tile_h + label_h)), (24, 24, 28))
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.truetype(str(cap.FONTS_DIR / "Lato-Bold.ttf"), round(label_h * 0.7))
    with tempfile.TemporaryDirectory(prefix="ad2video-sheet-") as tmp:
        for k, (label, frame) in enumerate(moments):
            png = render_frame(timeline, run_dir, frame, Path(tmp) / f"{k}.png", options)
            with Image.open(png) as img:
                tile = img.convert("RGB").resize((tile_w, tile_h), Image.Resampling.LANCZOS)
            x, y = (k % cols) * tile_w, (k // cols) * (tile_h + label_h)
            sheet.paste(tile, (x, y + label_h))
            stamp = f"{label} · {frame / timeline.fps:.1f} s"
            draw.text((x + label_h // 3, y + label_h // 6), stamp, font=font,
                      fill=(235, 235, 235))
    with atomic_path(out) as tmp_png:
        sheet.save(tmp_png, format="PNG")
    return out
