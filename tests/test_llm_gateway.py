"""Gateway parts: config lookup, chains, keys, rate limits, prompts, tracing, the judge."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from ad2video.contracts import LOCALES, Card, Scene, Script
from ad2video.errors import UserError
from ad2video.llm import tracing
from ad2video.llm.config import Endpoint, load_config, parse_chain
from ad2video.llm.gateway import Gateway, cost_usd
from ad2video.llm.keys import check_chain, redact, resolve_key
from ad2video.llm.prompts import available, load_prompt
from ad2video.llm.providers import retry_after
from ad2video.llm.ratelimit import RateLimiter, TokenBucket
from tests.llm_support import GOOD, KEY, LISTING, fake, fake_server, reply

__all__ = ["fake", "fake_server"]  # fixtures


# --------------------------------------------------------------------------- config and keys


def test_config_lookup_order(fake, tmp_path: Path) -> None:
    assert load_config().source is None  # nothing in ./ or $XDG_CONFIG_HOME: built-ins
    assert set(load_config().endpoints) == {"openai"}
    home = tmp_path / "xdg" / "ad2video" / "config.toml"
    home.parent.mkdir(parents=True)
    home.write_text('[endpoints.home]\nbase_url = "http://127.0.0.1:1/v1"\n', "utf-8")
    assert load_config().source == str(home) and "home" in load_config().endpoints
    local = fake.config()
    assert load_config().source == "ad2video.toml" and "fake" in load_config().endpoints
    assert load_config(str(local)).endpoints["fake"].base_url == fake.base_url
    with pytest.raises(UserError, match=r"config file not found: nope\.toml"):
        load_config("nope.toml")


def test_bad_config_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[endpoints.x]\nrpm = -1\n', "utf-8")
    with pytest.raises(UserError, match=r"endpoints\.x\.rpm: Input should be greater than 0"):
        load_config(path)
    path.write_text("[endpoints\n", "utf-8")
    with pytest.raises(UserError, match="cannot read it"):
        load_config(path)


def test_chain_parsing(fake) -> None:
    config = load_config(fake.config())
    assert [link.label for link in parse_chain("fake:m1, openai ,template", config)] == [
        "fake:m1", "openai:gpt-4o-mini", "template"]
    assert [link.label for link in parse_chain("fake", config)] == ["fake:fake-model",
                                                                    "template"]
    with pytest.raises(UserError, match=r"unknown LLM endpoint 'local' in 'local:qwen2.5' "
                                         r"\(configured: fake, openai;"):
        parse_chain("openai:gpt-4o-mini,local:qwen2.5,template", config)


def test_missing_key_says_exactly_what_to_set(fake, monkeypatch) -> None:
    monkeypatch.delenv("FAKE_KEY")
    config = load_config(fake.config())
    with pytest.raises(UserError) as err:
        check_chain("fake,template", config)
    keys = fake.root / "keys.json"
    assert str(err.value) == (f"LLM endpoint 'fake' needs an API key: set FAKE_KEY (export "
                              f"FAKE_KEY=...) or add \"fake\" to {keys}")


def test_keys_explicit_then_file_then_env(fake) -> None:
    config = load_config(fake.config())
    endpoint = config.endpoints["fake"]
    assert resolve_key(endpoint, config) == KEY
    (fake.root / "keys.json").write_text(json.dumps({"fake": "sk-from-file-xyz"}), "utf-8")
    assert resolve_key(endpoint, config) == "sk-from-file-xyz"
    assert resolve_key(endpoint, config, explicit="sk-explicit-xyz") == "sk-explicit-xyz"
    assert redact(f"key={KEY} other=sk-from-file-xyz") == "key=[redacted] other=[redacted]"


def test_keys_file_key_is_the_one_sent(fake) -> None:
    pytest.importorskip("openai")
    (fake.root / "keys.json").write_text(json.dumps({"fake": "sk-file-key-123"}), "utf-8")
    fake.enqueue(reply(GOOD))
    config = load_config(fake.config())
    Gateway(config).complete(parse_chain("fake", config)[0], [{"role": "user", "content": "x"}],
                             prompt_sha="p")
    assert fake.requests()[0]["headers"]["authorization"] == "Bearer sk-file-key-123"


def test_cost_uses_the_price_table() -> None:
    config = load_config(None)
    assert cost_usd(config, "gpt-4o-mini", 1_000_000, 1_000_000) == 0.75
    assert cost_usd(config, "gpt-4o-mini-2024-07-18", 1000, 0) == 0.00015
    assert cost_usd(config, "unknown-model", 1000, 1000) is None


@pytest.mark.parametrize(("headers", "seconds"), [
    ({"retry-after": "2"}, 2.0), ({"retry-after-ms": "150"}, 0.15), ({}, None),
    ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0), ({"retry-after": "soon"}, None)])
def test_retry_after_forms(headers, seconds) -> None:
    assert retry_after(headers) == seconds


# --------------------------------------------------------------------------- rate limits


def test_token_bucket_with_a_fake_clock() -> None:
    now = [0.0]
    bucket = TokenBucket(per_minute=60, burst_s=2, clock=lambda: now[0])  # 1/s, 2 at once
    assert bucket.wait_time(1) == 0
    bucket.take(1)
    bucket.take(1)
    assert bucket.wait_time(1) == pytest.approx(1.0)
    now[0] = 0.5
    assert bucket.wait_time(1) == pytest.approx(0.5)


def test_limiter_waits_for_requests_and_tokens() -> None:
    now, slept = [0.0], []

    def sleep(s: float) -> None:
        slept.append(round(s, 3))
        now[0] += s

    endpoint = Endpoint(name="x", rpm=60, tpm=600, burst_s=1)  # 1 request, 10 tokens at once
    limiter = RateLimiter(endpoint, clock=lambda: now[0], sleep=sleep)
    assert limiter.acquire(5) == 0
    assert limiter.acquire(5) == pytest.approx(1.0)  # the request bucket is empty for 1 s
    assert limiter.acquire(10) == pytest.approx(1.0)  # now the token bucket needs 1 s more
    assert slept == [1.0, 1.0]


def test_rate_limit_spaces_real_calls(fake) -> None:
    pytest.importorskip("openai")
    fake.enqueue(*[reply(GOOD)] * 3)
    config = load_config(fake.config(rpm=300, burst_s=0.2))  # 5 a second, 1 at once
    gateway, link = Gateway(config), parse_chain("fake", config)[0]
    t0 = time.perf_counter()
    records = [gateway.complete(link, [{"role": "user", "content": f"n{i}"}], prompt_sha="p")
               .record for i in range(3)]
    assert time.perf_counter() - t0 >= 0.35
    assert records[0].waited_s == 0 and records[2].waited_s > 0.1


# --------------------------------------------------------------------------- prompts


def test_prompt_files_are_versioned_per_locale() -> None:
    assert available("script") == ["v1", "v2"]
    for version in ("v1", "v2"):
        prompt = load_prompt(f"script@{version}")
        assert (prompt.id, prompt.version) == ("script", version)
        assert set(prompt.locales) == set(LOCALES) and len(prompt.sha256) == 64
    v2 = load_prompt("script@v2")
    assert "voseo" in " ".join(v2.locales["es-AR"].rules)
    assert v2.duration.max_words == 112 and v2.scenes.max == 8
    with pytest.raises(UserError, match=r"unknown prompt 'script@v9' \(available: "
                                        r"script@v1, script@v2\)"):
        load_prompt("script@v9")


# --------------------------------------------------------------------------- tracing


def test_otlp_export_when_configured(fake) -> None:
    pytest.importorskip("opentelemetry.exporter.otlp.proto.http")
    config = load_config(fake.config(
        f'[tracing]\notlp_endpoint = "http://127.0.0.1:{fake.port}/v1/traces"\n'))
    with tracing.run_trace(fake.root, config.tracing), tracing.span("stage.x", "CHAIN"):
        pass
    posts = fake.otlp_posts()
    headers = {k.lower(): v for k, v in posts[0]["headers"].items()}
    assert headers["content-type"] == "application/x-protobuf"
    lines = (fake.root / tracing.TRACE_FILE).read_text("utf-8").splitlines()
    assert [json.loads(line)["name"] for line in lines] == ["stage.x", "ad2video.run"]


def test_no_trace_without_a_run() -> None:
    with tracing.span("x", "LLM") as span:
        span.set("a", 1)  # a no-op, not an error
    assert not tracing.tracing_active()


# --------------------------------------------------------------------------- judge


def _script() -> Script:
    scenes = [Scene(index=i, topic=t, shots=[i], narration=n) for i, (t, n) in enumerate(
        zip(["intro", "interior", "rear"], [GOOD[0], "It has a sunroof.", GOOD[2]],
            strict=True))]
    return Script(listing_id=LISTING.id, locale="en", writer="test", scenes=scenes,
                  title_card=Card(kind="title", heading="Peugeot 208", duration=2),
                  end_card=Card(kind="end", heading="Message the seller", duration=2))


def test_judge_scores_each_scene_and_keeps_the_checkers_findings(fake) -> None:
    pytest.importorskip("openai")
    from ad2video.llm.judge import judge_script

    verdicts = [{"scene": i, "truthfulness": t, "tone": 5, "price_mention": False,
                 "unsupported": u, "comment": ""}
                for i, (t, u) in enumerate([(5, []), (1, ["sunroof"]), (5, [])])]
    fake.enqueue({"content": "not json"}, {"content": json.dumps({"scenes": verdicts})})
    config = load_config(fake.config())
    report = judge_script(_script(), LISTING, "fake:judge-model", config)
    assert [s.truthfulness for s in report.scenes] == [5, 1, 5]
    assert report.truthfulness == pytest.approx(11 / 3, abs=1e-3) and report.tone == 5
    assert report.scenes[1].claim_violations == [
        "scene 1: feature 'sunroof' is not in the listing"]
    assert report.claim_violations == 1 and report.price_mentions == 0
    assert [c.outcome for c in report.calls] == ["schema_invalid", "accepted"]
    assert (report.prompt.id, report.provider) == ("judge", "fake:judge-model")
    sent = fake.requests()[0]["body"]
    assert sent["model"] == "judge-model" and "It has a sunroof." in sent["messages"][1]["content"]
    with pytest.raises(UserError, match="the judge needs an LLM endpoint"):
        judge_script(_script(), LISTING, "template", config)
