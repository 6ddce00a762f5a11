"""Combine the heuristic base (hints, quality, dHash duplicates) with model opinions.

Per photo: a listing hint, caption or file name keeps its tag (a model that agrees with enough
confidence raises the confidence); otherwise the most confident model tag at or above the
threshold wins; otherwise the tag is 'unknown' with the best model's confidence, except the
heuristic's weak "first photo is the hero" guess, which stays while no model found the hero.
The subject box comes from the first model that has one. Embedding near-duplicates are looked
for among the photos the perceptual hash kept; the better photo of a pair is kept.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ad2video.contracts import Quality, Shot
from ad2video.taxonomy import UNKNOWN

HINT_SOURCES = ("hint", "caption", "filename")
HERO = "front_3_4"


def merge(base: list[Shot], opinions: list[list[Shot]], threshold: float) -> list[Shot]:
    """One shot per base shot, in base order (see the module docstring)."""
    by_image: dict[int, list[Shot]] = {}
    for shots in opinions:
        for shot in shots:
            by_image.setdefault(shot.image, []).append(shot)
    merged = [_merge_one(b, by_image.get(b.image, []), threshold) for b in base]
    if any(s.angle == HERO and s.source != "order" for s in merged):
        merged = [
            s.model_copy(update={"angle": UNKNOWN, "confidence": 0.0, "source": "none"})
            if s.source == "order"
            else s for s in merged
        ]
    return merged


def _merge_one(base: Shot, models: list[Shot], threshold: float) -> Shot:
    subject = next((m.subject for m in models if m.subject is not None), base.subject)
    update: dict[str, object] = {"subject": subject}
    tagged = [m for m in models if m.angle != UNKNOWN]
    best = max(tagged, key=lambda m: m.confidence, default=None)
    if base.source in HINT_SOURCES:
        agree = [m.confidence for m in tagged if m.angle == base.angle]
        update["confidence"] = max([base.confidence, *(c for c in agree if c >= threshold)])
    elif best is not None and best.confidence >= threshold:
        update.update(angle=best.angle, confidence=best.confidence, source=best.source)
    elif base.source != "order" and models:
        top = max(models, key=lambda m: m.confidence)
        update.update(angle=UNKNOWN, confidence=top.confidence, source=top.source)
    return base.model_copy(update=update)


def embedding_duplicates(
    shots: list[Shot],
    vectors: dict[int, np.ndarray],
    min_similarity: float,
    score: Callable[[Quality | None], float],
) -> list[Shot]:
    """Mark photos whose normalised embeddings have cosine >= `min_similarity` as duplicates of
    the better-scored one; duplicates of a photo that turns out a duplicate follow it."""
    keep: list[Shot] = []
    redirect: dict[int, int] = {}
    for shot in shots:
        vector = vectors.get(shot.image)
        if shot.duplicate_of is not None or vector is None:
            continue
        match = next((k for k in keep
                      if float(vectors[k.image] @ vector) >= min_similarity), None)
        if match is None:
            keep.append(shot)
        elif score(shot.quality) > score(match.quality):
            keep[keep.index(match)] = shot
            redirect = {k: (shot.image if v == match.image else v) for k, v in redirect.items()}
            redirect[match.image] = shot.image
        else:
            redirect[shot.image] = match.image
    out = []
    for shot in shots:
        own = shot.duplicate_of
        target = redirect.get(shot.image) if own is None else redirect.get(own, own)
        out.append(shot if target == own else shot.model_copy(update={"duplicate_of": target}))
    return out
