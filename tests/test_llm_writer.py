"""The LLM script writer against a real HTTP server speaking OpenAI's protocol, driven by the
real `openai` SDK: one test per path, then injection and contact-detail cases from a table."""

from __future__ import annotations

import json

import pytest

from ad2video.contracts import Script
from ad2video.llm.script_prompt import DRAFT_SCHEMA
from ad2video.stages.script import ScriptOptions, check_script, run_with_report
from tests.llm_support import GOOD, KEY, LISTING, SHOTS, fake, fake_server, reply, with_scene

pytest.importorskip("openai")
__all__ = ["fake", "fake_server"]  # fixtures


def write(fake, chain: str = "fake,template", locale: str = "en", listing=LISTING,
          prompt: str | None = None, **endpoint) -> tuple[Script, dict]:
    config = fake.config(**endpoint)
    options = ScriptOptions(locale=locale, llm=chain, config=str(config), prompt=prompt)
    return run_with_report(listing, SHOTS, options)


def text_of(script: Script) -> str:
    return " ".join(s.narration for s in script.scenes)


def outcomes(report: dict) -> list[tuple[str, str, str]]:
    return [(c["provider"], c["turn"], c["outcome"]) for c in report["calls"]]


def test_valid_script_is_used_as_written(fake) -> None:
    fake.enqueue(reply(GOOD, ["Peugeot 208", None, "45,000 km"]))
    script, report = write(fake)
    assert script.writer == "llm:fake:fake-model"
    assert [s.narration for s in script.scenes] == GOOD
    assert [s.shots for s in script.scenes] == [[0], [1], [2]]
    assert script.scenes[0].on_screen_text == "Peugeot 208"
    assert {"year", "make", "model"} <= set(script.scenes[0].facts)
    assert "mileage" in script.scenes[2].facts
    assert script.prompt is not None and (script.prompt.id, script.prompt.version) == (
        "script", "v2")
    assert len(script.prompt.sha256) == 64
    assert check_script(script, LISTING) == []
    assert outcomes(report) == [("fake", "write", "accepted")]
    call = report["calls"][0]
    assert (call["prompt_tokens"], call["completion_tokens"], call["cost_usd"]) == (
        100, 50, 0.0002)  # 100 x $1/M + 50 x $2/M
    assert report["used"] == "fake:fake-model" and report["chain"] == ["fake:fake-model",
                                                                        "template"]
    body = fake.requests()[0]["body"]
    assert body["model"] == "fake-model" and body["seed"] == 0
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"] == DRAFT_SCHEMA
    assert fake.requests()[0]["headers"]["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize(("structured", "expected"), [
    ("json_object", {"type": "json_object"}), ("none", None),
    ("json_object_schema", {"type": "json_object", "schema": DRAFT_SCHEMA})])
def test_json_mode_where_there_is_no_schema_support(fake, structured, expected) -> None:
    fake.enqueue(reply(GOOD))
    script, _ = write(fake, structured=structured)
    assert script.writer == "llm:fake:fake-model"
    assert fake.requests()[0]["body"].get("response_format") == expected


def test_schema_invalid_json_gets_one_repair_turn(fake) -> None:
    bad = {"content": json.dumps({"scenes": [{"scene": 0, "text": "Hello"}]})}
    fake.enqueue(bad, reply(GOOD))
    script, report = write(fake, structured="json_object")
    assert [s.narration for s in script.scenes] == GOOD
    assert outcomes(report) == [("fake", "write", "schema_invalid"),
                                ("fake", "repair", "accepted")]
    assert any("narration" in v for v in report["calls"][0]["violations"])
    repair = fake.requests()[1]["body"]["messages"]
    assert [m["role"] for m in repair] == ["system", "user", "assistant", "user"]
    assert "rejected" in repair[-1]["content"] and "narration" in repair[-1]["content"]


def test_malformed_json_then_still_malformed_falls_back_to_template(fake) -> None:
    fake.enqueue({"content": '{"scenes": [{"scene": 0, "narration": "This is'},
                 {"content": "Sure! Here is your script: scene one..."})
    script, report = write(fake)
    assert script.writer == "template"
    assert outcomes(report) == [("fake", "write", "invalid_json"),
                                ("fake", "repair", "invalid_json"),
                                ("template", "template", "accepted")]
    assert "not valid JSON" in report["calls"][0]["violations"][0]


def test_wrong_scene_count_is_schema_invalid(fake) -> None:
    fake.enqueue(reply(GOOD[:2]), reply(GOOD))
    script, report = write(fake)
    assert script.writer.startswith("llm:")
    assert "numbered 0 to 2" in report["calls"][0]["violations"][0]


@pytest.mark.parametrize(("bad", "violation"), [
    ("It also has a sunroof and leather seats.", "feature 'sunroof' is not in the listing"),
    ("It has done 54,000 km so far.", "number '54,000' is not a listing fact"),
    ("It is a 5-door hatchback with 3 doors.", "'3 doors' does not match the listing"),
    ("It runs on diesel.", "fuel 'diesel' is not what the listing says"),
    ("It is offered at $12,500 with financing.", "price or currency mention '$'"),
    ("Yours for 12.500 dollars.", "price amount '12.500' is not a listing fact"),
    ("Don't miss this amazing car!", "banned phrase"),
    ("This is a best price car.", "banned phrase 'best price'"),  # the prompt file's own list
    ("Call +54 11 5555-4444 to see it.", "contact detail '+54 11 5555-4444'"),
    ("...", "the narration says nothing"),  # what SmolLM2-135M once wrote for a scene
])
def test_a_violation_gets_a_repair_turn_listing_it(fake, bad: str, violation: str) -> None:
    fake.enqueue(with_scene(2, bad), reply(GOOD))
    script, report = write(fake)
    assert [s.narration for s in script.scenes] == GOOD
    assert outcomes(report) == [("fake", "write", "rejected"), ("fake", "repair", "accepted")]
    found = report["calls"][0]["violations"]
    assert any(violation in v and v.startswith("scene 2") for v in found), found
    assert violation.split("'")[0] in fake.requests()[1]["body"]["messages"][-1]["content"]


