"""Each clip's picture, cut, prescaled and padded once here, streamed to ffmpeg as ONE raw input.

Why not one `-i` per photo: libavfilter keeps every filter's frame pool until the whole graph
ends, so a decoder, a prescale and a pad per photo held ~15 MB per clip to the end of the
render (memory grew with the number of photos). One shared raw stream, read by ffmpeg only as
fast as the clips need it, holds a few pictures at any time however long the video is.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
from PIL import Image

from ad2video.errors import UserError
from ad2video.render.motionplan import ClipGeometry


@dataclass(frozen=True)
class Picture:
    """One clip's picture: where it comes from and what the graph expects of it."""

    path: str
    geo: ClipGeometry

    @property
    def size(self) -> tuple[int, int]:
        """Prescaled size plus the padding on both sides."""
        mx, my = self.geo.pad
        return self.geo.pre[0] + 2 * mx, self.geo.pre[1] + 2 * my


def canvas_size(pictures: Sequence[Picture]) -> tuple[int, int]:
    """Frame size of the raw stream: every picture fits in its top-left corner."""
    return (max(p.size[0] for p in pictures), max(p.size[1] for p in pictures))


def input_options(canvas: tuple[int, int], fps: int) -> tuple[str, ...]:
    return ("-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{canvas[0]}x{canvas[1]}",
            "-framerate", str(fps))


def load_picture(picture: Picture) -> np.ndarray:
    """RGB pixels (h, w, 3): the clip's region, LANCZOS-scaled, borders smeared outwards."""
    geo = picture.geo
    x, y, w, h = geo.crop
    try:
        with Image.open(picture.path) as img:
            full = img.size
            # JPEG decodes at 1/2, 1/4, 1/8 directly; keep at least twice the target size.
            img.draft("RGB", (max(1, full[0] * geo.pre[0] // (2 * w)),
                              max(1, full[1] * geo.pre[1] // (2 * h))))
            k = img.size[0] / full[0], img.size[1] / full[1]
            rgb = img.convert("RGB")
            pre = rgb.resize(geo.pre, Image.Resampling.LANCZOS,
                             box=(x * k[0], y * k[1], (x + w) * k[0], (y + h) * k[1]))
    except OSError as exc:
        raise UserError(f"cannot read picture {picture.path}: {exc}") from None
    mx, my = geo.pad
    arr = np.asarray(pre)
    if mx or my:  # what swscale does at picture edges: repeat the edge pixels
        arr = np.pad(arr, ((my, my), (mx, mx), (0, 0)), mode="edge")
    return arr


class PictureFeed:
    """Writes the pictures, in clip order, into ffmpeg's stdin from a thread."""

    def __init__(self, pictures: Sequence[Picture], canvas: tuple[int, int]) -> None:
        self.pictures, self.canvas = list(pictures), canvas
        self.cpu_s = 0.0  # CPU time this thread spent (decode, scale, pad, copy)
        self.error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def start(self, stream: IO[bytes]) -> None:
        self._thread = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self._thread.start()

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()
        if self.error is not None:
            raise self.error

    def _run(self, stream: IO[bytes]) -> None:
        started = time.thread_time()
        frame = np.zeros((self.canvas[1], self.canvas[0], 3), np.uint8)
        try:
            for picture in self.pictures:
                arr = load_picture(picture)
                frame[:] = 0
                frame[: arr.shape[0], : arr.shape[1]] = arr
                stream.write(memoryview(frame).cast("B"))
        except (BrokenPipeError, ValueError):
            pass  # ffmpeg stopped reading: its own error explains why
        except BaseException as exc:  # reported by join() in the caller's thread
            self.error = exc
        finally:
            self.cpu_s = time.thread_time() - started
            with contextlib.suppress(OSError):
                stream.close()


def pictures_for(paths: Sequence[str | Path], geos: Sequence[ClipGeometry]) -> list[Picture]:
    return [Picture(str(p), g) for p, g in zip(paths, geos, strict=True)]
