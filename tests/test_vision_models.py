"""The real open_clip and ultralytics code paths, with untrained models built offline
(open_clip ViT-B-32 with pretrained 'none', YOLO from yolov8n.yaml). Random weights make the
tags meaningless, so these test the mechanics: shapes, boxes, batching, the embedding cache,
the threshold, and the weights-missing errors. Skipped where torch and the libraries are not
installed (pip install 'ad2video[vision]')."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ad2video.backends import vision_models as vm
from ad2video.backends.vision_clip import ClipOptions, ClipVision
from ad2video.backends.vision_yolo import YoloOptions, YoloVision
from ad2video.errors import UserError
from ad2video.stages import ingest, vision
from ad2video.taxonomy import OTHER_ORDER
from tests.test_vision import listing, photo

MISSING = vm.missing("torch", "torchvision", "open_clip", "ultralytics")
needs_models = pytest.mark.skipif(
    bool(MISSING), reason=f"not installed: {', '.join(MISSING)} (pip install 'ad2video[vision]')")


@pytest.fixture(scope="module", autouse=True)
def _offline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No network probes; caches and Ultralytics settings in this module's own folders."""
    base = tmp_path_factory.mktemp("vision-models")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AD2VIDEO_OFFLINE", "1")
        mp.setenv("AD2VIDEO_CACHE", str(base / "cache"))
        mp.setenv("YOLO_CONFIG_DIR", str(base / "yolo-config"))
        for var in ("AD2VIDEO_CLIP_WEIGHTS", "AD2VIDEO_CLIP_PRETRAINED", "AD2VIDEO_YOLO_WEIGHTS"):
            mp.delenv(var, raising=False)
        yield


def _loaded(make: Callable[[], Any]) -> Any:
    """The backend `make` builds, loaded; the test skips where torch & co. are missing."""
    if MISSING:
        pytest.skip(f"not installed: {', '.join(MISSING)}")
    backend = make()
    backend.load()
    return backend


@pytest.fixture(scope="module")
def clip() -> ClipVision:
    return _loaded(lambda: ClipVision(ClipOptions(pretrained="none", batch_size=2,
                                                  device="cpu")))


@pytest.fixture(scope="module")
def yolo() -> YoloVision:
    backend = _loaded(lambda: YoloVision(YoloOptions(weights="yolov8n.yaml", batch_size=2,
                                                     device="cpu")))
    # Untrained, every class scores alike and the first (0, a person in COCO) wins every box.
    # Raise the class-2 (car) bias of the head so that boxes come out as cars.
    for branch in backend.model.model.model[-1].cv3:
        branch[-1].bias.data[2] += 8.0
    return backend


def photos(folder: Path, count: int) -> list[Path]:
    return [photo(folder / f"p{k}.jpg", seed=40 + k, size=(320, 240)) for k in range(count)]