def test_a_caption_longer_than_the_prompt_allows_is_a_violation(fake) -> None:
    long = "Imposible a la cabeza un baúl amigador"  # a tiny model's made-up caption
    fake.enqueue(reply(GOOD, [None, long, None]), reply(GOOD, [None, "Cabin", None]))
    script, report = write(fake)
    assert [s.on_screen_text for s in script.scenes] == [None, "Cabin", None]
    assert outcomes(report) == [("fake", "write", "rejected"), ("fake", "repair", "accepted")]
    assert report["calls"][0]["violations"] == ["scene 1: on-screen text of 7 words, more than 5"]


def test_violation_twice_goes_to_the_next_provider(fake) -> None:
    fake.enqueue(with_scene(1, "It has a sunroof."), with_scene(1, "It has a sunroof, really."),
                 reply(GOOD))
    config = fake.config(f'[endpoints.backup]\nbase_url = "{fake.base_url}"\n'
                         'model = "backup-model"\n')
    options = ScriptOptions(locale="en", llm="fake,backup", config=str(config))
    script, report = run_with_report(LISTING, SHOTS, options)
    assert script.writer == "llm:backup:backup-model"
    assert outcomes(report) == [("fake", "write", "rejected"), ("fake", "repair", "rejected"),
                                ("backup", "write", "accepted")]
    assert fake.requests()[2]["headers"]["authorization"] == "Bearer no-key"  # keyless local
    assert "sunroof" not in text_of(script)


def test_429_then_success_honours_retry_after(fake) -> None:
    fake.enqueue({"status": 429, "body": {"error": {"message": "slow down"}},
                  "headers": {"Retry-After": "0.3"}}, reply(GOOD))
    script, report = write(fake, backoff_s=5.0)  # Retry-After wins over the 5 s backoff
    assert script.writer.startswith("llm:")
    assert outcomes(report) == [("fake", "write", "rate_limited"), ("fake", "write", "accepted")]
    assert [c["attempt"] for c in report["calls"]] == [1, 2]
    assert report["calls"][0]["status"] == 429 and report["calls"][0]["waited_s"] == 0.3


def test_5xx_backs_off_exponentially_then_falls_back(fake) -> None:
    fail = {"status": 503, "body": {"error": {"message": "overloaded"}}}
    fake.enqueue(fail, fail, fail)
    script, report = write(fake, max_retries=2, backoff_s=0.05)
    assert script.writer == "template"
    assert outcomes(report)[:3] == [("fake", "write", "server_error")] * 3
    assert [c["waited_s"] for c in report["calls"][:3]] == [0.05, 0.1, 0.0]
    assert len(fake.requests()) == 3


def test_500_then_success(fake) -> None:
    fake.enqueue({"status": 500, "body": "oops"}, reply(GOOD))
    script, report = write(fake)
    assert script.writer.startswith("llm:")
    assert outcomes(report) == [("fake", "write", "server_error"), ("fake", "write", "accepted")]


def test_time_out_is_retried_then_falls_back(fake) -> None:
    slow = {**reply(GOOD), "sleep": 1.5}
    fake.enqueue(slow, slow)
    script, report = write(fake, timeout_s=0.3, max_retries=1)
    assert script.writer == "template"
    assert outcomes(report)[:2] == [("fake", "write", "timeout")] * 2
    assert all(c["latency_s"] < 1.2 for c in report["calls"][:2])


def test_every_provider_down_gives_the_template(fake) -> None:
    config = fake.config('[endpoints.down]\nbase_url = "http://127.0.0.1:9/v1"\n'
                         'model = "m"\nmax_retries = 0\ntimeout_s = 2\n')
    fake.enqueue(*[{"status": 502, "body": "bad gateway"}] * 2)
    options = ScriptOptions(locale="es-AR", llm="fake,down,template", config=str(config))
    script, report = run_with_report(LISTING, SHOTS, options)
    assert script.writer == "template" and script.locale == "es-AR"
    assert outcomes(report) == [("fake", "write", "server_error"),
                                ("fake", "write", "server_error"),
                                ("down", "write", "connection_error"),
                                ("template", "template", "accepted")]
    assert check_script(script, LISTING) == []


def test_cache_hit_makes_no_request(fake) -> None:
    fake.enqueue(reply(GOOD))
    first, _ = write(fake)
    second, report = write(fake)
    assert second == first and len(fake.requests()) == 1
    assert report["calls"][0]["cached"] is True and report["calls"][0]["cost_usd"] == 0
    assert list((fake.root / "cache" / "llm").rglob("*.json"))


def test_prompt_versions_and_locale_variants(fake) -> None:
    fake.enqueue(reply(GOOD), reply(GOOD))
    v1, _ = write(fake, prompt="script@v1")
    assert v1.prompt is not None and v1.prompt.version == "v1"
    es_ar, _ = write(fake, locale="es-AR")  # GOOD is English: the checker does not mind
    assert es_ar.prompt is not None and es_ar.prompt.sha256 != v1.prompt.sha256
    system = fake.requests()[1]["body"]["messages"][0]["content"]
    assert "Rioplatense" in system and "voseo" in system and "nafta" in system
    user = fake.requests()[1]["body"]["messages"][1]["content"]
    assert '"mileage": "45.000 km"' in user and "12500" not in user and "12.500" not in user
