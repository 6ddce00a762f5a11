"""`ad2video render --llm ...` through the real CLI against the fake OpenAI server: the
manifest says what happened, the trace has OpenInference spans, and the key is nowhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import car_listing, run_cli
from tests.llm_support import GOOD, KEY, fake, fake_server, reply

pytest.importorskip("openai")
pytest.importorskip("opentelemetry.sdk")
__all__ = ["fake", "fake_server"]  # fixtures
SIZE = "216x384"


def render(fake, *extra: str) -> tuple[Path, object]:
    listing = car_listing(fake.root / "listing")
    out = fake.root / "run"
    res = run_cli("render", str(listing), "-o", str(out), "--size", SIZE, "--locale", "en",
                  "--music", "none", "--config", str(fake.config()), *extra)
    return out, res


def _spans(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "trace.jsonl").read_text("utf-8").splitlines()]


def test_render_with_an_llm_traces_it_and_never_leaks_the_key(fake) -> None:
    fake.enqueue({"status": 429, "body": {"error": {"message": "slow"}},
                  "headers": {"Retry-After": "0"}}, reply(GOOD))
    out, res = render(fake, "--llm", "fake:fake-model", "--prompt", "script@v2")
    assert res.returncode == 0, res.stderr
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["backends"]["script"] == "llm:fake:fake-model"
    assert manifest["prompt"]["id"] == "script" and manifest["prompt"]["version"] == "v2"
    assert manifest["options"]["llm"] == "fake:fake-model"
    assert [c["outcome"] for c in manifest["llm"]["calls"]] == ["rate_limited", "accepted"]
    assert manifest["llm"]["cost_usd"] == 0.0002 and manifest["outputs"]["trace"] == "trace.jsonl"
    script = json.loads((out / "script.json").read_text("utf-8"))
    assert [s["narration"] for s in script["scenes"]] == GOOD
    # The key: sent to the server, written nowhere.
    assert fake.requests()[0]["headers"]["authorization"] == f"Bearer {KEY}"
    for path in out.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    assert KEY not in res.stdout + res.stderr
    # The trace: one trace, stage spans, LLM spans with OpenInference attributes.
    spans = _spans(out)
    assert len({s["trace_id"] for s in spans}) == 1
    by_id = {s["span_id"]: s for s in spans}
    stages = [s["name"] for s in spans if s["name"].startswith("stage.")]
    assert set(stages) >= {"stage.ingest", "stage.vision", "stage.script", "stage.narrate",
                           "stage.timeline", "stage.render"}
    llm = [s for s in spans if s["name"] == "llm.chat"]
    assert [s["status"] for s in llm] == ["ERROR", "UNSET"]
    attrs = llm[1]["attributes"]
    assert attrs["openinference.span.kind"] == "LLM"
    assert attrs["llm.model_name"] == "fake-model" and attrs["llm.provider"] == "fake"
    assert (attrs["llm.token_count.prompt"], attrs["llm.token_count.completion"]) == (100, 50)
    assert "SELLER_DESCRIPTION" in attrs["input.value"] and GOOD[0] in attrs["output.value"]
    parent = by_id[llm[1]["parent_id"]]
    assert parent["name"] == "script.provider"
    assert by_id[parent["parent_id"]]["name"] == "stage.script"
    assert all(by_id[s["parent_id"]]["name"] == "ad2video.run" for s in spans
               if s["name"].startswith("stage."))


def test_every_llm_down_renders_with_the_template_and_warns(fake) -> None:
    fake.enqueue(*[{"status": 503, "body": "down"}] * 2)
    out, res = render(fake, "--llm", "fake,template")
    assert res.returncode == 0, res.stderr
    assert "every LLM in the chain failed or was rejected" in res.stderr
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["backends"]["script"] == "template"
    assert [c["outcome"] for c in manifest["llm"]["calls"]] == [
        "server_error", "server_error", "accepted"]
    assert (out / "video.mp4").stat().st_size > 0


@pytest.mark.parametrize(("args", "env_drop", "message"), [
    (("--llm", "local:qwen2.5"), None, "error: unknown LLM endpoint 'local' in 'local:qwen2.5'"),
    (("--llm", "fake"), "FAKE_KEY", "error: LLM endpoint 'fake' needs an API key: set FAKE_KEY"),
    (("--llm", "fake", "--prompt", "script@v7"), None, "error: unknown prompt 'script@v7'"),
])
def test_llm_option_errors_are_one_line(fake, monkeypatch, args, env_drop, message) -> None:
    if env_drop:
        monkeypatch.delenv(env_drop)
    _, res = render(fake, *args)
    assert res.returncode == 2 and res.stderr.startswith(message), res.stderr
    assert "Traceback" not in res.stderr and KEY not in res.stderr


def test_render_help_lists_the_llm_options() -> None:
    res = run_cli("render", "--help")
    assert all(opt in res.stdout for opt in ("--llm", "--prompt", "--config"))
