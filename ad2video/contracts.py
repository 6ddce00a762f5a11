"""Pydantic contracts between pipeline stages.

Every arrow of the pipeline (ingest -> vision -> script -> narrate -> timeline -> render) is one
of these models, written as JSON into the run folder so any stage can be inspected, cached or
re-run. Paths inside models are relative to the run folder unless stated otherwise.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION = "1"

Scalar = str | int | float | bool
LocaleCode = Literal["en", "es", "es-AR", "pt-BR"]
LOCALES: tuple[str, ...] = ("en", "es", "es-AR", "pt-BR")


class Strict(BaseModel):
    """Base for contracts: unknown keys are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- listing


class Domain(StrEnum):
    car = "car"
    real_estate = "real_estate"
    other = "other"


class Fuel(StrEnum):
    gasoline = "gasoline"
    diesel = "diesel"
    hybrid = "hybrid"
    plug_in_hybrid = "plug_in_hybrid"
    electric = "electric"
    lpg = "lpg"
    cng = "cng"
    flex = "flex"


class Transmission(StrEnum):
    manual = "manual"
    automatic = "automatic"
    cvt = "cvt"
    dual_clutch = "dual_clutch"


class Body(StrEnum):
    hatchback = "hatchback"
    sedan = "sedan"
    suv = "suv"
    crossover = "crossover"
    pickup = "pickup"
    coupe = "coupe"
    convertible = "convertible"
    wagon = "wagon"
    van = "van"
    minivan = "minivan"
    motorcycle = "motorcycle"


class Quantity(Strict):
    """A number with its unit, e.g. 45000 km or 120 m2."""

    value: float = Field(ge=0, le=1e9, allow_inf_nan=False)
    unit: str = Field(min_length=1, max_length=8)


class Mileage(Quantity):
    unit: Literal["km", "mi"] = "km"


class Area(Quantity):
    unit: Literal["m2", "ft2"] = "m2"


class _Attributes(BaseModel):
    """Typed facts plus free key/values: unknown keys are kept in `extra`, never dropped."""

    model_config = ConfigDict(extra="forbid")

    features: list[str] = Field(default_factory=list, max_length=100)
    extra: dict[str, Scalar] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _collect_extra(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("extra") or {}, dict):
            return data  # validation names what is wrong ('extra' must be an object)
        known = set(cls.model_fields)
        extra = dict(data.get("extra") or {})
        typed = {k: v for k, v in data.items() if k in known}
        for key, value in data.items():
            if key not in known:
                extra[str(key)] = value
        typed["extra"] = extra
        return typed


class CarAttributes(_Attributes):
    make: str | None = Field(default=None, max_length=60)
    model: str | None = Field(default=None, max_length=80)
    version: str | None = Field(default=None, max_length=80)
    year: int | None = Field(default=None, ge=1886, le=2100)
    mileage: Mileage | None = None
    fuel: Fuel | None = None
    transmission: Transmission | None = None
    body: Body | None = None
    colour: str | None = Field(default=None, max_length=40)
    engine: str | None = Field(default=None, max_length=40, description="e.g. '1.6 TSI'")
    doors: int | None = Field(default=None, ge=1, le=8)
    owners: int | None = Field(default=None, ge=0, le=50)


class HomeAttributes(_Attributes):
    property_type: str | None = Field(default=None, max_length=40)
    bedrooms: int | None = Field(default=None, ge=0, le=100)
    bathrooms: int | None = Field(default=None, ge=0, le=100)
    area: Area | None = None
    floors: int | None = Field(default=None, ge=0, le=200)
    parking: int | None = Field(default=None, ge=0, le=100)


class OtherAttributes(_Attributes):
    pass


class Price(Strict):
    """Kept for completeness; never spoken, never shown."""

    amount: float = Field(ge=0)
    currency: str = Field(min_length=1, max_length=8)


class ListingImage(Strict):
    file: str = Field(min_length=1, max_length=1024)
    caption: str | None = Field(default=None, max_length=500)
    view: str | None = Field(default=None, max_length=60, description="angle hint, e.g. 'rear'")


