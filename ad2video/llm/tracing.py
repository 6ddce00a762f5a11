"""OpenTelemetry spans per pipeline stage and per LLM call, with OpenInference attributes.

`run_trace(run_dir, settings)` opens a tracer for one run: spans go to `trace.jsonl` in the run
folder (one JSON object a line, written when the run ends) and, when configured, to an OTLP
endpoint. `span(...)` nests under the current one. Without the `llm` extra (no
opentelemetry-sdk) or outside a run, spans are no-ops: the offline core never needs it.
String attributes pass through `keys.redact`, so no API key reaches a trace.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from ad2video.fsutil import write_text
from ad2video.llm.config import TracingSettings
from ad2video.llm.keys import redact

TRACE_FILE = "trace.jsonl"
# OpenInference semantic conventions (github.com/Arize-ai/openinference, spec/semantic_conventions)
SPAN_KIND = "openinference.span.kind"
_CURRENT: ContextVar[Any] = ContextVar("ad2video_tracer", default=None)


def available() -> bool:
    """Is opentelemetry-sdk installed? (find_spec of a submodule raises when the parent
    package is missing.)"""
    try:
        return importlib.util.find_spec("opentelemetry.sdk") is not None
    except ImportError:
        return False


class Span:
    """What a `span` block may set; a no-op when tracing is off."""

    def __init__(self, span: Any = None) -> None:
        self._span = span

    def set(self, key: str, value: Any) -> None:
        if self._span is None or value is None:
            return
        if isinstance(value, str):
            value = redact(value)
        elif isinstance(value, dict | list):
            value = redact(json.dumps(value, ensure_ascii=False, sort_keys=True))
        self._span.set_attribute(key, value)

    def update(self, attributes: dict[str, Any]) -> None:
        for key, value in attributes.items():
            self.set(key, value)

    def error(self, message: str) -> None:
        if self._span is not None:
            from opentelemetry.trace import Status, StatusCode

            self._span.set_status(Status(StatusCode.ERROR, redact(message)))


@contextmanager
def span(name: str, kind: str, attributes: dict[str, Any] | None = None) -> Iterator[Span]:
    """A span under the current one (`kind`: OpenInference span kind, e.g. LLM, CHAIN)."""
    tracer = _CURRENT.get()
    if tracer is None:
        yield Span()
        return
    with tracer.start_as_current_span(name) as otel_span:
        handle = Span(otel_span)
        handle.update({SPAN_KIND: kind, **(attributes or {})})
        yield handle


def tracing_active() -> bool:
    return _CURRENT.get() is not None


@contextmanager
def run_trace(run_dir: Path, settings: TracingSettings) -> Iterator[bool]:
    """Trace everything inside the block; yields whether tracing is on."""
    if not available() or not (settings.jsonl or settings.otlp_endpoint) or _CURRENT.get():
        yield False
        return
    provider = _provider(run_dir, settings)
    token = _CURRENT.set(provider.get_tracer("ad2video"))
    try:
        with span("ad2video.run", "CHAIN", {"ad2video.run_dir": run_dir.name}):
            yield True  # one root span: every stage and call of the run shares its trace id
    finally:
        _CURRENT.reset(token)
        provider.shutdown()


def _provider(run_dir: Path, settings: TracingSettings) -> Any:
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    from ad2video import __version__

    # Our own provider, never the global one: one run's spans never leak into another's file.
    provider = TracerProvider(resource=Resource.create(
        {"service.name": "ad2video", "service.version": __version__}))
    if settings.jsonl:
        provider.add_span_processor(SimpleSpanProcessor(_jsonl_exporter(run_dir / TRACE_FILE)))
    if settings.otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=settings.otlp_endpoint, timeout=5)
        provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def _jsonl_exporter(path: Path) -> Any:
    from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

    class JsonlSpanExporter(SpanExporter):
        """Keeps finished spans and writes them as JSON lines (atomically) on shutdown."""

        def __init__(self) -> None:
            self.lines: list[str] = []

        def export(self, spans: Sequence[Any]) -> SpanExportResult:
            self.lines += [json.dumps(span_record(s), ensure_ascii=False) for s in spans]
            return SpanExportResult.SUCCESS

        def shutdown(self) -> None:
            if self.lines and path.parent.is_dir():
                with contextlib.suppress(OSError):  # a lost trace must not fail the run
                    write_text(path, "\n".join(self.lines) + "\n")

        def force_flush(self, timeout_millis: int = 30000) -> bool:
            return True

    return JsonlSpanExporter()


def span_record(span: Any) -> dict[str, Any]:
    """One finished span as plain JSON (ids in hex, times in ns since the epoch)."""
    ctx, parent = span.get_span_context(), span.parent
    return {
        "name": span.name,
        "trace_id": f"{ctx.trace_id:032x}",
        "span_id": f"{ctx.span_id:016x}",
        "parent_id": f"{parent.span_id:016x}" if parent else None,
        "start_ns": span.start_time,
        "end_ns": span.end_time,
        "status": span.status.status_code.name,
        "status_message": span.status.description,
        "attributes": {k: redact(v) if isinstance(v, str) else v
                       for k, v in dict(span.attributes or {}).items()},
        "events": [{"name": e.name, "attributes": {k: redact(str(v)) for k, v in
                                                   dict(e.attributes or {}).items()}}
                   for e in span.events],
    }
