"""`ad2video eval --judge`: the LLM judge (ad2video.llm.judge) against the fake OpenAI server."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import car_listing, run_cli
from tests.llm_support import KEY, fake, fake_server

pytest.importorskip("openai")
__all__ = ["fake", "fake_server"]  # fixtures


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("judge")
    run = root / "run"
    res = run_cli("render", str(car_listing(root / "listing")), "-o", str(run), "--size",
                  "144x256", "--fps", "10", "--locale", "en", "--music", "none")
    assert res.returncode == 0, res.stderr
    return run


def test_eval_with_judge(fake, rendered: Path, tmp_path: Path) -> None:
    run = shutil.copytree(rendered, tmp_path / "run")
    scenes = json.loads((run / "script.json").read_text(encoding="utf-8"))["scenes"]
    verdicts = [{"scene": i, "truthfulness": 5 - i, "tone": 4, "price_mention": False,
                 "unsupported": [], "comment": f"scene {i} fine"} for i in range(len(scenes))]
    fake.enqueue({"content": json.dumps({"scenes": verdicts})})
    res = run_cli("eval", str(run), "--judge", "fake:judge-model", "--llm-config",
                  str(fake.config()))
    assert res.returncode == 0, res.stderr
    data = json.loads((run / "eval.json").read_text(encoding="utf-8"))
    judge = data["runs"][0]["judge"]
    assert judge["status"] == "ok" and judge["provider"] == "fake:judge-model"
    assert judge["tone"] == 4 and len(judge["scenes"]) == len(scenes)
    assert data["runs"][0]["script"]["scenes"][1]["judge"]["comment"] == "scene 1 fine"
    assert data["judge"] == "LLM judge: fake:judge-model"
    html = (run / "report.html").read_text(encoding="utf-8")
    assert "scene 1 fine" in html and KEY not in html and KEY not in res.stderr
    assert len(fake.requests()) == 1


def test_judge_failure_is_recorded_not_fatal(fake, rendered: Path, tmp_path: Path) -> None:
    run = shutil.copytree(rendered, tmp_path / "run")
    fake.enqueue({"status": 400, "body": {"error": {"message": "bad model"}}})
    res = run_cli("eval", str(run), "--judge", "fake:judge-model", "--llm-config",
                  str(fake.config()))
    assert res.returncode == 0, res.stderr
    result = json.loads((run / "eval.json").read_text(encoding="utf-8"))["runs"][0]
    assert result["judge"]["status"] == "error" and "judge" in result["judge"]["note"]
    assert result["metrics"]["loudness_lufs"] is not None
