"""Fuzzing the listing loader: whatever the file holds, load_listing returns a Listing or raises
UserError with a short one-line message; never another exception (a traceback for the user).

Three generators: JSON-ish documents shaped like listings (real keys and their synonyms, any
values), random bytes saved as listing.json or listing.yaml, and random byte edits of a valid
listing. Hypothesis runs each a bounded number of times (random seeds: a failure prints the
example to reproduce). Atheris is not used: the loader is pure Python over json, PyYAML and
pydantic, where structure-aware Hypothesis strategies reach deeper than byte-level coverage
guidance, and the C decoders it could add coverage for (Pillow's) are fuzzed upstream by
OSS-Fuzz and exercised by tests/hostile/test_fuzz_images.py.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ad2video.errors import UserError
from ad2video.listing_io import load_listing
from ad2video.pii import scrub_listing

# CI runs a short pass; AD2VIDEO_FUZZ_EXAMPLES=5000 fuzzes longer on a developer machine.
FUZZ = settings(max_examples=int(os.environ.get("AD2VIDEO_FUZZ_EXAMPLES", "150")),
                deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
KEYS = ["id", "title", "description", "domain", "language", "images", "attributes", "price",
        "schema_version", "file", "caption", "view", "amount", "currency", "value", "unit",
        "extra", "make", "marca", "model", "year", "año", "mileage", "kilometraje", "fuel",
        "combustible", "transmission", "caja", "body", "colour", "color", "engine", "doors",
        "owners", "features", "bedrooms", "area", "superficie", "parking", "floors", "x" * 300]
WORDS = ["car", "real_estate", "auto", "nafta", "mecánica", "45.000 km", "120 m2", "1.6",
         "../x.jpg", "/etc/passwd", "C:\\x", "a.jpg", "None", "{title}", "+54 9 11 1234-5678",
         "x@y.com", "www.x.com", "\u202e", "\x00", "\ud800", "🚗", "", " ", "km", "USD"]
SCALARS = (st.none() | st.booleans() | st.integers() | st.floats()
           | st.integers(min_value=10**20, max_value=10**30) | st.sampled_from(WORDS)
           | st.text(max_size=30))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=6), max_leaves=25)
DOCUMENTS = st.fixed_dictionaries(
    {}, optional={k: VALUES for k in ("id", "title", "domain", "images", "price")} | {
        "attributes": st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=8),
        "description": st.text(max_size=200) | VALUES})


def _load(name: str, body: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / name).write_bytes(body)
        try:
            listing, _ = load_listing(Path(folder))
        except UserError as exc:
            message = str(exc)
            assert message and "\n" not in message and len(message) < 600, message
        else:  # what ingest does next: scrub contact details, then write ingest.json
            clean, notes = scrub_listing(listing)
            assert isinstance(clean.model_dump_json(), str) and all("\n" not in n for n in notes)


@FUZZ
@given(DOCUMENTS)
def test_listing_shaped_documents(doc: dict[str, Any]) -> None:
    _load("listing.json", json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass"))


@FUZZ
@given(DOCUMENTS)
def test_listing_shaped_yaml(doc: dict[str, Any]) -> None:
    try:
        text = yaml.safe_dump(doc, allow_unicode=True)
    except yaml.YAMLError:
        return  # not representable in YAML (e.g. a lone surrogate)
    _load("listing.yaml", text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.binary(max_size=400), st.sampled_from(["listing.json", "listing.yaml"]))
def test_random_bytes(body: bytes, name: str) -> None:
    _load(name, body)


VALID = json.dumps({"id": "x", "domain": "car", "title": "2019 Peugeot 208", "images": [],
                    "attributes": {"make": "Peugeot", "year": 2019, "mileage": "45.000 km",
                                   "features": ["abs"], "warranty": "yes"}}).encode()


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(VALID)), st.binary(min_size=0, max_size=3),
                          st.integers(0, 3)), min_size=1, max_size=6))
def test_edited_valid_listing(edits: list[tuple[int, bytes, int]]) -> None:
    body = bytearray(VALID)
    for at, insert, delete in edits:
        body[at:at + delete] = insert
    _load("listing.json", bytes(body))
