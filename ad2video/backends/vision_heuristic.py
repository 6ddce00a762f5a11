"""Offline vision: tags from hints, captions and file names; quality and duplicates with numpy.

Evidence, strongest first: the listing's view hint (0.95), the caption (0.8), the file name
(0.7); for cars the first photo is taken as the front three-quarter hero (0.3) when nothing
else claims that angle. Everything else is 'unknown'.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np
from PIL import Image

from ad2video.contracts import Domain, PreparedImage, Quality, Shot
from ad2video.taxonomy import UNKNOWN, match_angle

HINT, CAPTION, FILENAME, ORDER = 0.95, 0.8, 0.7, 0.3
ANALYSIS_EDGE = 512  # quality is measured on a copy this big, so it does not depend on size
DUPLICATE_BITS = 5  # dHash Hamming distance (of 64) up to which two photos are the same shot
# dHash sees only light and shade: two photos of one layout in different colours (the same car
# in red and in blue) are not duplicates. Mean channel difference of 4x4 thumbnails, 0..255.
DUPLICATE_COLOUR = 20.0


@dataclass(frozen=True)
class Measure:
    quality: Quality
    dhash: int
    colour: np.ndarray  # 4x4 RGB thumbnail, float

    def same_shot(self, other: Measure) -> bool:
        if (self.dhash ^ other.dhash).bit_count() > DUPLICATE_BITS:
            return False
        return float(np.abs(self.colour - other.colour).mean()) <= DUPLICATE_COLOUR


class HeuristicVision:
    """Tags photos without a model: no network, no weights, deterministic."""

    name = "heuristic"

    def tag(self, images: list[PreparedImage], domain: Domain | str, run_dir: Path) -> list[Shot]:
        domain = Domain(domain)
        measures = [measure(run_dir / img.path) for img in images]
        shots = [
            self._tag_one(img, domain, m.quality)
            for img, m in zip(images, measures, strict=True)
        ]
        _order_hero(shots, domain)
        duplicate_of = find_duplicates(measures)
        return [
            s.model_copy(update={"duplicate_of": images[duplicate_of[i]].index})
            if duplicate_of[i] is not None else s
            for i, s in enumerate(shots)
        ]

    def _tag_one(self, img: PreparedImage, domain: Domain, quality: Quality) -> Shot:
        stem = str(PurePosixPath(img.source).with_suffix(""))
        for text, confidence, source in (
            (img.view_hint, HINT, "hint"),
            (img.caption, CAPTION, "caption"),
            (stem, FILENAME, "filename"),
        ):
            angle = match_angle(text, domain)
            if angle:
                return Shot(image=img.index, angle=angle, confidence=confidence, source=source,
                            quality=quality)
        return Shot(image=img.index, angle=UNKNOWN, confidence=0.0, source="none", quality=quality)


def _order_hero(shots: list[Shot], domain: Domain) -> None:
    """Car listings open with the hero shot: guess so for the first photo, weakly."""
    if domain is not Domain.car or not shots or shots[0].angle != UNKNOWN:
        return
    if any(s.angle == "front_3_4" for s in shots):
        return
    shots[0] = shots[0].model_copy(
        update={"angle": "front_3_4", "confidence": ORDER, "source": "order"}
    )


def measure(path: Path) -> Measure:
    """Sharpness, exposure and size of one prepared JPEG, plus its perceptual hash."""
    with Image.open(path) as img:
        megapixels = img.width * img.height / 1e6
        img.draft("RGB", (ANALYSIS_EDGE, ANALYSIS_EDGE))  # JPEG: decode reduced (DCT scaling)
        rgb = img.convert("RGB")
    rgb.thumbnail((ANALYSIS_EDGE, ANALYSIS_EDGE), Image.Resampling.BILINEAR)
    grey = rgb.convert("L")
    arr = np.asarray(grey, dtype=np.float32)
    quality = Quality(
        sharpness=round(laplacian_variance(arr), 3),
        exposure=round(float(arr.mean()) / 255.0, 4),
        megapixels=round(megapixels, 3),
    )
    colour = np.asarray(rgb.resize((4, 4), Image.Resampling.BOX), dtype=np.float32)
    return Measure(quality=quality, dhash=dhash(grey), colour=colour)


def laplacian_variance(arr: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian: low on blurry photos, high on sharp ones."""
    if arr.shape[0] < 3 or arr.shape[1] < 3:
        return 0.0
    lap = (
        arr[:-2, 1:-1] + arr[2:, 1:-1] + arr[1:-1, :-2] + arr[1:-1, 2:] - 4.0 * arr[1:-1, 1:-1]
    )
    return float(lap.var())


def dhash(grey: Image.Image) -> int:
    """64-bit difference hash: is each of 8x8 cells brighter than its right neighbour?"""
    small = np.asarray(grey.resize((9, 8), Image.Resampling.BOX), dtype=np.int16)
    bits = (small[:, 1:] > small[:, :-1]).flatten()
    return int("".join("1" if b else "0" for b in bits), 2)


def find_duplicates(measures: list[Measure]) -> list[int | None]:
    """For each photo, the position of the photo it duplicates (kept instead), or None.

    Photos are taken in listing order; a later near-duplicate replaces the kept one only when
    it is clearly better (20% more pixels, or as big and twice as sharp).
    """
    keeper: list[int | None] = [None] * len(measures)
    kept: list[int] = []
    for j, m in enumerate(measures):
        match = next((i for i in kept if m.same_shot(measures[i])), None)
        if match is None:
            kept.append(j)
        elif _clearly_better(m.quality, measures[match].quality):
            kept[kept.index(match)] = j
            for k, target in enumerate(keeper):
                if target == match:
                    keeper[k] = j
            keeper[match] = j
        else:
            keeper[j] = match
    return keeper


def _clearly_better(a: Quality, b: Quality) -> bool:
    if a.megapixels > 1.2 * b.megapixels:
        return True
    return a.megapixels * 1.2 >= b.megapixels and a.sharpness > 2.0 * b.sharpness
