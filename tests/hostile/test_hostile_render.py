"""Every hostile listing through the real `ad2video render`: a valid video or one error line.

The corpus (tests/hostile/corpus.py) is generated into a temporary folder and rendered by
subprocesses in parallel, once per test session; each case is then checked on its own (see
checks.problems): exit code and stderr, no traceback, no file written outside the run folder,
no contact details said or shown, photo/pixel/text limits, peak memory and time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.hostile.checks import Result, problems, run_case
from tests.hostile.corpus import CASES, Case

WORKERS = (os.cpu_count() or 2) + 1  # one extra: a render waits on ffmpeg and espeak
HEAVY = ("img_12000", "photos_200", "img_pixel_bombs", "img_colour_modes", "field_huge")


def _selected(session: pytest.Session) -> list[Case]:
    """The cases this session runs (all of them, or those picked with -k)."""
    picked = [item.callspec.params["case"] for item in session.items
              if item.module.__name__ == __name__ and hasattr(item, "callspec")]
    return sorted(picked, key=lambda c: (not c.name.startswith(HEAVY), c.expect != "video"))


@pytest.fixture(scope="module")
def results(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Result | Exception]]:
    root = tmp_path_factory.mktemp("hostile")
    out: dict[str, Result | Exception] = {}

    def one(case: Case) -> None:
        try:
            out[case.name] = run_case(root, case)
        except Exception as exc:  # a broken generator fails its own case, not the others
            out[case.name] = exc

    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(one, _selected(request.session)))
    yield out


def test_corpus_is_big_and_varied() -> None:
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)) and len(names) >= 50
    for prefix in ("img_", "path_", "photos_", "field_", "enc_", "text_", "pii_", "inject_"):
        assert sum(n.startswith(prefix) for n in names) >= 2, prefix
    assert {c.expect for c in CASES} == {"video", "error"}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_listing(case: Case, results: dict[str, Result | Exception],
                         ffprobe: str) -> None:
    res = results[case.name]
    if isinstance(res, Exception):
        raise res
    assert problems(res, ffprobe) == [], f"{case.name} ({res.wall_s:.1f} s): {res.stderr[-500:]}"
