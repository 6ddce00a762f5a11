"""Shared by the tests/test_llm_*.py files: the fake OpenAI server process and a listing.

`fake_server` (session) starts tests/fake_openai_server.py as its own process; `fake` (per
test) resets it, points an `ad2video.toml` at it and isolates keys, cache and config lookup
from the developer's own (HOME-level) files. Import the fixtures into a test module to use them.
"""

from __future__ import annotations

import json
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ad2video.contracts import Listing, Shot, Shots
from tests.conftest import car_listing
from tests.fake_http import spawn

SERVER = Path(__file__).with_name("fake_openai_server.py")
KEY = "sk-test-5eCr3t-0123456789abcdef"  # must never appear in any output



def _listing() -> Listing:
    """conftest's tiny car listing (the one the CLI tests render), without its photos."""
    with tempfile.TemporaryDirectory() as folder:
        path = car_listing(Path(folder), images=[]) / "listing.json"
        return Listing.model_validate(json.loads(path.read_text("utf-8")))


LISTING = _listing()
SHOTS = Shots(backend="hand", storyboard=[0, 1, 2], shots=[
    Shot(image=i, angle=a, confidence=0.9, source="hint")
    for i, a in enumerate(["front_3_4", "interior", "rear"])])
GOOD = [  # one narration per planned scene (intro, interior, rear): every claim is a fact
    "This is a 2019 Peugeot 208, a white hatchback.",
    "Inside, it has air conditioning and Bluetooth.",
    "It has done 45,000 km and runs on petrol with a manual gearbox.",
]


def reply(narrations: list[str], captions: list[str | None] | None = None) -> dict[str, Any]:
    """A scripted completion whose content is a Draft with these narrations."""
    captions = captions or [None] * len(narrations)
    scenes = [{"scene": i, "narration": n, "on_screen_text": c}
              for i, (n, c) in enumerate(zip(narrations, captions, strict=True))]
    return {"content": json.dumps({"scenes": scenes})}


def with_scene(index: int, text: str) -> dict[str, Any]:
    narrations = list(GOOD)
    narrations[index] = text
    return reply(narrations)


class Fake:
    """The running fake server, seen from one test."""

    def __init__(self, port: int, root: Path) -> None:
        self.port, self.root = port, root
        self.base_url = f"http://127.0.0.1:{port}/v1"

    def _call(self, path: str, data: Any = None) -> Any:
        body = None if data is None else json.dumps(data).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=body,
                                     method="GET" if data is None else "POST")
        with urllib.request.urlopen(req, timeout=5) as res:
            return json.loads(res.read() or b"null")

    def enqueue(self, *items: dict[str, Any]) -> None:
        self._call("/control/enqueue", {"responses": list(items)})

    def requests(self) -> list[dict[str, Any]]:
        return [r for r in self._call("/control/requests")["requests"]
                if r["path"].endswith("/chat/completions")]

    def otlp_posts(self) -> list[dict[str, Any]]:
        return [r for r in self._call("/control/requests")["requests"]
                if r["path"].endswith("/v1/traces")]

    def config(self, text: str = "", **endpoint: Any) -> Path:
        """An ad2video.toml with endpoint `fake` (fast retries) plus `text`; returns its path."""
        settings = {"base_url": self.base_url, "key_env": "FAKE_KEY", "model": "fake-model",
                    "max_retries": 1, "backoff_s": 0.01, "timeout_s": 5, **endpoint}
        lines = ["[endpoints.fake]"] + [f"{k} = {json.dumps(v)}" for k, v in settings.items()]
        lines += ["", '[prices."fake-model"]', "input = 1.0", "output = 2.0", "", text]
        path = self.root / "ad2video.toml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path


@pytest.fixture(scope="session")
def fake_server() -> Iterator[int]:
    with spawn(SERVER, "--max-seconds", "1800") as port:
        yield port


@pytest.fixture
def fake(fake_server: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Fake:
    server = Fake(fake_server, tmp_path)
    server._call("/control/reset", {})
    monkeypatch.setenv("FAKE_KEY", KEY)
    isolate(tmp_path, monkeypatch)
    return server


def isolate(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys, response cache and config lookup under `root`, never the developer's own."""
    monkeypatch.setenv("AD2VIDEO_CACHE", str(root / "cache"))
    monkeypatch.setenv("AD2VIDEO_KEYS_FILE", str(root / "keys.json"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(root / "xdg"))
    monkeypatch.chdir(root)
