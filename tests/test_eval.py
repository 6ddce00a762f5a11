"""`ad2video eval`: metrics of real rendered runs, flagged sentences, media checks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg
import pytest

from ad2video.contracts import Narration, Script, Shots, Timeline
from ad2video.evaluate.media import analyse_video
from ad2video.evaluate.metrics import caption_coverage, sync_score
from tests.conftest import probe, run_cli, small_batch

BAD = "It costs 12500 dollars, a unique opportunity with 7 doors."


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = small_batch(tmp_path_factory.mktemp("eval"))
    return out


def _eval(path: Path, *args: str) -> dict:
    res = run_cli("eval", str(path), *args)
    assert res.returncode == 0, res.stderr
    report = Path(res.stdout.strip())
    assert report.is_file()
    return json.loads(report.with_name("eval.json").read_text(encoding="utf-8"))


def test_batch_metrics(batch: Path, ffprobe: str) -> None:
    data = _eval(batch)
    ok, failed = data["runs"]
    assert (failed["name"], failed["status"]) == ("empty", "failed")
    assert failed["reason"].startswith("no listing.json or listing.yaml in ")
    m = ok["metrics"]
    duration = float(probe(ffprobe, batch / "car-a" / "video.mp4")["format"]["duration"])
    assert m["duration_s"] == pytest.approx(duration, abs=0.05)
    assert abs(m["loudness_lufs"] - -14) <= 1.0 and m["true_peak_db"] <= -0.9
    assert m["black"] == [] and m["frozen"] == []
    assert m["caption_coverage"] >= 0.95
    assert m["sync_score"] == 1.0 and m["sync_source"] in ("manifest", "topic-match")
    assert m["claims_unsupported"] == m["banned_phrases"] == m["price_mentions"] == 0
    assert m["claims_supported"] >= 3 and 0.5 <= m["facts_used_share"] <= 1
    assert ok["issues"] == []
    html = (batch / "report.html").read_text(encoding="utf-8")
    assert '"src": "car-a/video.mp4"' in html and "__AD2VIDEO_DATA__" not in html


def test_flagged_sentences_and_manifest_sync(batch: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(batch / "car-a", run)
    script = json.loads((run / "script.json").read_text(encoding="utf-8"))
    script["scenes"][1]["narration"] += " " + BAD
    (run / "script.json").write_text(json.dumps(script), encoding="utf-8")
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    (run / "manifest.json").write_text(json.dumps({**manifest, "sync_score": 0.42}),
                                       encoding="utf-8")
    data = _eval(run, "-o", str(tmp_path / "review" / "report.html"))
    (result,) = data["runs"]
    sentences = result["script"]["scenes"][1]["sentences"]
    assert [s["text"] for s in sentences if s["flags"]] == [BAD]
    kinds = {f["kind"] for s in sentences for f in s["flags"]}
    assert {"banned", "number"} <= kinds and kinds & {"price", "money"}
    m = result["metrics"]
    assert m["banned_phrases"] == 1 and m["price_mentions"] >= 1 and m["claims_unsupported"] >= 1
    assert (m["sync_score"], m["sync_source"]) == (0.42, "manifest")
    assert "banned phrase 'unique opportunity'" in result["issues"]
    assert "unsupported claim: number '7' is not a listing fact" in result["issues"]
    html = (tmp_path / "review" / "report.html").read_text(encoding="utf-8")
    assert '"src": "../run/video.mp4"' in html


def test_topic_match_sync_score(batch: Path) -> None:
    run = batch / "car-a"
    timeline = Timeline.model_validate_json((run / "timeline.json").read_text())
    shots = Shots.model_validate_json((run / "shots.json").read_text())
    script = Script.model_validate_json((run / "script.json").read_text())
    assert sync_score({}, timeline, shots, script, "car") == (1.0, "topic-match")
    # Show the rear photo during the interior scene: that scene's time no longer matches.
    inside = next(s.index for s in script.scenes if s.topic == "interior")
    rear = next(s.image for s in shots.shots if s.angle == "rear")
    clips = [c.model_copy(update={"image_index": rear}) if c.scene == inside else c
             for c in timeline.clips]
    # The intro and wrap-up are about no particular angle: only the interior scene counts.
    assert sync_score({}, timeline.model_copy(update={"clips": clips}), shots, script,
                      "car") == (0.0, "topic-match")


def test_caption_coverage_without_captions(batch: Path) -> None:
    run = batch / "car-a"
    timeline = Timeline.model_validate_json((run / "timeline.json").read_text())
    narration = Narration.model_validate_json((run / "narration.json").read_text())
    assert caption_coverage(timeline, narration) >= 0.95
    assert caption_coverage(timeline.model_copy(update={"captions": []}), narration) == 0.0
    half = timeline.captions[: len(timeline.captions) // 2]
    assert 0.2 < caption_coverage(timeline.model_copy(update={"captions": half}),
                                  narration) < 0.8


def test_black_and_frozen_frames_are_found(tmp_path: Path) -> None:
    video = tmp_path / "v.mp4"
    # 1 s black, 2 s moving test pattern, 2 s frozen frame; a 1 kHz tone throughout.
    graph = ("color=black:s=160x120:r=10:d=1[a];testsrc=s=160x120:r=10:d=2[b];"
             "testsrc=s=160x120:r=10:d=0.1,loop=loop=19:size=1[c];[a][b][c]concat=n=3[v]")
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-filter_complex", graph,
                    "-f", "lavfi", "-i", "sine=f=1000:d=5", "-map", "[v]", "-map", "0:a",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", str(video)],
                   check=True)
    got = analyse_video(video)
    assert got["black"] == [[0.0, pytest.approx(1.0, abs=0.15)]]
    # The black second is frozen too; the last freeze lasts to the end (no end time).
    assert got["frozen"][-1] == [pytest.approx(3.0, abs=0.2), None]
    assert -30 < got["loudness_lufs"] < 0 and got["true_peak_db"] < 0.5


def test_judge_is_skipped_with_a_note_when_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    from ad2video.evaluate.judge import make_judge

    monkeypatch.setitem(sys.modules, "ad2video.llm.judge", None)  # import now fails
    judge, note = make_judge("openai")
    assert judge is None and note.startswith("LLM judge skipped: not available")
    assert make_judge(None) == (None, "no LLM judge asked for (--judge PROVIDER)")


def test_eval_bad_input(tmp_path: Path) -> None:
    res = run_cli("eval", str(tmp_path / "nope"))
    assert res.returncode == 2 and "error: run folder not found: " in res.stderr
    res = run_cli("eval", str(tmp_path))
    assert res.returncode == 2 and "error: no runs in " in res.stderr