class Listing(Strict):
    """A marketplace listing: the only source of facts for the video."""

    schema_version: str = SCHEMA_VERSION
    id: str = Field(min_length=1, max_length=200)
    domain: Domain = Domain.other
    language: str = Field(default="en", max_length=10, description="language of the source text")
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=20_000)
    attributes: CarAttributes | HomeAttributes | OtherAttributes = Field(
        default_factory=OtherAttributes
    )
    price: Price | None = None
    images: list[ListingImage] = Field(default_factory=list, max_length=500)

    @model_validator(mode="before")
    @classmethod
    def _typed_attributes(cls, data: Any) -> Any:
        """Pick the attribute model from `domain` so errors name the right fields."""
        if not isinstance(data, dict):
            return data
        attrs = data.get("attributes")
        if attrs is None or not isinstance(attrs, dict):
            return data
        model = {"car": CarAttributes, "real_estate": HomeAttributes}.get(
            str(data.get("domain", "other")), OtherAttributes
        )
        return {**data, "attributes": model.model_validate(attrs)}

    @field_validator("title", "description", mode="before")
    @classmethod
    def _strip(cls, v: Any) -> Any:
        return v.strip() if isinstance(v, str) else v


# --------------------------------------------------------------------------- ingest


class PreparedImage(Strict):
    """A decoded, orientation-fixed, 8-bit sRGB copy of one listing photo."""

    index: int = Field(ge=0, description="position in listing.images")
    source: str = Field(description="file name as given in the listing")
    path: str = Field(description="normalised JPEG inside the run folder")
    width: int = Field(gt=0)
    height: int = Field(gt=0)
    sha256: str = Field(description="hash of the source file bytes")
    caption: str | None = None
    view_hint: str | None = None


class SkippedImage(Strict):
    source: str
    reason: str


class IngestResult(Strict):
    listing: Listing
    listing_file: str | None = Field(default=None, description="absolute path, if any")
    images: list[PreparedImage]
    skipped: list[SkippedImage] = Field(default_factory=list)


# --------------------------------------------------------------------------- vision


class Box(Strict):
    """Normalised box (0..1) in image coordinates."""

    x: float = Field(ge=0, le=1)
    y: float = Field(ge=0, le=1)
    w: float = Field(gt=0, le=1)
    h: float = Field(gt=0, le=1)


class Quality(Strict):
    sharpness: float = Field(ge=0, description="variance of Laplacian on a 512px copy")
    exposure: float = Field(ge=0, le=1, description="mean luma 0..1")
    megapixels: float = Field(ge=0)


class Shot(Strict):
    image: int = Field(ge=0, description="PreparedImage.index")
    angle: str = Field(description="angle/topic tag from the domain taxonomy, or 'unknown'")
    confidence: float = Field(ge=0, le=1)
    source: str = Field(description="what decided the tag: hint, filename, caption, order, clip")
    subject: Box | None = None
    quality: Quality | None = None
    duplicate_of: int | None = None


class DroppedShot(Strict):
    image: int
    reason: str


class Shots(Strict):
    backend: str
    backend_reason: str | None = Field(default=None, description="why this backend ran")
    shots: list[Shot]
    storyboard: list[int] = Field(description="image indices in screen order")
    dropped: list[DroppedShot] = Field(default_factory=list)


# --------------------------------------------------------------------------- script


class Card(Strict):
    """A full-screen text card (title or end)."""

    kind: Literal["title", "end"]
    heading: str
    lines: list[str] = Field(default_factory=list)
    duration: float = Field(gt=0, le=10)


class PromptRef(Strict):
    id: str
    version: str
    sha256: str


class Scene(Strict):
    index: int = Field(ge=0)
    topic: str = Field(description="angle/topic the sentence talks about, e.g. 'interior'")
    shots: list[int] = Field(min_length=1, description="image indices shown, in order")
    narration: str = Field(min_length=1, max_length=600)
    on_screen_text: str | None = Field(default=None, max_length=80)
    facts: list[str] = Field(default_factory=list, description="listing fact keys used")


class Script(Strict):
    listing_id: str
    locale: LocaleCode
    writer: str
    prompt: PromptRef | None = None
    title_card: Card
    end_card: Card
    scenes: list[Scene] = Field(min_length=1)


# --------------------------------------------------------------------------- narration


class WordTiming(Strict):
    """One written word and when it is spoken, in seconds from the scene audio start."""

    text: str
    start: float = Field(ge=0)
    end: float = Field(ge=0)
    char_start: int = Field(ge=0, description="offset in the narration text (characters)")
    char_end: int = Field(ge=0)


class SceneAudio(Strict):
    scene: int
    path: str = Field(description="WAV file inside the run folder")
    duration: float = Field(gt=0, description="measured length of the WAV, seconds")
    words: list[WordTiming]
    timing_method: str = Field(description="e.g. 'espeak-word-events', 'proportional'")


class Narration(Strict):
    engine: str
    voice: str
    sample_rate: int
    pause: float = Field(ge=0, description="silence kept after each scene, seconds")
    scenes: list[SceneAudio]

    @property
    def total(self) -> float:
        return sum(s.duration + self.pause for s in self.scenes)


