"""Vision: tag every prepared photo, then choose and order the storyboard.

Backends: `heuristic` (built in: hints, captions, file names; always runs, for quality,
perceptual-hash duplicates and listing hints), and models on top of it: `clip` (zero-shot angle
tags, embedding near-duplicates), `yolo` (subject boxes), `clip+yolo`, or `auto` (the models
that can run here; the heuristic alone when none can, with the reason in Shots.backend_reason).
Model opinions are combined with the heuristic base by ad2video.backends.vision_combine.

Storyboard rules: near-duplicates are dropped ("near-duplicate of image N"); very blurry, dark
or washed-out photos are dropped only while at least `min_keep` others remain; at most
`max_shots` photos are kept ("not needed" for the rest), choosing the best photo of every angle
first, then untagged photos, then second-best photos of an angle, and so on. Screen order: the
domain's angle order (the best photo of an angle first), then untagged photos in listing order.
Extra photos of an angle follow its best one in the same scene, and the timeline shows them only
when the narration leaves them enough time.
"""

from __future__ import annotations

import importlib.metadata
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ad2video.backends import vision_models as vm
from ad2video.backends.vision_clip import ClipOptions, ClipVision
from ad2video.backends.vision_combine import embedding_duplicates, merge
from ad2video.backends.vision_heuristic import HeuristicVision
from ad2video.backends.vision_yolo import YoloOptions, YoloVision
from ad2video.contracts import (
    Domain,
    DroppedShot,
    IngestResult,
    PreparedImage,
    Quality,
    Shot,
    Shots,
)
from ad2video.errors import UserError
from ad2video.taxonomy import UNKNOWN, storyboard_order


class VisionBackend(Protocol):
    name: str

    def tag(self, images: list[PreparedImage], domain: Domain | str, run_dir: Path) -> list[Shot]:
        ...


@dataclass(frozen=True)
class VisionOptions:
    backend: str = "heuristic"  # heuristic, auto, or model names from BACKENDS joined by '+'
    max_shots: int = 12  # longest storyboard; the rest are dropped as "not needed"
    min_keep: int = 3  # poor photos are dropped only while this many others remain
    min_sharpness: float = 15.0  # Laplacian variance (512 px grey copy) below this is too blurry
    min_exposure: float = 0.08  # mean luma below this is too dark
    max_exposure: float = 0.96  # mean luma above this is washed out
    threshold: float = 0.3  # a model tag less confident than this becomes 'unknown'
    duplicate_similarity: float = 0.97  # embedding cosine from which two photos are one shot
    clip: ClipOptions = field(default_factory=ClipOptions)  # model, weights, device, batch
    yolo: YoloOptions = field(default_factory=YoloOptions)  # weights, device, batch

    def __post_init__(self) -> None:
        if self.max_shots < 1:
            raise UserError("vision option max_shots must be at least 1")
        if not 0.0 <= self.threshold <= 1.0:
            raise UserError(f"vision threshold must be between 0 and 1 (got {self.threshold:g})")


# Backends by name, built from the options. The heuristic is the base every run starts from;
# the others add their opinions on top (tests register fakes here).
BACKENDS: dict[str, Callable[[VisionOptions], VisionBackend]] = {
    "heuristic": lambda _o: HeuristicVision(),
    "clip": lambda o: ClipVision(o.clip),
    "yolo": lambda o: YoloVision(o.yolo),
}
AUTO = ("clip", "yolo")  # what `auto` tries, in order


def make_options(backend: str = "heuristic", threshold: float = 0.3,
                 clip_model: str = "ViT-B-32", clip_pretrained: str | None = None,
                 clip_weights: str | None = None, yolo_weights: str | None = None,
                 device: str = "auto") -> VisionOptions:
    """VisionOptions from the render flags (`ad2video render --vision ...`)."""
    return VisionOptions(
        backend=backend, threshold=threshold,
        clip=ClipOptions(model=clip_model, pretrained=clip_pretrained, weights=clip_weights,
                         device=device),
        yolo=YoloOptions(weights=yolo_weights, device=device),
    )


def select(options: VisionOptions) -> tuple[list[VisionBackend], str, str]:
    """(model backends, loaded, to run on top of the heuristic; backend name; reason)."""
    if options.backend == "auto":
        return _auto(options)
    names = options.backend.split("+")
    unknown = [n for n in names if n not in BACKENDS]
    if unknown or not options.backend:
        known = ", ".join(["auto", *sorted(BACKENDS), "clip+yolo"])
        raise UserError(f"unknown vision backend '{options.backend}' (known: {known})")
    models = [BACKENDS[n](options) for n in dict.fromkeys(names) if n != "heuristic"]
    for model in models:
        _load(model)
    name = "+".join(m.name for m in models) or "heuristic"
    return models, name, f"--vision {options.backend}"


def _auto(options: VisionOptions) -> tuple[list[VisionBackend], str, str]:
    models: list[VisionBackend] = []
    notes: list[str] = []
    for name in AUTO:
        model = BACKENDS[name](options)
        try:
            _load(model)
        except UserError as exc:  # missing package or weights: fall back, say why
            notes.append(f"{name} skipped: {exc}")
            continue
        models.append(model)
    ran = "+".join(m.name for m in models) or "heuristic"
    where = [f"on {d}" for m in models if (d := getattr(m, "device", None))][:1]
    return models, ran, "; ".join([f"auto chose {ran}", *where, *notes])


