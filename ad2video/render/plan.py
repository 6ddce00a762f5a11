"""What a compiled render is made of: inputs, graph text, output labels (plain data)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ad2video.render.pictures import Picture


@dataclass(frozen=True)
class InputSpec:
    path: str
    options: tuple[str, ...] = ()  # ffmpeg options placed before this input's -i

    def args(self) -> list[str]:
        return [*self.options, "-i", self.path]


@dataclass(frozen=True)
class RenderSources:
    """Resolved file paths the graph refers to (the caller resolves them against run_dir)."""

    images: tuple[str, ...]  # one per timeline clip, in order
    narration: tuple[str, ...] = ()  # one per timeline.narration entry
    music: str | None = None
    ass: str | None = None  # captions file; None burns no captions
    fonts_dir: str | None = None  # pinned fonts for libass
    logo: str | None = None  # logo picture (alpha honoured); None draws no logo


@dataclass(frozen=True)
class RenderPlan:
    inputs: tuple[InputSpec, ...]
    graph: str  # filtergraph text, one chain per line
    video_label: str  # e.g. "[vout]"
    audio_label: str
    frames: int  # exact number of output video frames
    samples: int  # exact number of output audio samples at SAMPLE_RATE
    pictures: tuple[Picture, ...] = ()  # streamed, in order, to input 0 ("pipe:0")
    needs: tuple[int, ...] = ()  # output frame from which each picture is needed

    def input_args(self) -> list[str]:
        return [arg for spec in self.inputs for arg in spec.args()]
