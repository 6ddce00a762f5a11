"""The eval report in a real headless Chromium: it loads, a video plays, ratings export.

Needs Debian's chromium (`apt-get install -y chromium`, which decodes H.264) and the `browser`
extra (Playwright, driving that binary: no browser download); skipped without them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli, small_batch

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).is_file():
    pytest.skip("Chromium not installed (apt-get install -y chromium)", allow_module_level=True)

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--autoplay-policy=no-user-gesture-required"]
BAD = "A unique opportunity."


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = small_batch(tmp_path_factory.mktemp("report"))
    script = json.loads((out / "car-a" / "script.json").read_text(encoding="utf-8"))
    script["scenes"][0]["narration"] += " " + BAD
    (out / "car-a" / "script.json").write_text(json.dumps(script), encoding="utf-8")
    res = run_cli("eval", str(out), "--webm")
    assert res.returncode == 0, res.stderr
    return Path(res.stdout.strip())


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    profile = tmp_path_factory.mktemp("profile")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=ARGS,
            accept_downloads=True)
        yield context
        context.close()


def test_page_loads_and_flags_the_bad_sentence(report: Path, browser) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(report.as_uri())
    assert page.text_content("h1") == "ad2video evaluation: out"
    assert page.locator("section.run").count() == 2
    assert "no listing.json or listing.yaml" in page.text_content("section.failed")
    flag = page.locator("mark.flag")
    assert flag.count() == 1 and flag.text_content() == BAD
    assert "banned: banned phrase 'unique opportunity'" in flag.get_attribute("title")
    assert errors == []
    page.close()


PLAY = """async (format) => {
        const v = document.querySelector('video[data-run="car-a"]');
        if (format === "webm") {  // as a browser without H.264 would: only the WebM is left
            v.querySelector('source[type="video/mp4"]').remove();
            v.load();
        }
        v.muted = true;
        await v.play();
        const t0 = performance.now();
        while (v.currentTime < 0.5 && performance.now() - t0 < 15000)
            await new Promise(r => setTimeout(r, 50));
        return {t: v.currentTime, w: v.videoWidth, h: v.videoHeight, err: v.error && v.error.code,
                src: v.currentSrc};
    }"""


@pytest.mark.parametrize(("fmt", "src"), [("mp4", "car-a/video.mp4"),
                                          ("webm", "previews/car-a.webm")])
def test_video_plays(report: Path, browser, fmt: str, src: str) -> None:
    page = browser.new_page()
    page.goto(report.as_uri())
    played = page.evaluate(PLAY, fmt)
    assert played["err"] is None and played["t"] >= 0.5, played
    assert (played["w"], played["h"]) == (144, 256) and played["src"].endswith(src)
    page.close()


def test_ratings_export_and_persist(report: Path, browser, tmp_path: Path) -> None:
    page = browser.new_page()
    page.goto(report.as_uri())
    page.fill("#rater", "ana")
    page.click('button[data-run="car-a"][data-scene="video"][data-value="good"]')
    page.click('button[data-run="car-a"][data-scene="1"][data-value="bad"]')
    page.fill('input[data-run="car-a"][data-scene="1"]', "wrong photo")
    with page.expect_download() as info:
        page.click("#export")
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["rater"] == "ana" and path.name == f"ratings-{data['report_id']}.json"
    assert data["ratings"] == [
        {"video": "car-a", "listing_id": "car-a", "scene": None, "rating": "good", "comment": ""},
        {"video": "car-a", "listing_id": "car-a", "scene": 1, "rating": "bad",
         "comment": "wrong photo"},
    ]
    page.reload()  # kept in localStorage
    good = page.locator('button[data-run="car-a"][data-scene="video"][data-value="good"]')
    assert "on" in good.get_attribute("class")
    assert page.input_value('input[data-run="car-a"][data-scene="1"]') == "wrong photo"
    assert page.evaluate("window.ad2videoExport().ratings.length") == 2
    page.close()
