"""What a run's script and timeline measure: claims, flagged sentences, facts, sync, captions.

Claims are checked sentence by sentence with the claim checker (ad2video.claims), so the
report can highlight the very sentence at fault. Every function takes the run's contracts and
returns plain JSON-able data.
"""

from __future__ import annotations

import re
from typing import Any

from ad2video.contracts import Listing, Narration, Script, Shots, Timeline

# Violation kinds that are claims the listing does not back (the rest are style or safety).
UNSUPPORTED_KINDS = {"number", "fact", "feature"}
PRICE_KINDS = {"price", "money"}
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def split_sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


def text_flags(text: str, listing: Listing, locale: str) -> list[dict[str, str]]:
    """Every problem of one sentence: {"kind", "message"}."""
    try:
        from ad2video.claims import check_text
    except ImportError:  # an older tree: the script stage's guard, per sentence
        return _guard_flags(text, listing)
    return [{"kind": v.kind, "message": v.message} for v in check_text(text, listing, locale)]


def _guard_flags(text: str, listing: Listing) -> list[dict[str, str]]:
    from ad2video import numfmt
    from ad2video.stages import script as guard

    allowed = guard.listing_numbers(listing)
    flags = [{"kind": "number", "message": f"number '{t}' is not a listing fact"}
             for t in numfmt.number_tokens(text)
             if not any(numfmt.same_number(r, a) for r in numfmt.number_readings(t)
                        for a in allowed)]
    flags += [{"kind": "money", "message": f"price or currency mention '{m.group()}'"}
              for m in guard.MONEY_RE.finditer(text)]
    flags += [{"kind": "banned", "message": f"banned phrase '{p}'"}
              for p in guard.find_phrases(text, guard.banned_phrases())]
    return flags


def mentioned_facts(text: str, listing: Listing) -> list[str]:
    try:
        from ad2video.claims import mentioned_facts as mentioned
    except ImportError:
        return []
    return mentioned(text, listing)


def available_facts(listing: Listing, locale: str) -> list[str]:
    """The listing fact keys a script could use (the template writer's fact table)."""
    from ad2video.backends.script_facts import listing_facts

    return sorted({k for fact in listing_facts(listing, locale) for k in fact.keys})


def script_metrics(script: Script, listing: Listing) -> dict[str, Any]:
    """Per scene sentences with their flags, and the claim, phrase, price and fact counts."""
    scenes = []
    used: set[str] = set()
    supported = 0
    for scene in script.scenes:
        sentences = []
        for text in split_sentences(scene.narration):
            facts = mentioned_facts(text, listing)
            supported += len(facts)
            used.update(facts)
            sentences.append({"text": text, "facts": facts,
                              "flags": text_flags(text, listing, script.locale)})
        used.update(scene.facts)
        scenes.append({"index": scene.index, "topic": scene.topic, "shots": scene.shots,
                       "facts": scene.facts, "on_screen_text": scene.on_screen_text,
                       "on_screen_flags": text_flags(scene.on_screen_text, listing,
                                                     script.locale)
                       if scene.on_screen_text else [],
                       "sentences": sentences})
    cards = [{"kind": card.kind, "lines": [
        {"text": text, "flags": text_flags(text, listing, script.locale)}
        for text in [card.heading, *card.lines]]} for card in (script.title_card, script.end_card)]
    flags = [f for s in scenes for x in s["sentences"] for f in x["flags"]]
    flags += [f for s in scenes for f in s["on_screen_flags"]]
    flags += [f for c in cards for line in c["lines"] for f in line["flags"]]
    available = available_facts(listing, script.locale)
    share = len(used & set(available)) / len(available) if available else None
    return {
        "scenes": scenes, "cards": cards,
        "claims_supported": supported,
        "claims_unsupported": [f["message"] for f in flags if f["kind"] in UNSUPPORTED_KINDS],
        "banned_phrases": [f["message"] for f in flags if f["kind"] == "banned"],
        "price_mentions": [f["message"] for f in flags if f["kind"] in PRICE_KINDS],
        "other_flags": [f["message"] for f in flags
                        if f["kind"] not in UNSUPPORTED_KINDS | PRICE_KINDS | {"banned"}],
        "facts_available": available, "facts_used": sorted(used & set(available)),
        "facts_used_share": None if share is None else round(share, 3),
    }


def scene_spans(timeline: Timeline) -> dict[int, tuple[float, float]]:
    """Each scene's time on screen: first clip start to last clip end."""
    spans: dict[int, tuple[float, float]] = {}
    for clip in timeline.clips:
        if clip.scene is not None:
            start, end = spans.get(clip.scene, (clip.start, clip.end))
            spans[clip.scene] = (min(start, clip.start), max(end, clip.end))
    return dict(sorted(spans.items()))


def _same_angle(angle: str, topic: str) -> bool:
    base = angle.removesuffix("_3_4")
    return angle == topic or base == topic.removesuffix("_3_4")


def sync_score(manifest: dict[str, Any], timeline: Timeline, shots: Shots,
               script: Script, domain: str) -> tuple[float | None, str]:
    """The manifest's sync score when the pipeline wrote one, else the share of narrated photo
    time whose photo shows what the scene talks about (scenes about no particular angle, such
    as the intro, are left out)."""
    value = manifest.get("sync_score")
    if isinstance(value, int | float):
        return round(float(value), 3), "manifest"
    from ad2video.taxonomy import angles

    known = set(angles(domain))
    angle_of = {s.image: s.angle for s in shots.shots}
    topic_of = {s.index: s.topic for s in script.scenes}
    matched = total = 0.0
    for clip in timeline.clips:
        topic = topic_of.get(clip.scene) if clip.scene is not None else None
        if clip.kind != "photo" or topic not in known or clip.image_index is None:
            continue
        length = clip.end - clip.start
        total += length
        matched += length if _same_angle(angle_of.get(clip.image_index, ""), topic) else 0.0
    return (round(matched / total, 3) if total else None), "topic-match"


def _union(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def caption_coverage(timeline: Timeline, narration: Narration) -> float | None:
    """Share of spoken time (word timings) during which a caption is on screen."""
    starts = {a.path: a.start for a in timeline.narration}
    speech = _union([(starts[s.path] + w.start, starts[s.path] + w.end)
                     for s in narration.scenes if s.path in starts for w in s.words])
    spoken = sum(e - s for s, e in speech)
    if not spoken:
        return None
    shown = _union([(c.start, c.end) for c in timeline.captions])
    covered = sum(max(0.0, min(e1, e2) - max(s1, s2)) for s1, e1 in speech for s2, e2 in shown)
    return round(min(covered / spoken, 1.0), 3)
