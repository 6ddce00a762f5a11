"""Transition names: what the renderer can draw, what `--transition` accepts, and `auto`."""

from __future__ import annotations

from ad2video.errors import UserError

# xfade transitions the renderer draws (blended plane by plane, see filtergraph.blend).
TRANSITIONS: tuple[str, ...] = (
    "fade", "fadeblack", "fadewhite", "slideleft", "slideright", "slideup",
    "slidedown", "wipeleft", "wiperight", "wipeup", "wipedown", "smoothleft", "smoothright",
    "smoothup", "smoothdown", "circleopen", "circleclose", "zoomin", "radial",
)
KNOWN_TRANSITIONS: tuple[str, ...] = ("cut", *TRANSITIONS)  # "cut": no blending
ALIASES: dict[str, str] = {"slide": "slideleft", "wipe": "wipeleft", "zoom": "zoomin"}
# `--transition auto`: one of these per cut between photos, varied by seed, never the same
# twice in a row; cards always fade in and out (a sliding card reads as a glitch).
AUTO: tuple[str, ...] = ("fade", "slideleft", "wipeleft", "smoothleft", "slideup", "zoomin",
                         "circleopen")
OPTION_CHOICES: tuple[str, ...] = ("auto", *KNOWN_TRANSITIONS, *ALIASES)
DEFAULT = "fade"


def check_transition(name: str) -> str:
    """The transition a `--transition` value names ('auto' stays 'auto'); one-line error."""
    if name in ("auto", *KNOWN_TRANSITIONS):
        return name
    if name in ALIASES:
        return ALIASES[name]
    raise UserError(f"unknown transition '{name}' (choose one of: {', '.join(OPTION_CHOICES)})")


def pick_transition(option: str, seed: int, index: int, previous: str | None,
                    near_card: bool) -> str:
    """The transition into clip `index` for a `--transition` value (deterministic per seed)."""
    name = check_transition(option)
    if name != "auto":
        return name
    if near_card:
        return "fade"
    from ad2video.motion import seeded_unit

    choices = [k for k in AUTO if k != previous]
    return choices[int(seeded_unit(seed, index, "transition") * len(choices))]
