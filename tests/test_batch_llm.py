"""A batch with an LLM writer (the fake OpenAI server): the summary carries each listing's cost,
and an edited LLM config counts as changed input."""

from __future__ import annotations

import json

import pytest

from tests.conftest import car_listing, run_cli
from tests.llm_support import GOOD, fake, fake_server, reply

pytest.importorskip("openai")
__all__ = ["fake", "fake_server"]  # fixtures


def test_batch_summary_has_llm_cost(fake) -> None:
    car_listing(fake.root / "listings" / "car", id="car")
    out = fake.root / "out"
    config = fake.config()
    args = ["batch", str(fake.root / "listings"), "-o", str(out), "--size", "144x256", "--fps",
            "10", "--locale", "en", "--music", "none", "--llm", "fake:fake-model",
            "--config", str(config)]
    fake.enqueue(reply(GOOD))
    res = run_cli(*args)
    assert res.returncode == 0, res.stderr
    (row,) = json.loads((out / "summary.json").read_text(encoding="utf-8"))["listings"]
    assert row["status"] == "ok" and row["cost_usd"] == pytest.approx(0.0002)
    assert "0.0002" in (out / "summary.csv").read_text(encoding="utf-8")
    # Same config: nothing to do. Another config (here: another price): rendered again.
    res = run_cli(*args)
    assert json.loads((out / "summary.json").read_text())["listings"][0]["status"] == "cached"
    # The LLM's reply comes from its response cache then: the re-render costs nothing.
    config.write_text(config.read_text().replace("output = 2.0", "output = 4.0"))
    res = run_cli(*args)
    assert res.returncode == 0, res.stderr
    (row,) = json.loads((out / "summary.json").read_text(encoding="utf-8"))["listings"]
    assert row["status"] == "ok" and row["cost_usd"] == 0.0
    assert len(fake.requests()) == 1
