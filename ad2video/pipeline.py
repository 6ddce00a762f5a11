"""The render pipeline: run every stage in order, write each contract into the run folder."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from ad2video import __version__
from ad2video.contracts import Manifest, Narration, Script, StageRecord, Timeline
from ad2video.errors import UserError
from ad2video.fsutil import sha256_file, write_model
from ad2video.jobs import RenderJob, check_output_dir, resolve_music, resolve_size


class StageHook(Protocol):
    """Receives stage progress (the CLI shows it; batch jobs log it)."""

    def start(self, name: str) -> None: ...

    def done(self, name: str, note: str, seconds: float) -> None: ...


@dataclass
class _Run:
    """What one pipeline run accumulates for the manifest."""

    job: RenderJob
    run_dir: Path
    hook: StageHook | None
    stages: list[StageRecord] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sync_score: float | None = None  # ad2video.sync.sync_score of the timeline
    sync_fallbacks: list[str] = field(default_factory=list)  # scenes no photo shows
    llm: dict[str, Any] = field(default_factory=dict)  # the LLM writer's report (calls, cost)

    @contextmanager
    def stage(self, name: str, backend: str, output: str | None = None) -> Iterator[StageRecord]:
        from ad2video.llm import tracing

        record = StageRecord(name=name, backend=backend, wall_s=0.0, output=output)
        if self.hook:
            self.hook.start(name)
        t0 = time.perf_counter()
        with tracing.span(f"stage.{name}", "CHAIN", {"ad2video.stage": name}) as span:
            yield record
            span.update({"ad2video.backend": record.backend, "ad2video.note": record.note})
        record.wall_s = round(time.perf_counter() - t0, 3)
        self.stages.append(record)
        if self.hook:
            self.hook.done(name, record.note or record.backend, record.wall_s)


def render_listing(job: RenderJob, hook: StageHook | None = None) -> Manifest:
    """Run ingest -> vision -> script -> narrate -> timeline -> render for one listing,
    traced (trace.jsonl in the run folder, OTLP when configured; needs the `llm` extra)."""
    from ad2video.llm import tracing
    from ad2video.llm.config import load_config

    config = load_config(job.config)
    if job.llm or config.script.llm:  # a config error fails now, not after ingest and vision
        from ad2video.llm.keys import check_chain

        check_chain(job.llm or config.script.llm or "", config, job.prompt)
    with tracing.run_trace(job.out_dir, config.tracing):
        return _render_stages(job, hook, config.script.llm)


def plan_listing(job: RenderJob, hook: StageHook | None = None) -> Timeline:
    """Every stage before render (all fast) into job.out_dir; the timeline (for previews)."""
    from ad2video.llm.config import load_config

    return _plan_stages(job, hook, load_config(job.config).script.llm)[1].timeline


def _render_stages(job: RenderJob, hook: StageHook | None, default_llm: str | None) -> Manifest:
    from ad2video.stages import render

    run, done = _plan_stages(job, hook, default_llm)
    tl = done.timeline
    with run.stage("render", "ffmpeg", "video.mp4") as rec:
        ropts = render.RenderOptions(**job.render_options())
        result = render.run(tl, run.run_dir, run.run_dir, ropts)
        rec.note = f"{tl.width}x{tl.height} {tl.duration:.1f} s"
    return _write_manifest(run, done.ing, done.shots, done.scr, done.nar, tl, result,
                           done.locale)


@dataclass
class _Planned:
    """What the stages before render produced."""

    ing: Any
    shots: Any
    scr: Script
    nar: Narration
    timeline: Timeline
    locale: str


def _plan_stages(job: RenderJob, hook: StageHook | None,
                 default_llm: str | None) -> tuple[_Run, _Planned]:
    from ad2video import sync
    from ad2video.stages import ingest, narrate, timeline, vision

    width, height = resolve_size(job.format, job.size)
    music = resolve_music(job.music)
    run_dir = check_output_dir(job.out_dir)
    run = _Run(job=job, run_dir=run_dir, hook=hook)

    with run.stage("ingest", "pillow", "ingest.json") as rec:
        ing = ingest.run(job.source, run_dir, ingest.IngestOptions(title=job.title),
                         run.warnings)
        write_model(run_dir / "ingest.json", ing)
        rec.note = f"{len(ing.images)} photos, {len(ing.skipped)} skipped"
    for skipped in ing.skipped:
        run.warnings.append(f"image skipped: {skipped.source}: {skipped.reason}")
    locale = job.locale or default_locale(ing.listing.language)

    with run.stage("vision", job.vision, "shots.json") as rec:
        shots = vision.run(ing, run_dir, vision.make_options(
            backend=job.vision, threshold=job.vision_threshold, clip_model=job.clip_model,
            clip_pretrained=job.clip_pretrained, clip_weights=job.clip_weights,
            yolo_weights=job.yolo_weights))
        write_model(run_dir / "shots.json", shots)
        rec.backend = shots.backend
        rec.note = f"{len(shots.storyboard)} shots, {len(shots.dropped)} dropped"
        if shots.backend_reason and job.vision != "heuristic":
            rec.note += f" ({shots.backend_reason})"

    scr = _script_stage(run, ing, shots, locale, default_llm)

    with run.stage("narrate", job.tts, "narration.json") as rec:
        nar = narrate.run(scr, run_dir, narrate.NarrateOptions(
            engine=job.tts, voice=job.voice, **({"rate_wpm": job.rate} if job.rate else {})))
        scr, nar = fit_duration(scr, nar, job.max_duration, run.warnings)
        write_model(run_dir / "script.json", scr)
        write_model(run_dir / "narration.json", nar)
        rec.backend = f"{nar.engine}:{nar.voice}"
        rec.note = f"{nar.total:.1f} s of speech"

    with run.stage("timeline", "rules", "timeline.json") as rec:
        topts = timeline.TimelineOptions(
            width=width, height=height, fps=job.fps, seed=job.seed, music=music,
            captions=job.captions, transition=job.transition,
            caption_style=job.caption_style(), logo=job.logo_spec())
        tl = timeline.run(ing, shots, scr, nar, run_dir, topts)
        run.sync_score = sync.sync_score(tl, scr, shots, ing.listing.domain)
        write_model(run_dir / "timeline.json", tl)
        rec.note = f"{len(tl.clips)} clips, {tl.duration:.1f} s"
    return run, _Planned(ing, shots, scr, nar, tl, locale)


def _script_stage(run: _Run, ing: Any, shots: Any, locale: str,
                  default_llm: str | None) -> Script:
    """The script stage: written (LLM chain or template), then each sentence put on its photo."""
    from ad2video import sync
    from ad2video.stages import script

    job = run.job
    with run.stage("script", job.writer, "script.json") as rec:
        opts = script.ScriptOptions(locale=locale, writer=job.writer, seed=job.seed,
                                    llm=job.llm or default_llm, prompt=job.prompt,
                                    config=job.config)
        scr, run.llm = script.run_with_report(ing.listing, shots, opts)
        rec.backend = scr.writer
        if run.llm and run.llm["used"] == "template" and len(run.llm["chain"]) > 1:
            run.warnings.append("every LLM in the chain failed or was rejected: the template "
                                "wrote the script (see manifest.json llm.calls)")
        synced = sync.assign_shots(scr, shots, ing.listing.domain)  # sentence on its photo
        scr, run.sync_fallbacks = synced.script, synced.fallbacks
        run.warnings += synced.fallbacks
        rec.note = f"{len(scr.scenes)} scenes, {locale}"
    return scr


def default_locale(language: str) -> str:
    """The output locale for a listing written in `language` (en when unsupported)."""
    lang = language.replace("_", "-").lower()
    if lang in ("es-ar", "es-uy"):
        return "es-AR"
    if lang.startswith("es"):
        return "es"
    if lang.startswith("pt"):
        return "pt-BR"
    return "en"


def fit_duration(scr: Script, nar: Narration, limit: float | None,
                 warnings: list[str]) -> tuple[Script, Narration]:
    """Drop trailing scenes (never the first) until the video fits `limit` seconds."""
    if limit is None:
        return scr, nar
    cards = scr.title_card.duration + scr.end_card.duration
    scenes, audio = list(scr.scenes), list(nar.scenes)
    while len(scenes) > 1 and cards + sum(a.duration + nar.pause for a in audio) > limit:
        scenes.pop(-2 if len(scenes) > 2 else -1)
        audio.pop(-2 if len(audio) > 2 else -1)
    total = cards + sum(a.duration + nar.pause for a in audio)
    if total > limit:
        raise UserError(f"--max-duration {limit:g} is shorter than the shortest possible video "
                        f"({total:.1f} s)")
    dropped = len(scr.scenes) - len(scenes)
    if dropped:
        warnings.append(f"dropped {dropped} scene(s) to fit --max-duration {limit:g}")
    return scr.model_copy(update={"scenes": scenes}), nar.model_copy(update={"scenes": audio})


def _rel(path: str, root: Path) -> str:
    """Paths in the manifest are relative to the run folder (no user home paths leak)."""
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return Path(path).name


def _write_manifest(run: _Run, ing, shots, scr, nar, tl, result, locale: str) -> Manifest:
    inputs = {img.source: img.sha256 for img in ing.images}
    if ing.listing_file:
        inputs[Path(ing.listing_file).name] = sha256_file(Path(ing.listing_file))
    options: dict[str, Any] = {k: (str(v) if isinstance(v, Path) else v)
                               for k, v in asdict(replace(run.job, locale=locale)).items()}
    manifest = Manifest(
        tool_version=__version__, listing_id=ing.listing.id, options=options, inputs=inputs,
        backends={"vision": shots.backend, "script": scr.writer,
                  "narrate": f"{nar.engine}:{nar.voice}", "render": "ffmpeg"},
        stages=run.stages, warnings=run.warnings, skipped_images=ing.skipped,
        dropped_shots=shots.dropped, prompt=scr.prompt, llm=run.llm,
        sync_score=run.sync_score, sync_fallbacks=run.sync_fallbacks,
        ffmpeg={"version": result.ffmpeg_version, "encoder": result.encoder,
                "encode_wall_s": f"{result.encode_wall_s:.3f}",
                "max_rss_mb": f"{result.ffmpeg_max_rss_mb:.0f}"},
        outputs={name: _rel(getattr(result, name), run.run_dir)
                 for name in ("video", "srt", "vtt", "ass", "poster", "graph")},
        video={"width": tl.width, "height": tl.height, "fps": tl.fps, "duration": tl.duration,
               "frames": result.frames, "clips": len(tl.clips), "scenes": len(scr.scenes)},
    )
    from ad2video.llm import tracing

    if tracing.tracing_active():  # written when the run's trace closes, right after this
        manifest.outputs["trace"] = tracing.TRACE_FILE
    write_model(run.run_dir / "manifest.json", manifest)
    return manifest