def doctor_rows() -> list[tuple[str, bool, str]]:
    """`ad2video doctor` rows for the model backends: packages, weights found, device."""
    rows = []
    for name, module in (("clip", "open_clip"), ("yolo", "ultralytics")):
        label = f"vision: {name}"
        if absent := vm.missing("torch", "torchvision", module):
            rows.append((label, False, f"not installed ({', '.join(absent)}): {vm.VISION_EXTRA}"))
            continue
        try:
            weights = _find_weights(name)
            device = vm.torch_device("auto")
        except UserError as exc:
            rows.append((label, False, str(exc)))
            continue
        version = importlib.metadata.version("open_clip_torch" if name == "clip" else module)
        rows.append((label, True, f"{module} {version}, weights {weights}, runs on {device}"))
    return rows


def _find_weights(name: str) -> str:
    if name == "yolo":
        return YoloVision().weights(download=False)
    clip = ClipVision()
    pretrained, _, key = clip._weights(vm.require("open_clip", "the clip backend"), False)
    return pretrained or key


def _load(model: VisionBackend) -> None:
    load = getattr(model, "load", None)
    if callable(load):
        load()


def run(ingest: IngestResult, run_dir: Path, options: VisionOptions) -> Shots:
    """Tag the photos of `ingest` and build the storyboard."""
    return run_with(ingest, run_dir, options, *select(options))


def run_with(ingest: IngestResult, run_dir: Path, options: VisionOptions,
             models: list[VisionBackend], name: str, reason: str) -> Shots:
    """`run` with backends already chosen and loaded by `select` (reused across listings)."""
    shots = tag(ingest.images, ingest.listing.domain, run_dir, models, options)
    dropped: dict[int, str] = {
        s.image: f"near-duplicate of image {s.duplicate_of}"
        for s in shots if s.duplicate_of is not None
    }
    candidates = [s for s in shots if s.image not in dropped]
    poor = {s.image: why for s in candidates if (why := _poor(s.quality, options))}
    if len(candidates) - len(poor) >= options.min_keep:
        dropped.update(poor)
        candidates = [s for s in candidates if s.image not in poor]
    storyboard = build_storyboard(candidates, ingest.listing.domain, options.max_shots)
    for s in candidates:
        if s.image not in storyboard:
            dropped[s.image] = "not needed"
    return Shots(
        backend=name,
        backend_reason=reason,
        shots=shots,
        storyboard=storyboard,
        dropped=[DroppedShot(image=i, reason=r) for i, r in sorted(dropped.items())],
    )


def tag(images: list[PreparedImage], domain: Domain | str, run_dir: Path,
        models: list[VisionBackend], options: VisionOptions) -> list[Shot]:
    """The heuristic base, then each model's opinion merged on top, in image order."""
    base = sorted(HeuristicVision().tag(images, domain, run_dir), key=lambda s: s.image)
    if not models:
        return base
    opinions = [model.tag(images, domain, run_dir) for model in models]
    shots = merge(base, opinions, options.threshold)
    vectors = {i: v for m in models for i, v in getattr(m, "embeddings", {}).items()}
    if vectors:
        shots = embedding_duplicates(shots, vectors, options.duplicate_similarity, quality_score)
    return shots


def build_storyboard(shots: list[Shot], domain: Domain | str, max_shots: int) -> list[int]:
    """Image indices in screen order (see the module docstring)."""
    order = storyboard_order(domain)
    groups: dict[str, list[Shot]] = {}
    for shot in shots:
        angle = shot.angle if shot.angle in order else UNKNOWN
        groups.setdefault(angle, []).append(shot)
    for angle, group in groups.items():
        if angle != UNKNOWN:  # unknown photos keep the seller's order
            group.sort(key=lambda s: (-quality_score(s.quality), s.image))
    # Choose: round r takes the r-th photo of every angle; untagged ones come after round 0.
    rounds = max((len(g) for a, g in groups.items() if a != UNKNOWN), default=0)
    chosen: set[int] = set()
    picks = [[g[0] for a in order if (g := groups.get(a))]]
    picks.append(groups.get(UNKNOWN, []))
    picks += [[g[r] for a in order if len(g := groups.get(a, [])) > r] for r in range(1, rounds)]
    for shot in (s for batch in picks for s in batch):
        if len(chosen) < max_shots:
            chosen.add(shot.image)
    screen = [s.image for a in (*order, UNKNOWN) for s in groups.get(a, [])]
    return [i for i in screen if i in chosen]


def quality_score(q: Quality | None) -> float:
    """Higher is better: sharpness (log scale), penalised for poor exposure and few pixels."""
    if q is None:
        return 0.0
    exposure = max(0.2, 1.0 - 1.6 * abs(q.exposure - 0.5))
    size = min(1.0, math.sqrt(q.megapixels / 1.0)) if q.megapixels > 0 else 0.0
    return math.log1p(q.sharpness) * exposure * size


def _poor(q: Quality | None, options: VisionOptions) -> str | None:
    if q is None:
        return None
    if q.sharpness < options.min_sharpness:
        return f"too blurry (sharpness {q.sharpness:.1f})"
    if q.exposure < options.min_exposure:
        return f"too dark (exposure {q.exposure:.2f})"
    if q.exposure > options.max_exposure:
        return f"washed out (exposure {q.exposure:.2f})"
    return None
