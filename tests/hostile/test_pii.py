"""ad2video.pii: contact details found in every common shape, facts left alone, fast on junk."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ad2video.contracts import Listing
from ad2video.pii import find_pii, pii_kinds, scrub, scrub_listing


@pytest.mark.parametrize(("text", "found"), [
    ("Llamar al +54 9 11 1234-5678 hoy", ["+54 9 11 1234-5678"]),
    ("fijo (11) 4567-8901", ["(11) 4567-8901"]),
    ("cel 011 15-1234-5678", ["011 15-1234-5678"]),
    ("+55 11 91234-5678", ["+55 11 91234-5678"]),
    ("+1 (555) 123-4567 or 555.123.4567", ["+1 (555) 123-4567", "555.123.4567"]),
    ("Tel. 4567-8901, 9 a 18 hs", ["4567-8901"]),
    ("whatsapp 1145678901", ["whatsapp", "1145678901"]),
    ("11 4567 8901", ["11 4567 8901"]),
    ("mail: juan.perez@example.com.ar.", ["juan.perez@example.com.ar"]),
    ("juan at gmail dot com", ["juan at gmail dot com"]),
    ("vendedor arroba gmail punto com", ["vendedor arroba gmail punto com"]),
    ("ver www.autos.com y https://bit.ly/3xYz.", ["www.autos.com", "https://bit.ly/3xYz"]),
    ("autos.com.ar/usados/208 o x.com", ["autos.com.ar/usados/208", "x.com"]),
    ("wa.me/5491145678901", ["wa.me/5491145678901"]),
    ("escribime por wsp o WhatsApp", ["wsp", "WhatsApp"]),
    ("IG @autos_juan", ["@autos_juan"]),
])
def test_contact_details_are_found(text: str, found: list[str]) -> None:
    assert find_pii(text) == found


@pytest.mark.parametrize("text", [
    "Peugeot 208 1.6 2019 45.000 km", "Año 2019 45000 km", "Modelo 2019-2024",
    "service 12/05/2019", "1.234.567 km", "motor 1.6 16v", "precio u$s 12.500",
    "es nuevo.Es un auto", "3 puertas, 5 asientos", "120 m2 - 3 ambientes", "VW Gol Trend",
    "0 km 2024", "1,234,567 miles",
])
def test_facts_are_not_contact_details(text: str) -> None:
    assert find_pii(text) == []


@pytest.mark.parametrize(("text", "clean"), [
    ("Impecable - Whatsapp 11 4567 8901 - Permuto", "Impecable - Permuto"),
    ("Peugeot 208 2019 Tel: (11) 4567-8901", "Peugeot 208 2019"),
    ("aire, mail juan@x.com, abs", "aire, abs"),
    ("1234 wsp 5678 9012", ""),  # removing "wsp" joins a phone number: removed too
])
def test_scrub_removes_details_and_their_lead_in(text: str, clean: str) -> None:
    assert scrub(text) == clean


def test_scrub_with_a_placeholder() -> None:
    assert scrub("call (11) 4567-8901 now", "<removed>") == "<removed> now"


def test_kinds_for_warnings() -> None:
    assert pii_kinds("x@y.com and +54 11 4567-8901 and x@z.com") == [
        "e-mail address", "phone number"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789 +-.()/@:wapstmeocrx\n"), max_size=80))
def test_scrub_leaves_nothing_to_find(text: str) -> None:
    assert find_pii(scrub(text)) == []


@pytest.mark.parametrize("junk", ["a" * 200_000, "a." * 100_000, "1 " * 100_000 + "x",
                                  "1-" * 100_000, "x@" * 100_000, "www." * 50_000])
def test_linear_time_on_junk(junk: str) -> None:
    t0 = time.perf_counter()
    scrub(junk)
    assert time.perf_counter() - t0 < 5


def test_scrub_listing_cleans_every_spoken_field() -> None:
    listing = Listing.model_validate({
        "id": "x", "domain": "car", "title": "208 - WhatsApp 11 4567-8901",
        "description": "mail juan@x.com", "images": [{"file": "a.jpg", "caption": "x.com"}],
        "attributes": {"model": "208", "version": "1.6 tel 4567-8901",
                       "features": ["abs", "www.x.com"], "web": "x.com.ar",
                       "llamar 11 4567-8901": True, "service": "ok"}})
    clean, warnings = scrub_listing(listing)
    attrs = clean.attributes
    assert (clean.title, clean.description, attrs.version) == ("208", "", "1.6")
    assert attrs.features == ["abs"] and attrs.extra == {"service": "ok"}
    assert clean.images[0].caption is None
    assert len(warnings) == 7 and not any(find_pii(w) for w in warnings)
