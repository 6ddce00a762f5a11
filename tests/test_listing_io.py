"""Loading listing files: folders, JSON/YAML, bare photo folders, sellers' words, and every
error message word for word."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ad2video.contracts import Body, Fuel, Transmission
from ad2video.errors import UserError
from ad2video.listing_io import listing_file_of, load_listing
from tests.conftest import make_photo


def write_listing(folder: Path, images: list, **fields) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = {"id": "t1", "title": "A thing", **fields, "images": images}
    (folder / "listing.json").write_text(json.dumps(data), encoding="utf-8")
    return folder




def expect_error(path: Path, message: str, title: str | None = None) -> None:
    with pytest.raises(UserError) as err:
        load_listing(path, title)
    assert str(err.value) == message


def test_missing_folder(tmp_path: Path) -> None:
    expect_error(tmp_path / "nope", f"listing folder not found: {tmp_path / 'nope'}")


def test_folder_without_listing_or_title(tmp_path: Path) -> None:
    make_photo(tmp_path / "a.jpg", (200, 40, 40), size=(100, 80))
    expect_error(tmp_path, f"no listing.json or listing.yaml in {tmp_path} "
                 "(for a bare folder of photos, pass --title)")


def test_bare_folder_with_title(tmp_path: Path) -> None:
    folder = tmp_path / "my-car"
    for name in ("img10.jpg", "img2.jpg", "IMG1.png"):
        make_photo(folder / name, (200, 40, 40), size=(100, 80))
    (folder / "notes.txt").write_text("x")
    (folder / ".hidden.jpg").write_bytes(b"")
    listing, base = load_listing(folder, title="2019 Peugeot 208")
    assert (listing.id, listing.title, listing.domain) == ("my-car", "2019 Peugeot 208", "other")
    assert [i.file for i in listing.images] == ["IMG1.png", "img2.jpg", "img10.jpg"]
    assert base == folder
    empty = tmp_path / "empty"
    empty.mkdir()
    expect_error(empty, f"no photos in {empty}", title="x")


def test_not_a_listing_file(tmp_path: Path) -> None:
    photo = make_photo(tmp_path / "a.jpg", (200, 40, 40), size=(100, 80))
    expect_error(photo, f"not a listing file: {photo} "
                 "(expected a folder, listing.json or listing.yaml)")


def test_listing_file_path_and_title_override(tmp_path: Path) -> None:
    make_photo(tmp_path / "l" / "a.jpg", (200, 40, 40), size=(100, 80))
    write_listing(tmp_path / "l", ["a.jpg"])
    listing, base = load_listing(tmp_path / "l" / "listing.json", title="  New title ")
    assert (listing.title, base) == ("New title", tmp_path / "l")
    assert listing_file_of(tmp_path / "l") == tmp_path / "l" / "listing.json"
    assert listing_file_of(tmp_path) is None


def test_missing_images_key_means_every_photo(tmp_path: Path) -> None:
    make_photo(tmp_path / "b.jpg", (200, 40, 40), size=(100, 80))
    make_photo(tmp_path / "a.jpg", (200, 40, 40), size=(100, 80))
    (tmp_path / "listing.json").write_text('{"title": "T"}')
    listing, _ = load_listing(tmp_path)
    assert ([i.file for i in listing.images], listing.id) == (["a.jpg", "b.jpg"], tmp_path.name)


@pytest.mark.parametrize(("name", "text", "message"), [
    ("listing.json", '{"id": "x",}',
     "listing.json is not valid JSON: line 1 column 12: Expecting property name enclosed in "
     "double quotes"),
    ("listing.yaml", "title: [a, b\nid: x\n",
     "listing.yaml is not valid YAML: line 2 column 3: expected ',' or ']', but got ':'"),
    ("listing.json", "[1, 2]", "listing.json: top level must be an object (got a list)"),
    ("listing.yml", "just text", "listing.yml: top level must be an object (got text)"),
    ("listing.json", b"\xff\xfe{",
     "cannot read listing.json: not UTF-8 text (damaged UTF-16; save it as UTF-8)"),
])
def test_unreadable_listing_files(tmp_path: Path, name: str, text, message: str) -> None:
    target = tmp_path / name
    target.write_bytes(text) if isinstance(text, bytes) else target.write_text(text)
    expect_error(tmp_path, message)


CAR = {"id": "c", "title": "T", "domain": "car", "images": []}


@pytest.mark.parametrize(("data", "message"), [
    ({**CAR, "attributes": {"year": "abc"}},
     "listing.json: field 'attributes.year' must be an integer (got 'abc')"),
    ({**CAR, "attributes": {"year": "abc", "doors": "x"}},
     "listing.json: field 'attributes.year' must be an integer (got 'abc'); and 1 more error"),
    ({**CAR, "attributes": {"year": "abc", "doors": "x", "owners": -1}},
     "listing.json: field 'attributes.year' must be an integer (got 'abc'); and 2 more errors"),
    ({**CAR, "attributes": {"year": 1700}},
     "listing.json: field 'attributes.year' must be at least 1886 (got 1700)"),
    ({**CAR, "attributes": {"fuel": "kerosene"}},
     "listing.json: field 'attributes.fuel' must be one of 'gasoline', 'diesel', 'hybrid', "
     "'plug_in_hybrid', 'electric', 'lpg', 'cng' or 'flex' (got 'kerosene')"),
    ({**CAR, "attributes": {"mileage": "lots"}},
     "listing.json: field 'attributes.mileage' must be a distance like 45000 or '45.000 km' "
     "(got 'lots')"),
    ({**CAR, "attributes": {"trim": {"a": 1}}},
     "listing.json: field 'attributes.trim' must be text, a number or true/false "
     "(got an object)"),
    ({**CAR, "attributes": "red"},
     "listing.json: field 'attributes' must be an object (got 'red')"),
    ({"id": "c", "images": []}, "listing.json: missing required field 'title'"),
    ({**CAR, "colour": "red"}, "listing.json: unknown field 'colour'"),
    ({**CAR, "domain": "boat"},
     "listing.json: field 'domain' must be one of 'car', 'real_estate' or 'other' (got 'boat')"),
    ({**CAR, "images": [{"file": ""}]},
     "listing.json: field 'images[0].file' must not be empty (got '')"),
    ({**CAR, "images": [{"file": "a.jpg", "angle": "rear"}]},
     "listing.json: unknown field 'images[0].angle'"),
    ({**CAR, "title": "   "}, "listing.json: field 'title' must not be empty (got '')"),
    ({**CAR, "images": "a.jpg"}, "listing.json: field 'images' must be a list (got 'a.jpg')"),
    ({"id": "h", "title": "T", "domain": "real_estate", "attributes": {"area": "big"}},
     "listing.json: field 'attributes.area' must be an area like 120 or '120 m2' (got 'big')"),
])
def test_validation_messages(tmp_path: Path, data: dict, message: str) -> None:
    (tmp_path / "listing.json").write_text(json.dumps(data))
    expect_error(tmp_path, message)


def test_yaml_listing_with_sellers_words(tmp_path: Path) -> None:
    make_photo(tmp_path / "frente.jpg", (200, 40, 40), size=(100, 80))
    (tmp_path / "listing.yaml").write_text(
        "id: 4471\ntitle: Gol Trend\ndomain: auto\nlanguage: pt-BR\n"
        "attributes:\n  marca: Volkswagen\n  Combustível: Flex\n  câmbio: Mecânica\n"
        "  carroceria: Hatch\n  quilometragem: 45.000 km\n  motor: 1.6\n  ano: '2018'\n"
        "  cor: prata\n  opcionais: [ar, direção]\n"
        "images:\n  - frente.jpg\n  - {file: frente.jpg, view: frente}\n",
        encoding="utf-8",
    )
    listing, _ = load_listing(tmp_path)
    a = listing.attributes
    assert (listing.id, listing.domain, a.make, a.year, a.engine, a.colour) == (
        "4471", "car", "Volkswagen", 2018, "1.6", "prata"
    )
    assert (a.fuel, a.transmission, a.body) == (Fuel.flex, Transmission.manual, Body.hatchback)
    assert (a.mileage.value, a.mileage.unit) == (45000, "km")
    assert a.extra == {"opcionais": "ar, direção"}
    assert [(i.file, i.view) for i in listing.images] == [
        ("frente.jpg", None), ("frente.jpg", "frente")
    ]


@pytest.mark.parametrize(("field", "word", "value"), [
    ("fuel", "nafta", "gasoline"), ("fuel", "Gasolina", "gasoline"),
    ("fuel", "petrol", "gasoline"), ("fuel", "gas", "gasoline"), ("fuel", "Benzin", "gasoline"),
    ("fuel", "gasoil", "diesel"), ("fuel", "Diésel", "diesel"), ("fuel", "eléctrico", "electric"),
    ("fuel", "elétrico", "electric"),
    ("fuel", "Híbrido", "hybrid"), ("fuel", "flex", "flex"), ("fuel", "GNC", "cng"),
    ("transmission", "Manual", "manual"), ("transmission", "mecánica", "manual"),
    ("transmission", "mecânica", "manual"), ("transmission", "Automática", "automatic"),
    ("transmission", "automatic", "automatic"), ("transmission", "auto", "automatic"),
    ("transmission", "CVT", "cvt"), ("transmission", "DSG", "dual_clutch"),
    ("body", "Sedán", "sedan"), ("body", "hatch", "hatchback"), ("body", "camioneta", "pickup"),
    ("body", "SUV", "suv"), ("body", "pick-up", "pickup"), ("body", "Rural", "wagon"),
    ("mileage", 45000, (45000, "km")), ("mileage", "45.000 km", (45000, "km")),
    ("mileage", "45,000 mi", (45000, "mi")), ("mileage", "120 000 kms", (120000, "km")),
    ("mileage", {"value": "45.000", "unit": "KM"}, (45000, "km")),
])
def test_car_synonyms(tmp_path: Path, field: str, word, value) -> None:
    (tmp_path / "listing.json").write_text(json.dumps({**CAR, "attributes": {field: word}}))
    got = getattr(load_listing(tmp_path)[0].attributes, field)
    assert ((got.value, got.unit) if field == "mileage" else got) == value


@pytest.mark.parametrize(("word", "value"), [
    (120, (120, "m2")), ("120 m²", (120, "m2")), ("85,5 m2", (85.5, "m2")),
    ("1,200 sq ft", (1200, "ft2")), ("68 metros cuadrados", (68, "m2")),
])
def test_area_synonyms(tmp_path: Path, word, value) -> None:
    data = {"id": "h", "title": "T", "domain": "casa", "attributes": {"superficie": word},
            "images": []}
    (tmp_path / "listing.json").write_text(json.dumps(data))
    area = load_listing(tmp_path)[0].attributes.area
    assert (area.value, area.unit) == value
