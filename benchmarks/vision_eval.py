"""Vision evaluation: how well a backend tags angles and orders storyboards on labelled listings.

DIR holds listing folders (listing.json + photos; DIR itself may be one). An image's label is
its `view` in listing.json, read through the domain taxonomy ('3/4 delantera' is front_3_4);
images without a view that names a tag are shown but not scored. The backend sees no view
hints, and with --blind (the default) no captions or file names either, so the model is what
gets measured. Prints per-tag precision and recall, a confusion table (rows: label, columns:
prediction), storyboard order accuracy (share of labelled photo pairs shown in the domain's
order, and how often the first photo is the best angle there is), and images per second.

    python benchmarks/vision_eval.py examples --vision heuristic --no-blind
    python benchmarks/vision_eval.py DIR --vision clip --clip-pretrained laion2b_s34b_b79k
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ad2video.contracts import IngestResult, Shots
from ad2video.errors import UserError
from ad2video.stages import ingest, vision
from ad2video.taxonomy import UNKNOWN, match_angle, storyboard_order


@dataclass
class Tally:
    pairs: list[tuple[str, str]] = field(default_factory=list)  # (label, prediction)
    ordered: int = 0  # labelled storyboard pairs in the domain's order
    order_pairs: int = 0
    hero_hits: int = 0
    listings: int = 0
    images: int = 0
    seconds: float = 0.0


def listing_dirs(root: Path) -> list[Path]:
    def is_listing(folder: Path) -> bool:
        return any((folder / n).is_file() for n in ("listing.json", "listing.yaml"))

    return [root] if is_listing(root) else sorted(
        p for p in root.iterdir() if p.is_dir() and is_listing(p))


def unlabelled(ing: IngestResult, blind: bool) -> tuple[IngestResult, dict[int, str]]:
    """The ingest result without view hints (and, blind, without captions and file names),
    and the labels: image index -> taxonomy tag."""
    domain = ing.listing.domain
    labels = {img.index: tag for img in ing.images if (tag := match_angle(img.view_hint, domain))}
    hidden = [
        img.model_copy(update={"view_hint": None, **(
            {"caption": None, "source": f"image_{img.index:03d}.jpg"} if blind else {})})
        for img in ing.images
    ]
    return ing.model_copy(update={"images": hidden}), labels


def score(shots: Shots, labels: dict[int, str], domain: str, tally: Tally) -> None:
    predicted = {s.image: s.angle for s in shots.shots}
    tally.pairs += [(label, predicted.get(i, UNKNOWN)) for i, label in labels.items()]
    order = storyboard_order(domain)
    ranks = [order.index(labels[i]) for i in shots.storyboard if i in labels]
    for a in range(len(ranks)):
        for b in range(a + 1, len(ranks)):
            tally.order_pairs += 1
            tally.ordered += ranks[a] <= ranks[b]
    if ranks and labels:
        tally.hero_hits += ranks[0] == min(order.index(t) for t in labels.values())


def evaluate(root: Path, options: vision.VisionOptions, blind: bool) -> Tally:
    tally = Tally()
    models, name, reason = vision.select(options)  # loaded once, outside the timing
    print(f"backend: {name} ({reason})")
    with tempfile.TemporaryDirectory(prefix="vision-eval-") as tmp:
        listings = [(Path(tmp) / f.name, *unlabelled(
            ingest.run(f, Path(tmp) / f.name, ingest.IngestOptions()), blind))
            for f in listing_dirs(root)]
        for model in models:  # one-off prompt encoding per domain, also outside the timing
            if callable(text := getattr(model, "text_features", None)):
                for domain in {str(ing.listing.domain) for _, ing, _ in listings}:
                    text(domain)
        for run_dir, ing, labels in listings:
            t0 = time.perf_counter()
            shots = vision.run_with(ing, run_dir, options, models, name, reason)
            tally.seconds += time.perf_counter() - t0
            tally.images += len(ing.images)
            tally.listings += 1
            score(shots, labels, str(ing.listing.domain), tally)
    return tally


def report(tally: Tally) -> None:
    tags = sorted({label for label, _ in tally.pairs})
    predicted = sorted({p for _, p in tally.pairs} | set(tags))
    print(f"\n{tally.listings} listings, {tally.images} images, {len(tally.pairs)} labelled")
    print(f"\n{'tag':<12} {'precision':>9} {'recall':>7} {'n':>4}")
    for tag in tags:
        tp = sum(1 for lab, p in tally.pairs if lab == tag and p == tag)
        fp = sum(1 for lab, p in tally.pairs if lab != tag and p == tag)
        n = sum(1 for lab, _ in tally.pairs if lab == tag)
        precision = f"{tp / (tp + fp):.2f}" if tp + fp else "-"
        print(f"{tag:<12} {precision:>9} {tp / n:>7.2f} {n:>4}")
    counts = Counter(tally.pairs)
    short = [p[:6] for p in predicted]
    print("\nconfusion (rows: label, columns: prediction)")
    print(f"{'':<12} " + " ".join(f"{s:>6}" for s in short))
    for tag in tags:
        print(f"{tag:<12} " + " ".join(f"{counts[(tag, p)] or '.':>6}" for p in predicted))
    if tally.order_pairs:
        print(f"\nstoryboard order accuracy: {tally.ordered / tally.order_pairs:.2f} "
              f"({tally.ordered}/{tally.order_pairs} labelled pairs)")
    if tally.listings:
        print(f"hero shot first: {tally.hero_hits}/{tally.listings} listings")
    if tally.seconds > 0:
        print(f"speed: {tally.images / tally.seconds:.1f} images/s "
              f"({tally.seconds:.2f} s for {tally.images} images, models already loaded)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=Path, help="folder of listing folders (or one listing folder)")
    ap.add_argument("--vision", default="auto", help="heuristic, clip, yolo, clip+yolo, auto")
    ap.add_argument("--threshold", type=float, default=0.3)
    ap.add_argument("--clip-model", default="ViT-B-32")
    ap.add_argument("--clip-pretrained", default=None)
    ap.add_argument("--clip-weights", default=None)
    ap.add_argument("--yolo-weights", default=None)
    ap.add_argument("--blind", action=argparse.BooleanOptionalAction, default=True,
                    help="hide captions and file names too (default: yes)")
    args = ap.parse_args(argv)
    try:
        options = vision.make_options(
            backend=args.vision, threshold=args.threshold, clip_model=args.clip_model,
            clip_pretrained=args.clip_pretrained, clip_weights=args.clip_weights,
            yolo_weights=args.yolo_weights)
        if not args.dir.is_dir():
            raise UserError(f"not a folder: {args.dir}")
        report(evaluate(args.dir, options, args.blind))
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
