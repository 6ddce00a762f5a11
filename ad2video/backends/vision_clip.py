"""CLIP zero-shot angle tags (open_clip), with image embeddings cached on disk by image hash.

Each photo gets the taxonomy tag whose prompt ensemble (ad2video.vision_prompts) is most like
it, with the softmax probability as confidence; the vision stage turns low confidences into
'unknown' and lets listing hints win. The embeddings also find near-duplicates.

Weights: --clip-weights FILE (or $AD2VIDEO_CLIP_WEIGHTS), else the pretrained tag
(--clip-pretrained, $AD2VIDEO_CLIP_PRETRAINED, default laion2b_s34b_b79k) from the Hugging Face
cache, else a first-use download when the hub answers. The tag 'none' builds the model with
random weights (seeded): meaningless tags, for testing the mechanics offline.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ad2video.backends import vision_models as vm
from ad2video.contracts import Domain, PreparedImage, Shot
from ad2video.errors import UserError
from ad2video.fsutil import sha256_text
from ad2video.vision_prompts import prompts, prompts_hash

DEFAULT_MODEL = "ViT-B-32"
DEFAULT_PRETRAINED = "laion2b_s34b_b79k"
RANDOM = "none"  # pretrained tag that means "random weights"
RANDOM_KEY = "none-seed0"  # cache key of those weights (seeded, so the same in every run)
HF_HOST = "huggingface.co"
_HF_NAMES = ("open_clip_model.safetensors", "open_clip_pytorch_model.bin")


@dataclass(frozen=True)
class ClipOptions:
    model: str = DEFAULT_MODEL  # open_clip architecture name
    pretrained: str | None = None  # tag; None = $AD2VIDEO_CLIP_PRETRAINED or DEFAULT_PRETRAINED
    weights: str | None = None  # checkpoint file; None = $AD2VIDEO_CLIP_WEIGHTS
    device: str = "auto"  # auto (GPU when present), cpu, cuda, cuda:N
    batch_size: int = 16  # images per forward pass
    cache: bool = True  # keep image embeddings on disk (vision_models.cache_root())


class ClipVision:
    """open_clip zero-shot tagger; `embeddings` holds the last call's vectors by image index."""

    name = "clip"

    def __init__(self, options: ClipOptions | None = None) -> None:
        self.options = options or ClipOptions()
        self.model: Any = None
        self.embeddings: dict[int, np.ndarray] = {}
        self.cache: vm.EmbeddingCache | None = None
        self.text_cache: vm.EmbeddingCache | None = None
        self._text: dict[str, np.ndarray] = {}

    def load(self) -> None:
        """Import open_clip, find the weights and build the model (once)."""
        if self.model is not None:
            return
        vm.check_installed("the clip backend", "torch", "open_clip")
        torch = vm.require("torch", "the clip backend")
        open_clip = vm.require("open_clip", "the clip backend")
        name = self.options.model
        if name not in open_clip.list_models():
            raise UserError(f"unknown CLIP model '{name}' (e.g. ViT-B-32, ViT-B-16, ViT-L-14)")
        pretrained, extra, key = self._weights(open_clip)
        self.device = vm.torch_device(self.options.device)
        # open_clip logs to the root logger (e.g. "initialized randomly" for 'none'): keep the
        # console to our own progress lines; failures still arrive as exceptions.
        logging.disable(logging.WARNING)
        try:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(0)  # random weights ('none') are the same in every run
                model, _, preprocess = open_clip.create_model_and_transforms(
                    name, pretrained=pretrained, device=self.device, **extra)
        except Exception as exc:  # a corrupt or mismatched checkpoint, a failed download
            detail = " ".join(str(exc).split())[:200]
            raise UserError(f"cannot load CLIP {name} ({key}): {detail}") from None
        finally:
            logging.disable(logging.NOTSET)
        self.model, self.preprocess = model.eval(), preprocess
        self.tokenizer = open_clip.get_tokenizer(name)
        self.model_id = f"{name}/{key}"
        root = vm.cache_root()
        self.cache = vm.EmbeddingCache(root, self.model_id) if self.options.cache else None
        self.text_cache = (vm.EmbeddingCache(root, f"text-{self.model_id}")
                           if self.options.cache else None)

    def _weights(self, open_clip: Any, download: bool = True
                 ) -> tuple[str | None, dict[str, Any], str]:
        """(open_clip `pretrained` argument, extra create arguments, cache key of the weights)."""
        name = self.options.model
        given = self.options.weights or os.environ.get("AD2VIDEO_CLIP_WEIGHTS")
        if given:
            path = Path(given).expanduser()
            if not path.is_file():
                raise UserError(f"CLIP weights file not found: {path}")
            return str(path), {}, f"file-{path.name}-{path.stat().st_size}"
        tag = (self.options.pretrained or os.environ.get("AD2VIDEO_CLIP_PRETRAINED")
               or DEFAULT_PRETRAINED)
        if tag == RANDOM:
            return None, {}, RANDOM_KEY
        cfg = open_clip.get_pretrained_cfg(name, tag)
        if not cfg:
            known = ", ".join(open_clip.list_pretrained_tags_by_model(name)[:8])
            raise UserError(f"unknown CLIP pretrained tag '{tag}' for {name} (known: {known})")
        cached = _cached_checkpoint(cfg)
        if cached:  # load the file itself: no hub call at all, with the tag's preprocessing
            return str(cached), _preprocess_args(cfg), tag
        if download and vm.can_download(HF_HOST):
            return tag, {}, tag
        raise UserError(f"CLIP weights {name}/{tag} are not in the Hugging Face cache and "
                        f"{vm.offline_hint() if download else 'not downloaded yet'}: pass "
                        "--clip-weights FILE or set "
                        "AD2VIDEO_CLIP_WEIGHTS")

    def embed(self, paths: list[Path]) -> np.ndarray:
        """L2-normalised image embeddings, one row per path: cached ones first, the rest
        computed in batches of `batch_size`."""
        self.load()
        found = {i: v for i, p in enumerate(paths) if self.cache and (v := self.cache.get(p))
                 is not None}
        todo = [i for i in range(len(paths)) if i not in found]
        for group in vm.batches(todo, self.options.batch_size):
            vectors = self._forward([paths[i] for i in group])
            for i, vector in zip(group, vectors, strict=True):
                found[i] = vector
                if self.cache:
                    self.cache.put(paths[i], vector)
        if not paths:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([found[i] for i in range(len(paths))]).astype(np.float32)

    def _forward(self, paths: list[Path]) -> np.ndarray:
        import torch

        pixels = []
        for path in paths:
            with Image.open(path) as img:
                pixels.append(self.preprocess(img.convert("RGB")))
        with torch.inference_mode():
            out = self.model.encode_image(torch.stack(pixels).to(self.device))
            out = out / out.norm(dim=-1, keepdim=True)
        return out.float().cpu().numpy()

    def text_features(self, domain: Domain | str) -> tuple[list[str], np.ndarray]:
        """Tags of `domain` and one normalised embedding per tag (mean of its prompts), kept
        in memory and on disk: a text-encoder pass per prompt is the slow part on a CPU."""
        self.load()
        table = prompts(domain)
        digest = sha256_text(f"{self.model_id}\n{prompts_hash(domain)}")
        if digest not in self._text:
            cached = self.text_cache.load(digest) if self.text_cache else None
            self._text[digest] = cached if cached is not None else self._encode_texts(table)
            if cached is None and self.text_cache:
                self.text_cache.save(digest, self._text[digest])
        return list(table), self._text[digest]

    def _encode_texts(self, table: dict[str, list[str]]) -> np.ndarray:
        import torch

        rows = []
        with torch.inference_mode():
            for texts in table.values():
                out = self.model.encode_text(self.tokenizer(texts).to(self.device))
                out = out / out.norm(dim=-1, keepdim=True)
                mean = out.mean(dim=0)
                rows.append((mean / mean.norm()).float().cpu().numpy())
        return np.stack(rows)

    def tag(self, images: list[PreparedImage], domain: Domain | str, run_dir: Path) -> list[Shot]:
        """The most likely tag of every photo, confidence = its softmax probability."""
        if not images:
            return []
        vectors = self.embed([run_dir / img.path for img in images])
        tags, text = self.text_features(domain)
        scale = float(self.model.logit_scale.exp().item())
        logits = scale * vectors @ text.T
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        # Random weights ('none') make every photo look alike: no duplicates from those.
        if not self.model_id.endswith(f"/{RANDOM_KEY}"):
            self.embeddings = {img.index: v for img, v in zip(images, vectors, strict=True)}
        return [
            Shot(image=img.index, angle=tags[int(row.argmax())],
                 confidence=round(float(row.max()), 4), source=self.name)
            for img, row in zip(images, probs, strict=True)
        ]


def _cached_checkpoint(cfg: dict[str, Any]) -> Path | None:
    """The tag's checkpoint when the Hugging Face (or open_clip URL) cache already has it."""
    hub = cfg.get("hf_hub") or ""
    if hub:
        from huggingface_hub import try_to_load_from_cache

        repo, filename = os.path.split(hub)
        for name in (filename,) if filename else _HF_NAMES:
            hit = try_to_load_from_cache(repo, name)
            if isinstance(hit, str):
                return Path(hit)
    url = cfg.get("url") or ""
    if url:
        local = Path("~/.cache/clip").expanduser() / os.path.basename(url)
        if local.is_file():
            return local
    return None


def _preprocess_args(cfg: dict[str, Any]) -> dict[str, Any]:
    """What open_clip would take from the tag when given the checkpoint file instead."""
    args: dict[str, Any] = {}
    for key, arg in (("mean", "image_mean"), ("std", "image_std"),
                     ("interpolation", "image_interpolation"),
                     ("resize_mode", "image_resize_mode")):
        if cfg.get(key):
            args[arg] = cfg[key]
    if cfg.get("quick_gelu"):
        args["force_quick_gelu"] = True
    return args
