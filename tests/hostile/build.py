"""Building blocks of the hostile corpus: the Case record, a lean valid listing, writers.

`Case.build(folder)` writes one listing into `folder` and returns what to pass to
`ad2video render`. Planted contact details are the constants below; tests/hostile/checks.py
looks for them in everything that is said or shown.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from tests.conftest import make_photo

PHONES = ("+54 9 11 1234-5678", "(11) 4567-8901", "011 15-2345-6789", "+55 11 91234-5678")
EMAIL = "vendedor.juan@ejemplo-autos.com.ar"
URLS = ("www.autos-baratos.com.ar/oferta", "https://bit.ly/3xYzAbc", "autos-baratos.com.ar/usados")
# What must never appear in a script, caption or transcript (compared without spaces/dashes).
LEAK_MARKERS = ("12345678", "45678901", "23456789", "91234567", "ejemplo-autos", "vendedor.juan",
                "autos-baratos", "bit.ly", "3xyzabc", "www.", "http")

GOOD = ("good1.jpg", "good2.jpg")
Expect = Literal["video", "error"]


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], Path]
    expect: Expect = "video"
    error: str = ""  # the error line must contain this
    skipped: tuple[str, ...] = ()  # "FILE: REASON" the manifest must list (substrings)
    warnings: tuple[str, ...] = ()  # what the warnings on stderr must mention
    check: Callable[[Path], None] | None = None  # extra checks on the run folder
    default_out: bool = False  # run without -o, from an empty working folder


def base_data(**fields: Any) -> dict[str, Any]:
    return {
        "id": "hostile", "domain": "car", "language": "en", "title": "2019 Peugeot 208",
        "description": "One owner.", "images": list(GOOD),
        "attributes": {"make": "Peugeot", "model": "208", "year": 2019, "mileage": 45000,
                       "features": ["air conditioning"]},
        **fields,
    }


def good_photos(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(GOOD):
        make_photo(folder / name, [(200, 40, 40), (40, 170, 60)][i], size=(320, 240), seed=i)


def write(folder: Path, data: Any = None, raw: bytes | None = None,
          name: str = "listing.json") -> Path:
    """Good photos plus listing.json holding `data` (or exactly the bytes `raw`)."""
    good_photos(folder)
    body = raw if raw is not None else json.dumps(
        base_data() if data is None else data, ensure_ascii=False).encode("utf-8")
    (folder / name).write_bytes(body)
    return folder


def with_images(files: dict[str, Callable[[Path], object]],
                good: bool = True) -> Callable[[Path], Path]:
    """A listing of the photos `files` (name -> writer of that file), after two good ones."""
    def build(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, make in files.items():
            make(folder / name)
        return write(folder, base_data(images=[*(GOOD if good else ()), *files]))
    return build


def with_fields(**fields: Any) -> Callable[[Path], Path]:
    return lambda folder: write(folder, base_data(**fields))


def with_attributes(**attrs: Any) -> Callable[[Path], Path]:
    data = base_data()
    return lambda folder: write(folder, {**data, "attributes": {**data["attributes"], **attrs}})


def with_raw(text: bytes | str, name: str = "listing.json") -> Callable[[Path], Path]:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return lambda folder: write(folder, raw=raw, name=name)


def prepared(run: Path) -> list[dict[str, Any]]:
    return json.loads((run / "ingest.json").read_text(encoding="utf-8"))["images"]


def used(*files: str) -> Callable[[Path], None]:
    """The photos were decoded into normal copies (not skipped)."""
    def check(run: Path) -> None:
        sources = [p["source"] for p in prepared(run)]
        assert all(f in sources for f in files), f"not all of {files} used: {sources}"
    return check


