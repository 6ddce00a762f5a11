"""Render options: encoders and quality presets, transitions (auto), caption style and logo
checks, all failing early with one line."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from PIL import Image

from ad2video.errors import UserError
from ad2video.jobs import RenderJob
from ad2video.render import ffmpeg as ff
from ad2video.render.encoders import probe_encoder, resolve_encoder, video_args
from ad2video.render.transitions import AUTO, KNOWN_TRANSITIONS, pick_transition
from ad2video.stages.render import RenderOptions, run
from tests.conftest import car_listing, run_cli
from tests.test_render_video import tiny_timeline

FFMPEG = str(ff.find_ffmpeg())


def test_quality_presets_map_onto_each_encoder():
    assert video_args("libx264", "standard") == ["-c:v", "libx264", "-preset", "veryfast",
                                                 "-crf", "23"]
    assert video_args("libx264", "draft")[3:] == ["ultrafast", "-crf", "28"]
    assert video_args("libx264", "high", crf=18)[3:] == ["medium", "-crf", "18"]
    nvenc = video_args("h264_nvenc", "high")
    assert nvenc[:4] == ["-c:v", "h264_nvenc", "-preset", "p6"] and "-cq" in nvenc
    assert video_args("hevc_nvenc", "draft", preset="p2")[3] == "p2"
    assert video_args("libx265", "standard")[-2:] == ["-tag:v", "hvc1"]


@pytest.mark.parametrize("encoder", ["libx264", "libx265", "h264_nvenc", "hevc_nvenc"])
def test_every_preset_uses_options_this_ffmpeg_lists_for_the_encoder(encoder: str):
    """No GPU here to encode with NVENC: its settings are checked against the encoder's own
    option table (`ffmpeg -h encoder=...`), names and named values alike."""
    import re
    import subprocess

    table = subprocess.run([FFMPEG, "-hide_banner", "-h", f"encoder={encoder}"],
                           capture_output=True, text=True, check=True).stdout
    options: dict[str, set[str]] = {}
    current = ""
    for line in table.splitlines():
        if m := re.match(r"^  -(\S+)\s", line):
            current = m.group(1)
            options[current] = set()
        elif (m := re.match(r"^     (\S+)\s", line)) and current:
            options[current].add(m.group(1))
    assert options, table
    for quality in ("draft", "standard", "high"):
        args = video_args(encoder, quality)
        for flag, value in itertools.pairwise(args):
            if not flag.startswith("-") or flag in ("-c:v", "-b:v", "-tag:v"):
                continue
            name = flag[1:]
            assert name in options, (encoder, flag)
            if options[name]:  # an option with named values (-preset p6, -rc vbr)
                assert value in options[name], (encoder, flag, value)


def test_auto_encoder_is_nvenc_only_where_a_test_encode_works():
    nvenc_works = probe_encoder(FFMPEG, "h264_nvenc") is None
    assert resolve_encoder("auto", FFMPEG) == ("h264_nvenc" if nvenc_works else "libx264")
    if not Path("/dev/nvidia0").exists():  # listed by this ffmpeg build, but no GPU here
        assert not nvenc_works
        with pytest.raises(UserError, match=r"^encoder h264_nvenc does not work with .*: "):
            resolve_encoder("h264_nvenc", FFMPEG)
    assert resolve_encoder("libx264", FFMPEG) == "libx264"


def test_draft_quality_render_uses_its_preset(tmp_path: Path):
    timeline = tiny_timeline(tmp_path, w=216, h=384, music=False)
    result = run(timeline, tmp_path, tmp_path / "out", RenderOptions(quality="draft"))
    assert result.encoder in ("libx264", "h264_nvenc")
    if result.encoder == "libx264":
        assert "-c:v libx264 -preset ultrafast -crf 28" in result.command


def test_auto_transitions_vary_by_seed_deterministically():
    picks = [pick_transition("auto", 7, i, None, False) for i in range(40)]
    assert set(picks) <= set(AUTO) and len(set(picks)) >= 4
    assert picks == [pick_transition("auto", 7, i, None, False) for i in range(40)]
    assert picks != [pick_transition("auto", 8, i, None, False) for i in range(40)]
    assert pick_transition("auto", 7, 3, "fade", True) == "fade"  # cards always fade
    assert all(pick_transition("auto", s, 5, "slideleft", False) != "slideleft"
               for s in range(30))
    assert pick_transition("wipe", 1, 1, None, False) == "wipeleft"
    assert set(AUTO) <= set(KNOWN_TRANSITIONS)


def stage_outputs(run_dir: Path, photos: int = 6):
    """Small real stage outputs for timeline.run: photos, shots, a script, narration."""
    from ad2video.contracts import (
        Card,
        IngestResult,
        Listing,
        Narration,
        PreparedImage,
        Scene,
        SceneAudio,
        Script,
        Shot,
        Shots,
        WordTiming,
    )
    from tests.conftest import make_photo

    images = []
    for i in range(photos):
        make_photo(run_dir / f"img{i}.jpg", (40 * i, 90, 200 - 30 * i), seed=i)
        images.append(PreparedImage(index=i, source=f"img{i}.jpg", path=f"img{i}.jpg",
                                    width=640, height=480, sha256="0" * 64))
    ingest = IngestResult(listing=Listing(id="t", title="T"), images=images)
    shots = Shots(backend="test", shots=[Shot(image=i, angle="front", confidence=1,
                                              source="test") for i in range(photos)],
                  storyboard=list(range(photos)))
    text = "one two three four five six seven eight"
    words = [WordTiming(text=w, start=0.5 * k, end=0.5 * k + 0.4, char_start=text.index(w),
                        char_end=text.index(w) + len(w)) for k, w in enumerate(text.split())]
    scenes = [Scene(index=k, topic="front", shots=[2 * k, 2 * k + 1], narration=text)
              for k in range(photos // 2)]
    script = Script(listing_id="t", locale="en", writer="test",
                    title_card=Card(kind="title", heading="T", duration=1.5),
                    end_card=Card(kind="end", heading="E", duration=1.5), scenes=scenes)
    narration = Narration(engine="test", voice="v", sample_rate=22050, pause=0.2, scenes=[
        SceneAudio(scene=k, path=f"s{k}.wav", duration=4.0, words=words, timing_method="test")
        for k in range(photos // 2)])
    return ingest, shots, script, narration


def test_timeline_varies_transitions_with_auto(tmp_path: Path):
    from ad2video.stages.timeline import TimelineOptions
    from ad2video.stages.timeline import run as timeline_run

    kinds = {}
    for option in ("auto", "slide", "cut"):
        run_dir = tmp_path / option
        run_dir.mkdir()
        tl = timeline_run(*stage_outputs(run_dir), run_dir,
                          TimelineOptions(width=216, height=384, transition=option, seed=2))
        kinds[option] = [c.transition_in.kind for c in tl.clips]
    assert kinds["cut"] == ["cut"] * len(kinds["cut"])
    assert kinds["slide"][1:] == ["slideleft"] * (len(kinds["slide"]) - 1)
    auto = kinds["auto"]
    assert auto[0] == "cut" and auto[1] == "fade" and auto[-1] == "fade"  # around the cards
    assert len(set(auto[2:-1])) >= 2
    assert all(a != b for a, b in itertools.pairwise(auto[2:-1]))
    with pytest.raises(UserError, match=r"^unknown transition 'spin' \(choose one of: auto, "):
        timeline_run(*stage_outputs(tmp_path / "auto"), tmp_path / "auto",
                     TimelineOptions(transition="spin"))


@pytest.mark.parametrize(("options", "message"), [
    ({"transition": "spin"}, "unknown transition 'spin' (choose one of: auto, cut, fade, "),
    ({"encoder": "h263"}, "unknown encoder 'h263' (choose one of: auto, libx264, "),
    ({"quality": "best"}, "unknown quality 'best' (choose one of: draft, standard, high)"),
    ({"caption_position": "left"}, "unknown caption position 'left' (choose one of: bottom, "),
    ({"caption_colour": "red"}, "--caption-colour must look like #FFD400 (got 'red')"),
    ({"caption_highlight": "#12345"}, "--caption-highlight must look like #FFD400 (got "),
    ({"caption_size": 3}, "--caption-size must be 0 (automatic) or 8 to 400 pixels (got 3)"),
    ({"logo": "/nonexistent/logo.png"}, "logo not found: /nonexistent/logo.png"),
    ({"logo_position": "centre"}, "unknown logo position 'centre' (choose one of: top-left, "),
])
def test_bad_options_fail_before_any_stage(options: dict, message: str):
    with pytest.raises(UserError) as err:
        RenderJob(source=Path("."), out_dir=Path("."), **options)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_unreadable_logo_and_cli_exit_code(tmp_path: Path):
    bad = tmp_path / "logo.png"
    bad.write_bytes(b"not a picture")
    with pytest.raises(UserError, match=r"^cannot read logo .*logo\.png: "):
        RenderJob(source=Path("."), out_dir=Path("."), logo=str(bad))
    Image.new("RGBA", (40, 20), (255, 0, 0, 128)).save(tmp_path / "ok.png")
    job = RenderJob(source=Path("."), out_dir=Path("."), logo=str(tmp_path / "ok.png"),
                    caption_colour="#00ff00")
    assert job.logo_spec().path == str((tmp_path / "ok.png").resolve())
    assert job.caption_style().primary_colour == "#00FF00"
    listing = car_listing(tmp_path / "listing")
    res = run_cli("render", str(listing), "-o", str(tmp_path / "run"), "--transition", "spin")
    assert res.returncode == 2 and res.stderr.startswith("error: unknown transition 'spin'")
    assert not (tmp_path / "run" / "ingest.json").exists()  # failed before the first stage


def test_ffmpeg_runs_with_a_fixed_mmap_threshold_unless_the_user_set_one(monkeypatch):
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    monkeypatch.setenv("AD2VIDEO_SOMETHING", "kept")
    env = ff.ffmpeg_env()
    assert env["MALLOC_MMAP_THRESHOLD_"] == str(1 << 20) and env["AD2VIDEO_SOMETHING"] == "kept"
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "65536")
    assert ff.ffmpeg_env()["MALLOC_MMAP_THRESHOLD_"] == "65536"


def test_ffmpeg_failure_names_its_cause_not_the_last_generic_line(tmp_path: Path):
    from ad2video.errors import RenderError

    missing = tmp_path / "no-such-captions.ass"
    with pytest.raises(RenderError) as err:
        ff.run_ffmpeg(["-f", "lavfi", "-i", "color=s=64x64:d=0.1",
                       "-vf", f"ass=filename={missing}", "-f", "null", "-"])
    message = str(err.value)
    assert "libass track" in message and str(missing) in message, message
    assert " @ 0x" not in message and "\n" not in message