# --------------------------------------------------------------------------- timeline


class Rect(Strict):
    """A crop window in source-image pixels (floats: motion is sub-pixel)."""

    x: float
    y: float
    w: float = Field(gt=0)
    h: float = Field(gt=0)


class Motion(Strict):
    kind: str = Field(description="zoom_in, zoom_out, pan_left, pan_right, pan_up, pan_down, still")
    start: Rect
    end: Rect
    easing: Literal["linear", "ease_in_out"] = "ease_in_out"


class Transition(Strict):
    kind: str = Field(default="fade", description="fade, slideleft, wipeleft, zoomin, cut, ...")
    duration: float = Field(default=0.5, ge=0, le=2)


class VisualClip(Strict):
    """One picture on screen from `start` to `end` (timeline seconds, transitions centred on
    the boundaries)."""

    kind: Literal["photo", "card"]
    start: float = Field(ge=0)
    end: float = Field(gt=0)
    image: str = Field(description="image file inside the run folder")
    image_width: int = Field(gt=0)
    image_height: int = Field(gt=0)
    motion: Motion
    transition_in: Transition = Field(default_factory=lambda: Transition(kind="cut", duration=0))
    scene: int | None = None
    image_index: int | None = None


class CaptionWord(Strict):
    text: str
    start: float
    end: float


class Caption(Strict):
    start: float
    end: float
    text: str
    words: list[CaptionWord] = Field(default_factory=list)


class AudioClip(Strict):
    path: str
    start: float = Field(ge=0)
    duration: float = Field(gt=0)
    gain_db: float = 0.0


class MusicBed(Strict):
    path: str = Field(description="absolute path or run-folder path of the music file")
    gain_db: float = -12.0
    duck: bool = True
    fade_in: float = 1.0
    fade_out: float = 2.0


class CaptionStyle(Strict):
    font: str = "Lato"
    size: int = Field(default=0, ge=0, description="font size in px; 0 = derived from height")
    primary_colour: str = "#FFFFFF"
    highlight_colour: str = "#FFD400"
    outline_colour: str = "#000000"
    position: Literal["bottom", "middle", "top"] = "bottom"
    karaoke: bool = True


class Logo(Strict):
    """A picture (PNG alpha honoured) kept in one corner of every frame."""

    path: str = Field(description="absolute path or run-folder path of the picture")
    position: Literal["top-left", "top-right", "bottom-left", "bottom-right"] = "top-right"
    width: float = Field(default=0.18, gt=0, le=1, description="share of the frame width")
    margin: float = Field(default=0.04, ge=0, le=0.25, description="share of the frame width")


class Timeline(Strict):
    width: int = Field(gt=0)
    height: int = Field(gt=0)
    fps: int = Field(gt=0, le=120)
    duration: float = Field(gt=0)
    clips: list[VisualClip] = Field(min_length=1)
    captions: list[Caption] = Field(default_factory=list)
    narration: list[AudioClip] = Field(default_factory=list)
    music: MusicBed | None = None
    loudness_lufs: float = -14.0
    true_peak_db: float = -1.0
    caption_style: CaptionStyle = Field(default_factory=CaptionStyle)
    seed: int = 0
    logo: Logo | None = None


# --------------------------------------------------------------------------- manifest


class StageRecord(Strict):
    name: str
    backend: str
    wall_s: float
    output: str | None = None
    note: str | None = None


class Manifest(Strict):
    tool: str = "ad2video"
    tool_version: str
    listing_id: str
    options: dict[str, Any]
    inputs: dict[str, str] = Field(description="input file -> sha256")
    backends: dict[str, str]
    stages: list[StageRecord] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    skipped_images: list[SkippedImage] = Field(default_factory=list)
    dropped_shots: list[DroppedShot] = Field(default_factory=list)
    ffmpeg: dict[str, str] = Field(default_factory=dict)
    outputs: dict[str, str] = Field(default_factory=dict)
    video: dict[str, Any] = Field(default_factory=dict)
    prompt: PromptRef | None = None
    llm: dict[str, Any] = Field(
        default_factory=dict, description="the LLM chain's calls: provider, model, turn, "
        "attempt, outcome, violations, tokens, cost, latency ({} without an LLM)")
    sync_score: float | None = Field(default=None, description="share of narration time the "
                                     "photo on screen shows the topic spoken (ad2video.sync)")
    sync_fallbacks: list[str] = Field(default_factory=list, description="scenes whose topic "
                                      "no photo shows, and what they were spoken over")
