"""Each clip's picture, cut, prescaled and padded once here, streamed to ffmpeg as ONE raw input.

Why not one `-i` per photo: libavfilter keeps every filter's frame pool until the whole graph
ends, so a decoder, a prescale and a pad per photo held ~10 MB per clip to the end of the
render. Here the pictures share one input, and each is written shortly before its clip starts
(ffmpeg takes in whatever it is given at once), so only a few are in memory at any time.
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
    """Writes the pictures, in clip order, into ffmpeg's stdin from a thread.

    ffmpeg takes every frame it is given into the graph at once, so a picture written early
    sits in memory until its clip ends. Picture i is written only when the output has
    reached `needs[i]` - LOOKAHEAD frames (the encoder's delay is far shorter), or when the
    output has not moved for STALL seconds (then ffmpeg must be waiting for it).
    """

    LOOKAHEAD = 90  # frames (3 s at 30 fps)
    STALL = 2.0  # seconds (x264 alone can take ~1 s before its first frame)

    def __init__(self, pictures: Sequence[Picture], canvas: tuple[int, int],
                 needs: Sequence[int] = ()) -> None:
        self.pictures, self.canvas = list(pictures), canvas
        self.needs = list(needs) or [0] * len(self.pictures)
        self.cpu_s = 0.0  # CPU time the writer spent (decode, scale, pad, copy)
        self.error: BaseException | None = None
        self._frame, self._moved = 0, time.monotonic()
        self._changed = threading.Condition()
        self._threads: list[threading.Thread] = []

    def start(self, stream: IO[bytes], progress: IO[bytes]) -> None:
        self._threads = [threading.Thread(target=self._write, args=(stream,), daemon=True),
                         threading.Thread(target=self._follow, args=(progress,), daemon=True)]
        for thread in self._threads:
            thread.start()

    def join(self) -> None:
        for thread in self._threads:
            thread.join()
        if self.error is not None:
            raise self.error

    def _follow(self, progress: IO[bytes]) -> None:
        for line in progress:
            if line.startswith(b"frame="):
                frame = int(line[6:] or 0)
                with self._changed:
                    # ffmpeg repeats the line every stats period: only a new number is a move
                    if frame != self._frame:
                        self._frame, self._moved = frame, time.monotonic()
                        self._changed.notify_all()
        with self._changed:  # ffmpeg is done: stop waiting
            self._frame = 1 << 62
            self._changed.notify_all()

    def _wait_for(self, frame: int) -> None:
        with self._changed:
            while self._frame < frame and time.monotonic() - self._moved < self.STALL:
                self._changed.wait(self.STALL / 3)
            self._moved = time.monotonic()  # the next picture waits a full STALL again

    def _write(self, stream: IO[bytes]) -> None:
        started = time.thread_time()
        frame = np.zeros((self.canvas[1], self.canvas[0], 3), np.uint8)
        try:
            for picture, need in zip(self.pictures, self.needs, strict=True):
                arr = load_picture(picture)
                self._wait_for(need - self.LOOKAHEAD)
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
