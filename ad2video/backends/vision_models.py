"""Shared plumbing of the model-based vision backends (CLIP, YOLO).

Where weights come from, in order: an explicit path (CLI option), an environment variable, the
libraries' own caches, then a first-use download. A download is tried only when the host
answers within `PROBE_TIMEOUT` seconds and no offline switch is set (AD2VIDEO_OFFLINE,
HF_HUB_OFFLINE, YOLO_OFFLINE), so a machine without internet gets a one-line error at once
instead of a library's retry loop. Image embeddings are cached on disk by image hash.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import numpy as np

from ad2video.contracts import Box
from ad2video.errors import UserError
from ad2video.fsutil import atomic_path, sha256_file

VISION_EXTRA = "pip install 'ad2video[vision]'"
PROBE_TIMEOUT = 2.0  # seconds to wait for a download host before calling the machine offline
OFFLINE_VARS = ("AD2VIDEO_OFFLINE", "HF_HUB_OFFLINE", "YOLO_OFFLINE")
_probes: dict[str, bool] = {}


def missing(*modules: str) -> list[str]:
    """The modules of `modules` that cannot be imported here (checked without importing)."""
    out = []
    for name in modules:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            out.append(name)
    return out


def check_installed(what: str, *modules: str) -> None:
    """Fail with the install command when one of `modules` is not installed (no import)."""
    if absent := missing(*modules):
        raise UserError(f"{what} needs the '{absent[0]}' package: {VISION_EXTRA}")


def require(module: str, what: str) -> ModuleType:
    """Import `module` or fail with the install command; a broken install is one line too."""
    check_installed(what, module)
    try:
        return importlib.import_module(module)
    except Exception as exc:  # e.g. a torch/torchvision mismatch raises at import
        detail = " ".join(str(exc).split())[:200]
        raise UserError(f"{what}: importing '{module}' failed ({type(exc).__name__}: "
                        f"{detail})") from None


def offline_reason() -> str | None:
    """Which environment switch turns downloads off, if any."""
    for var in OFFLINE_VARS:
        if os.environ.get(var, "").strip().lower() in ("1", "true", "yes", "on"):
            return f"{var} is set"
    return None


def can_download(host: str) -> bool:
    """True when downloads are allowed and `host` accepts a connection within PROBE_TIMEOUT."""
    if offline_reason():
        return False
    if host not in _probes:
        _probes[host] = _probe(host)
    return _probes[host]


def _probe(host: str) -> bool:
    # DNS has no timeout of its own: resolve and connect in a thread we stop waiting for.
    result: list[bool] = []

    def attempt() -> None:
        try:
            with socket.create_connection((host, 443), timeout=PROBE_TIMEOUT):
                result.append(True)
        except OSError:
            result.append(False)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(PROBE_TIMEOUT + 0.5)
    return bool(result and result[0])


def offline_hint() -> str:
    reason = offline_reason()
    return f"downloads are off ({reason})" if reason else "no internet to download them"


def cache_root() -> Path:
    """Model-side caches: $AD2VIDEO_CACHE/vision, else ~/.cache/ad2video/vision."""
    base = os.environ.get("AD2VIDEO_CACHE")
    root = Path(base).expanduser() if base else Path.home() / ".cache" / "ad2video"
    return root / "vision"


def torch_device(requested: str = "auto") -> str:
    """'cuda' when asked for or when a GPU is present (auto), else 'cpu'."""
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested.startswith("cuda") and not torch.cuda.is_available():
        raise UserError(f"vision device '{requested}' asked for, but torch sees no CUDA GPU")
    return requested


@dataclass
class EmbeddingCache:
    """Float32 vectors on disk, one .npy file per (model key, image file hash)."""

    root: Path
    model_key: str
    hits: int = 0
    misses: int = 0
    _hashes: dict[Path, str] = field(default_factory=dict)

    def key(self, image: Path) -> str:
        if image not in self._hashes:
            self._hashes[image] = sha256_file(image)
        return self._hashes[image]

    def _file(self, digest: str) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in self.model_key)
        return self.root / "embeddings" / safe / digest[:2] / f"{digest}.npy"

    def get(self, image: Path) -> np.ndarray | None:
        return self.load(self.key(image))

    def put(self, image: Path, vector: np.ndarray) -> None:
        self.save(self.key(image), vector)

    def load(self, digest: str) -> np.ndarray | None:
        try:
            vector = np.load(self._file(digest), allow_pickle=False)
        except (OSError, ValueError):  # absent or torn: compute again
            self.misses += 1
            return None
        self.hits += 1
        return vector

    def save(self, digest: str, vector: np.ndarray) -> None:
        target = self._file(digest)
        # A cache, not an output: a write that fails only means computing again next time.
        with contextlib.suppress(OSError), atomic_path(target) as tmp, tmp.open("wb") as f:
            np.save(f, np.asarray(vector, dtype=np.float32), allow_pickle=False)


def batches(items: list, size: int) -> list[list]:
    """`items` cut into lists of at most `size` (the last may be shorter)."""
    return [items[i : i + size] for i in range(0, len(items), max(1, size))]


def box_from_xyxyn(x1: float, y1: float, x2: float, y2: float) -> Box | None:
    """A normalised corner box as a contracts.Box, clipped to the image; None if empty."""
    x1, y1 = min(max(x1, 0.0), 1.0), min(max(y1, 0.0), 1.0)
    x2, y2 = min(max(x2, 0.0), 1.0), min(max(y2, 0.0), 1.0)
    w, h = round(x2 - x1, 4), round(y2 - y1, 4)
    if w <= 0 or h <= 0:
        return None
    return Box(x=round(x1, 4), y=round(y1, 4), w=w, h=h)