def test_yolo_missing_weights_is_one_fast_line(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    t0 = time.perf_counter()
    with pytest.raises(UserError) as err:
        YoloVision(YoloOptions(weights="yolov8n.pt")).weights()
    # No download attempt (retries would take minutes); generous: CI machines are loaded.
    assert time.perf_counter() - t0 < 15.0
    cache = vm.cache_root() / "yolo"
    assert str(err.value) == (
        f"YOLO weights 'yolov8n.pt' not found (looked in the current folder, {cache} and "
        "Ultralytics' weights_dir) and downloads are off (AD2VIDEO_OFFLINE is set): pass "
        "--yolo-weights FILE or set AD2VIDEO_YOLO_WEIGHTS")
    with pytest.raises(UserError) as err:
        YoloVision(YoloOptions(weights=str(tmp_path / "w" / "best.pt"))).weights()
    assert str(err.value) == f"YOLO weights file not found: {tmp_path / 'w' / 'best.pt'}"


@pytest.mark.skipif(not vm.missing("torch"), reason="torch is installed here")
def test_model_backends_without_torch_say_how_to_install(tmp_path: Path) -> None:
    src = listing(tmp_path / "l", ["a.jpg"])
    ing = ingest.run(src, tmp_path / "run", ingest.IngestOptions())
    for name in ("clip", "yolo", "clip+yolo"):
        with pytest.raises(UserError) as err:
            vision.run(ing, tmp_path / "run", vision.VisionOptions(backend=name))
        backend = name.split("+")[0]
        assert str(err.value) == (f"the {backend} backend needs the 'torch' package: "
                                  "pip install 'ad2video[vision]'")


@needs_models
def test_clip_missing_weights_is_one_fast_line(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants
    import open_clip  # noqa: F401  # imported before timing: the check itself must be fast

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hf"))
    t0 = time.perf_counter()
    with pytest.raises(UserError) as err:
        ClipVision().load()
    assert time.perf_counter() - t0 < 15.0  # no download attempt; generous for CI load
    assert str(err.value) == (
        "CLIP weights ViT-B-32/laion2b_s34b_b79k are not in the Hugging Face cache and "
        "downloads are off (AD2VIDEO_OFFLINE is set): pass --clip-weights FILE or set "
        "AD2VIDEO_CLIP_WEIGHTS")
    monkeypatch.setenv("AD2VIDEO_CLIP_WEIGHTS", str(tmp_path / "clip.pt"))
    with pytest.raises(UserError) as err:
        ClipVision().load()
    assert str(err.value) == f"CLIP weights file not found: {tmp_path / 'clip.pt'}"
    with pytest.raises(UserError) as err:
        ClipVision(ClipOptions(model="ViT-Nope", pretrained="none")).load()
    assert str(err.value) == "unknown CLIP model 'ViT-Nope' (e.g. ViT-B-32, ViT-B-16, ViT-L-14)"


@needs_models
def test_clip_embeddings_batches_and_disk_cache(tmp_path: Path, clip: ClipVision) -> None:
    paths = photos(tmp_path, 3)
    assert clip.cache is not None
    hits, misses = clip.cache.hits, clip.cache.misses
    first = clip.embed(paths)  # batch_size 2: two forward passes
    assert first.shape == (3, 512) and first.dtype == np.float32
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    assert (clip.cache.hits - hits, clip.cache.misses - misses) == (0, 3)
    one_batch = clip._forward(paths)  # the same photos in one pass give the same vectors
    assert np.allclose(first, one_batch, atol=1e-4)
    again = clip.embed(paths)  # read back from disk, no forward pass
    assert (clip.cache.hits - hits, clip.cache.misses - misses) == (3, 3)
    assert np.array_equal(first, again)
    assert clip.embed([]).shape == (0, 0)


@needs_models
def test_clip_text_features_per_tag(clip: ClipVision) -> None:
    tags, text = clip.text_features("other")
    assert tags == ["detail", "other"] and text.shape == (2, 512)
    assert np.allclose(np.linalg.norm(text, axis=1), 1.0, atol=1e-5)
    assert clip.device == "cpu" and clip.model_id == "ViT-B-32/none-seed0"


@needs_models
def test_clip_threshold_through_the_stage(tmp_path: Path, clip: ClipVision,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(vision.BACKENDS, "clip", lambda _options: clip)  # the loaded model
    # Domain 'other' has two tags (detail, other): few prompts to encode on a CPU.
    names = ["IMG_1.jpg", "IMG_2.jpg", {"file": "IMG_3.jpg", "view": "detail"}]
    src = listing(tmp_path / "l", names, domain="other")
    ing = ingest.run(src, tmp_path / "run", ingest.IngestOptions())
    strict = vision.run(ing, tmp_path / "run", vision.VisionOptions(backend="clip", threshold=1))
    assert [(s.angle, s.source) for s in strict.shots] == [
        ("unknown", "clip"), ("unknown", "clip"), ("detail", "hint")]
    assert all(0 < s.confidence < 1 for s in strict.shots)
    lenient = vision.run(ing, tmp_path / "run", vision.VisionOptions(backend="clip", threshold=0))
    assert [s.source for s in lenient.shots] == ["clip", "clip", "hint"]
    assert all(s.angle in OTHER_ORDER for s in lenient.shots)
    assert clip.embeddings == {}  # random weights: no near-duplicates from embeddings
    assert all(s.duplicate_of is None for s in lenient.shots)


@needs_models
def test_yolo_boxes_are_normalised_subject_classes(tmp_path: Path, yolo: YoloVision) -> None:
    paths = photos(tmp_path, 3)
    classes = yolo.subject_classes("car")
    assert classes == [2, 3, 5, 7]  # car, motorcycle, bus, truck in COCO order
    found = yolo.detect(paths, "car")  # batch_size 2: two batches
    assert len(found) == 3 and all(found)
    for dets in found:
        for det in dets:
            assert det.cls in classes and 0 <= det.score <= 1
            b = det.box
            assert 0 <= b.x <= 1 and 0 <= b.y <= 1 and 0 < b.w <= 1 and 0 < b.h <= 1
            assert b.x + b.w <= 1.0001 and b.y + b.h <= 1.0001
    assert yolo.subject_classes("real_estate") is None
    shots = yolo.tag([], "car", tmp_path)
    assert shots == []


@needs_models
def test_yolo_subject_is_the_largest_confident_box(tmp_path: Path, yolo: YoloVision) -> None:
    src = listing(tmp_path / "l", ["a.jpg", "b.jpg"])
    ing = ingest.run(src, tmp_path / "run", ingest.IngestOptions())
    shots = yolo.tag(ing.images, "car", tmp_path / "run")
    found = yolo.detect([tmp_path / "run" / img.path for img in ing.images], "car")
    for shot, dets in zip(shots, found, strict=True):
        best = max(dets, key=lambda d: d.score * d.box.w * d.box.h)
        assert shot.subject == best.box and shot.angle == "unknown" and shot.source == "yolo"


@needs_models
def test_clip_and_yolo_together(tmp_path: Path, clip: ClipVision, yolo: YoloVision,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(vision.BACKENDS, "clip", lambda _options: clip)
    monkeypatch.setitem(vision.BACKENDS, "yolo", lambda _options: yolo)
    src = listing(tmp_path / "l", ["a.jpg", "b.jpg", "c.jpg", "d.jpg"], domain="other")
    ing = ingest.run(src, tmp_path / "run", ingest.IngestOptions())
    shots = vision.run(ing, tmp_path / "run", vision.VisionOptions(backend="clip+yolo"))
    assert shots.backend == "clip+yolo" and shots.backend_reason == "--vision clip+yolo"
    direct = yolo.tag(ing.images, "other", tmp_path / "run")
    assert [s.subject for s in shots.shots] == [s.subject for s in direct]
    assert all(s.subject is not None for s in shots.shots)
    assert sorted(shots.storyboard) == [0, 1, 2, 3]
