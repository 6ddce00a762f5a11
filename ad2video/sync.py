"""Sync: every sentence on a photo that shows what it talks about, and a score that measures it.

`assign_shots` checks each scene's photos against its topic (any writer: the template's, or an
LLM's that lists the wrong shots) and corrects them. The fallback when no photo shows a topic:
the sentence plays over the nearest related photo (trunk -> rear, engine -> front), else over
the photos the writer chose, else over the hero photo; the scene is reported in
`SyncPlan.fallbacks` (manifest `sync_fallbacks`) and its time counts as unmatched.

`sync_score` is the share of narration time during which the photo on screen shows the topic
being spoken, measured on the finished Timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ad2video.contracts import Domain, Script, Shots, Timeline
from ad2video.taxonomy import UNKNOWN, match_angle

ANY = "*"  # a topic any photo shows (the closing "wrap_up" of leftover facts)
_CAR_EXTERIOR = ("front_3_4", "front", "side", "rear_3_4", "rear")
_LOOSE = ("other", "detail", UNKNOWN)

# Topic -> photo angles that show it. One table per domain: the only place this is decided.
SHOWS: dict[Domain, dict[str, tuple[str, ...]]] = {
    Domain.car: {
        "intro": _CAR_EXTERIOR, "exterior": _CAR_EXTERIOR,
        "front": ("front", "front_3_4"), "front_3_4": ("front_3_4", "front"),
        "side": ("side", "front_3_4", "rear_3_4"),
        "rear": ("rear", "rear_3_4"), "rear_3_4": ("rear_3_4", "rear"),
        "interior": ("interior", "dashboard", "rear_seats"),
        "dashboard": ("dashboard", "interior"), "rear_seats": ("rear_seats", "interior"),
        "trunk": ("trunk",), "engine": ("engine",), "wheel": ("wheel",),
        "detail": ("detail",), "other": _LOOSE, "wrap_up": (ANY,),
    },
    Domain.real_estate: {
        "intro": ("exterior", "living", "view", "garden"), "exterior": ("exterior", "garden"),
        "living": ("living", "dining"), "kitchen": ("kitchen", "dining"),
        "dining": ("dining", "kitchen", "living"), "bedroom": ("bedroom",),
        "bathroom": ("bathroom",), "garden": ("garden", "exterior", "view"),
        "view": ("view", "garden"), "floor_plan": ("floor_plan",), "other": _LOOSE,
        "wrap_up": (ANY,),
    },
    Domain.other: {"intro": (ANY,), "detail": ("detail",), "other": (ANY,), "wrap_up": (ANY,)},
}
# Topic -> related angles used only when no photo shows the topic (still counted unmatched).
NEAR: dict[Domain, dict[str, tuple[str, ...]]] = {
    Domain.car: {
        "trunk": ("rear", "rear_3_4"), "engine": ("front", "front_3_4"),
        "wheel": ("side", "front_3_4", "rear_3_4"), "interior": ("detail",),
        "dashboard": ("rear_seats",), "rear_seats": ("dashboard",), "intro": ("detail",),
    },
    Domain.real_estate: {
        "exterior": ("view",), "view": ("exterior",), "dining": ("living", "kitchen"),
        "kitchen": ("living",), "intro": ("kitchen", "bedroom"), "floor_plan": ("living",),
    },
    Domain.other: {},
}


@dataclass
class SyncPlan:
    """The script with corrected shots, and what was changed or could not be matched."""

    script: Script
    corrected: list[str] = field(default_factory=list)
    fallbacks: list[str] = field(default_factory=list)


def topic_key(topic: str, domain: Domain) -> str | None:
    """The SHOWS key for a scene topic ('cabin' -> 'interior'), or None when unknown."""
    table = SHOWS[domain]
    if topic in table:
        return topic
    tag = match_angle(topic, domain)
    return tag if tag in table else None


def shows(topic: str, angle: str, domain: Domain) -> bool:
    """Does a photo tagged `angle` show what a sentence about `topic` talks about?"""
    key = topic_key(topic, domain)
    if key is None:
        return False
    wanted = SHOWS[domain][key]
    return ANY in wanted or angle in wanted


def _pick(candidates: list[int], used: set[int], count: int) -> list[int]:
    """Up to `count` photos, unused ones first, in storyboard order."""
    fresh = [i for i in candidates if i not in used]
    ranked = fresh + [i for i in candidates if i in used]
    return sorted(ranked[: max(1, count)], key=candidates.index)


def assign_shots(script: Script, shots: Shots, domain: Domain) -> SyncPlan:
    """Give every scene photos that show its topic; report corrections and fallbacks."""
    angle = {s.image: s.angle for s in shots.shots}
    board = list(dict.fromkeys(shots.storyboard))
    plan = SyncPlan(script)
    used: set[int] = set()
    scenes = []
    for scene in script.scenes:
        own = [i for i in dict.fromkeys(scene.shots) if i in board]
        fits = [i for i in board if shows(scene.topic, angle.get(i, UNKNOWN), domain)]
        chosen = [i for i in own if i in fits]
        if not chosen and fits:
            chosen = _pick(fits, used, len(own) or 1)
        elif not chosen:
            chosen = _fallback(scene.topic, own, board, angle, domain, used)
            plan.fallbacks.append(
                f"scene {scene.index} talks about '{scene.topic}' but no photo shows it: "
                f"spoken over photo {', '.join(map(str, chosen))} "
                f"({', '.join(angle.get(i, UNKNOWN) for i in chosen)})")
        if chosen != scene.shots and fits:
            plan.corrected.append(f"scene {scene.index} ({scene.topic}): photos "
                                  f"{scene.shots} -> {chosen}")
        used.update(chosen)
        scenes.append(scene.model_copy(update={"shots": chosen}))
    plan.script = script.model_copy(update={"scenes": scenes})
    return plan


def _fallback(topic: str, own: list[int], board: list[int], angle: dict[int, str],
              domain: Domain, used: set[int]) -> list[int]:
    key = topic_key(topic, domain)
    near = NEAR[domain].get(key or "", ())
    related = [i for i in board if angle.get(i, UNKNOWN) in near]
    if related:
        return _pick(related, used, 1)
    return own or board[:1]


def sync_score(timeline: Timeline, script: Script, shots: Shots, domain: Domain) -> float | None:
    """Share of narration time (each scene's audio span) during which the photo on screen
    shows the scene's topic; None when there is no narration."""
    angle = {s.image: s.angle for s in shots.shots}
    photos = [c for c in timeline.clips if c.kind == "photo"]
    total = matched = 0.0
    for scene, audio in zip(script.scenes, timeline.narration, strict=False):
        a, b = audio.start, audio.start + audio.duration
        total += b - a
        for clip in photos:
            overlap = min(b, clip.end) - max(a, clip.start)
            if overlap > 0 and clip.image_index is not None and shows(
                scene.topic, angle.get(clip.image_index, UNKNOWN), domain
            ):
                matched += overlap
    return round(matched / total, 4) if total > 0 else None
