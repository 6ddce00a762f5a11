"""YOLO subject boxes (ultralytics): the vehicle in a car photo, the main object in a room.

The box goes into Shot.subject (normalised 0..1), where the renderer centres its Ken Burns
motion. For homes the main object also hints the room (a bed: bedroom, a toilet: bathroom),
with the detection score as confidence; for cars YOLO says nothing about the angle.

Weights: --yolo-weights FILE or NAME (or $AD2VIDEO_YOLO_WEIGHTS, default yolov8n.pt), looked
up as given, then under <cache>/yolo and Ultralytics' weights_dir, else downloaded on first use
when GitHub answers. A model .yaml (e.g. yolov8n.yaml) builds an untrained network offline.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ad2video.backends import vision_models as vm
from ad2video.contracts import Box, Domain, PreparedImage, Shot
from ad2video.errors import UserError
from ad2video.taxonomy import UNKNOWN

DEFAULT_WEIGHTS = "yolov8n.pt"
GITHUB_HOST = "github.com"
VEHICLES = {"car": 2, "motorcycle": 3, "bus": 5, "truck": 7}  # name -> COCO class index
# Objects that name a room when they are the main thing in a home photo.
ROOM_OF_OBJECT = {"bed": "bedroom", "toilet": "bathroom", "oven": "kitchen",
                  "refrigerator": "kitchen", "microwave": "kitchen", "couch": "living",
                  "tv": "living", "dining table": "dining"}


@dataclass(frozen=True)
class YoloOptions:
    weights: str | None = None  # file path or asset name; None = $AD2VIDEO_YOLO_WEIGHTS/default
    device: str = "auto"  # auto (GPU when present), cpu, cuda, cuda:N
    min_score: float = 0.25  # detections scoring less are ignored
    imgsz: int = 640  # network input size (letterboxed)
    batch_size: int = 16  # images per forward pass


@dataclass(frozen=True)
class Detection:
    cls: int  # class index in the model's names
    score: float
    box: Box


class YoloVision:
    """ultralytics detector: one subject box per photo (largest confident subject)."""

    name = "yolo"

    def __init__(self, options: YoloOptions | None = None) -> None:
        self.options = options or YoloOptions()
        self.model: Any = None

    def load(self) -> None:
        if self.model is not None:
            return
        vm.check_installed("the yolo backend", "torch", "ultralytics")
        weights = self.weights()
        # Quiet and offline by default: no update checks, telemetry or console banners.
        os.environ.setdefault("YOLO_VERBOSE", "False")
        if not weights.endswith(".yaml") and Path(weights).is_file():
            os.environ.setdefault("YOLO_OFFLINE", "1")
        ultralytics = vm.require("ultralytics", "the yolo backend")
        self.device = vm.torch_device(self.options.device)
        try:
            self.model = ultralytics.YOLO(weights)
        except Exception as exc:
            detail = " ".join(str(exc).split())[:200]
            raise UserError(f"cannot load YOLO weights {weights}: {detail}") from None
        self.names: dict[int, str] = dict(self.model.names)

    def weights(self, download: bool = True) -> str:
        """The weights file to load (or a model .yaml), found before anything is imported."""
        given = (self.options.weights or os.environ.get("AD2VIDEO_YOLO_WEIGHTS")
                 or DEFAULT_WEIGHTS)
        if given.endswith((".yaml", ".yml")):
            return given
        path = Path(given).expanduser()
        if path.is_file():
            return str(path)
        if path.name != given:  # a path, not an asset name: nothing to download
            raise UserError(f"YOLO weights file not found: {path}")
        places = [vm.cache_root() / "yolo" / given]
        if (settings := _ultralytics_weights_dir()) is not None:
            places.append(settings / given)
        for place in places:
            if place.is_file():
                return str(place)
        if download and vm.can_download(GITHUB_HOST):
            from ultralytics.utils.downloads import attempt_download_asset

            return str(attempt_download_asset(places[0]))
        raise UserError(f"YOLO weights '{given}' not found (looked in the current folder, "
                        f"{places[0].parent} and Ultralytics' weights_dir) and "
                        f"{vm.offline_hint() if download else 'not downloaded yet'}: pass "
                        "--yolo-weights FILE or set "
                        "AD2VIDEO_YOLO_WEIGHTS")

    def subject_classes(self, domain: Domain | str) -> list[int] | None:
        """Class indices that count as the subject (None: any class)."""
        self.load()
        if Domain(domain) is not Domain.car:
            return None
        by_name = {n: i for i, n in self.names.items()}
        if all(v in by_name for v in VEHICLES):
            return sorted(by_name[v] for v in VEHICLES)
        return sorted(VEHICLES.values())  # untrained or unnamed classes: COCO order

    def detect(self, paths: list[Path], domain: Domain | str) -> list[list[Detection]]:
        """Subject-class detections per image, batched."""
        self.load()
        classes = self.subject_classes(domain)
        out: list[list[Detection]] = []
        for group in vm.batches(paths, self.options.batch_size):
            results = self.model.predict(
                [str(p) for p in group], conf=self.options.min_score, classes=classes,
                imgsz=self.options.imgsz, device=self.device, batch=len(group), verbose=False)
            out += [_detections(r) for r in results]
        return out

    def tag(self, images: list[PreparedImage], domain: Domain | str, run_dir: Path) -> list[Shot]:
        """Subject box per photo; for homes, the room its main object names."""
        if not images:
            return []
        found = self.detect([run_dir / img.path for img in images], domain)
        shots = []
        for img, dets in zip(images, found, strict=True):
            main = max(dets, key=lambda d: d.score * d.box.w * d.box.h, default=None)
            room = ROOM_OF_OBJECT.get(self.names.get(main.cls, "")) if main else None
            if Domain(domain) is not Domain.real_estate:
                room = None
            shots.append(Shot(
                image=img.index, angle=room or UNKNOWN, source=self.name,
                confidence=round(main.score, 4) if main and room else 0.0,
                subject=main.box if main else None))
        return shots


def _detections(result: Any) -> list[Detection]:
    boxes = result.boxes
    out = []
    for xyxy, score, cls in zip(boxes.xyxyn.tolist(), boxes.conf.tolist(), boxes.cls.tolist(),
                                strict=True):
        box = vm.box_from_xyxyn(*xyxy)
        if box is not None:
            out.append(Detection(cls=int(cls), score=float(score), box=box))
    return out


def _ultralytics_weights_dir() -> Path | None:
    """Ultralytics' weights_dir setting, read from its settings file without importing it."""
    base = os.environ.get("YOLO_CONFIG_DIR") or os.environ.get("XDG_CONFIG_HOME")
    root = (Path(base).expanduser() if base else Path.home() / ".config") / "Ultralytics"
    try:
        value = json.loads((root / "settings.json").read_text(encoding="utf-8"))["weights_dir"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Path(value) if isinstance(value, str) else None
