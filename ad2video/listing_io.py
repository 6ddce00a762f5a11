"""Load a listing (folder, listing.json, listing.yaml, or a bare folder of photos) into a Listing.

Sellers' words are normalised before validation (see `_normalise`): "nafta" is gasoline,
"mecánica" is manual, "45.000 km" is a Mileage, `engine: 1.6` is the text "1.6" (tables in
ad2video/listing_words.py). A missing `id` is the folder name; a missing `images` key means every
photo in the folder in natural name order; an image entry may be just its file name. `title`
replaces the file's title (it is required for a bare folder of photos, whose domain is "other").

Error messages (UserError, one line, asserted word for word by tests/test_listing_io.py):

    listing folder not found: PATH
    not a listing file: PATH (expected a folder, listing.json or listing.yaml)
    no listing.json or listing.yaml in PATH (for a bare folder of photos, pass --title)
    no photos in PATH
    cannot read NAME: REASON
    cannot read NAME: not UTF-8 text (byte 0xE9 at line L column C; save it as UTF-8)
    NAME is too large (more than 5 MB)
    NAME is nested too deeply to be a listing
    NAME holds a number too long to read
    NAME is not valid JSON: line L column C: MESSAGE
    NAME is not valid YAML: line L column C: MESSAGE
    NAME: top level must be an object (got KIND)
    NAME: missing required field 'FIELD'
    NAME: unknown field 'FIELD'
    NAME: field 'FIELD' PROBLEM (got VALUE)      PROBLEM from _PROBLEMS, e.g. "must be an integer"
    ...; and N more errors                       appended when there are several problems
    NAME: field 'attributes.mileage' must be a distance like 45000 or '45.000 km' (got VALUE)
    NAME: field 'attributes.area' must be an area like 120 or '120 m2' (got VALUE)
    NAME: field 'attributes.KEY' must be text, a number or true/false (got VALUE)
    image path leaves the listing folder: FILE   `..`, an absolute path, or a symlink leading out
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import yaml
from pydantic import ValidationError

from ad2video.contracts import CarAttributes, HomeAttributes, Listing, OtherAttributes
from ad2video.errors import UserError
from ad2video.listing_text import read_listing_text, tidy_listing
from ad2video.listing_words import normalise_attributes, normalise_domain, shown

LISTING_NAMES = ("listing.json", "listing.yaml", "listing.yml")
IMAGE_SUFFIXES = frozenset({
    ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".avif",
    ".heic", ".heif",  # listed so that they are skipped with a reason, not silently ignored
})

# pydantic error type -> what the field must be ({ctx keys} come from the error's ctx).
_PROBLEMS = {
    "int_parsing": "must be an integer",
    "int_type": "must be an integer",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "finite_number": "must be a finite number",
    "string_unicode": "must be valid Unicode text (it holds a broken \\u escape)",
    "string_type": "must be text",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "enum": "must be one of {expected}",
    "literal_error": "must be one of {expected}",
    "greater_than_equal": "must be at least {ge}",
    "greater_than": "must be more than {gt}",
    "less_than_equal": "must be at most {le}",
    "less_than": "must be less than {lt}",
    "string_too_short": "must not be empty",
    "string_too_long": "must be at most {max_length} characters",
    "too_long": "must have at most {max_length} items",
    "list_type": "must be a list",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
}
# Union members add their type name to an error's path ('str', 'CarAttributes'): not a field.
_UNION_TAGS = {"str", "int", "float", "bool", "CarAttributes", "HomeAttributes", "OtherAttributes"}


def load_listing(path: Path, title: str | None = None,
                 warnings: list[str] | None = None) -> tuple[Listing, Path]:
    """Return the validated Listing and the folder its image paths are relative to; free text
    that is cut or not used (listing_text) is reported in `warnings`."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"listing folder not found: {path}")
    if path.is_file() and path.suffix.lower() not in (".json", ".yaml", ".yml"):
        raise UserError(
            f"not a listing file: {path} (expected a folder, listing.json or listing.yaml)"
        )
    folder = path.parent if path.is_file() else path
    listing_file = listing_file_of(path)
    if listing_file is None:
        if title is None:
            raise UserError(
                f"no listing.json or listing.yaml in {folder} "
                "(for a bare folder of photos, pass --title)"
            )
        data: dict[str, Any] = {"id": _folder_id(folder), "title": title}
        name = folder.name or str(folder)
    else:
        data = _read(listing_file)
        name = listing_file.name
        if title is not None:
            data["title"] = title
        data.setdefault("id", _folder_id(folder))
    if "images" not in data:
        data["images"] = [p.relative_to(folder).as_posix() for p in find_photos(folder)]
        if not data["images"] and listing_file is None:
            raise UserError(f"no photos in {folder}")
    listing = _validate(_normalise(data, name, warnings), name)
    for image in listing.images:
        resolve_image_path(folder, image.file)
    return listing, folder


def listing_file_of(path: Path) -> Path | None:
    """The listing.json/.yaml that `load_listing(path)` reads, or None for a bare folder."""
    path = Path(path)
    if path.is_file():
        return path
    return next((path / n for n in LISTING_NAMES if (path / n).is_file()), None)


def find_photos(folder: Path) -> list[Path]:
    """Photos directly in `folder` (hidden files ignored), in natural name order."""
    photos = [
        p for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in IMAGE_SUFFIXES
    ]
    return sorted(photos, key=lambda p: _natural_key(p.name))


def resolve_image_path(folder: Path, file: str) -> Path:
    """The image's real path; UserError if it leaves `folder` (`..`, absolute, symlink out)."""
    posix, windows = PurePosixPath(file), PureWindowsPath(file)
    if posix.is_absolute() or windows.is_absolute() or windows.drive or windows.root:
        raise UserError(f"image path leaves the listing folder: {file}")
    if ".." in posix.parts or ".." in windows.parts:
        raise UserError(f"image path leaves the listing folder: {file}")
    root = folder.resolve()
    try:
        real = (root / file).resolve()
    except (OSError, RuntimeError, ValueError):
        # A symlink loop, a NUL byte or an over-long name: it cannot be opened either (ingest
        # skips it, naming why), and the checks above keep its name inside the folder.
        return root / file
    if not real.is_relative_to(root):
        raise UserError(f"image path leaves the listing folder: {file}")
    return real


def _folder_id(folder: Path) -> str:
    name = folder.resolve().name
    return name[:200] or "listing"


def _natural_key(name: str) -> list[Any]:
    # "img2" before "img10": digits compare as numbers.
    parts = re.split(r"(\d+)", name.casefold())
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in parts]


def _read(file: Path) -> dict[str, Any]:
    text = read_listing_text(file)
    try:
        data = _parse(file, text)
    except RecursionError:
        raise UserError(f"{file.name} is nested too deeply to be a listing") from None
    except ValueError as exc:  # not a syntax error: e.g. an integer of more than 4300 digits
        what = "a number too long to read" if "digits" in str(exc) else f"a bad value ({exc})"
        raise UserError(f"{file.name} holds {what}") from None
    if not isinstance(data, dict):
        raise UserError(f"{file.name}: top level must be an object (got {_kind(data)})")
    return data


def _parse(file: Path, text: str) -> Any:
    if file.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError(
                f"{file.name} is not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}"
            ) from None
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise UserError(
            f"{file.name} is not valid YAML: line {line} column {col}: {exc.problem}"
        ) from None
    except yaml.YAMLError as exc:
        raise UserError(f"{file.name} is not valid YAML: {exc}") from None


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "an object", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), "a number"
    )


def _normalise(data: dict[str, Any], name: str, warnings: list[str] | None = None
               ) -> dict[str, Any]:
    """Map sellers' words onto the contract's values; unknown words pass through unchanged."""
    data = dict(data)
    for key in ("id", "title", "description", "language"):
        if isinstance(data.get(key), int | float) and not isinstance(data.get(key), bool):
            data[key] = str(data[key])
        if isinstance(data.get(key), str):
            data[key] = data[key].strip()  # before the length check: "   " is an empty title
    if "domain" in data:
        data["domain"] = normalise_domain(data["domain"])
    if isinstance(data.get("attributes"), dict):
        data["attributes"] = normalise_attributes(data["attributes"], str(data.get("domain")), name)
    if isinstance(data.get("images"), list):
        data["images"] = [{"file": i} if isinstance(i, str) else i for i in data["images"]]
    if isinstance(data.get("price"), int | float) and not isinstance(data["price"], bool):
        # A bare number has no currency: XXX is ISO 4217's "no currency". Never spoken anyway.
        data["price"] = {"amount": data["price"], "currency": "XXX"}
    return tidy_listing(data, name, warnings)


def _validate(data: dict[str, Any], name: str) -> Listing:
    attrs = data.get("attributes")
    if attrs is not None:
        # Validate attributes on their own first: the contract's domain switch re-raises the
        # nested error without the 'attributes.' prefix, so the message would name the wrong field.
        model = {"car": CarAttributes, "real_estate": HomeAttributes}.get(
            str(data.get("domain", "other")), OtherAttributes
        )
        try:
            model.model_validate(attrs)
        except ValidationError as exc:
            raise UserError(describe_errors(exc, name, prefix=("attributes",))) from None
    try:
        return Listing.model_validate(data)
    except ValidationError as exc:
        raise UserError(describe_errors(exc, name)) from None


def describe_errors(exc: ValidationError, name: str, prefix: tuple[Any, ...] = ()) -> str:
    """One line naming the first problem (and how many more there are)."""
    seen: dict[str, dict[str, Any]] = {}
    for err in exc.errors():
        # Union members add their type name to the path ('str', 'CarAttributes'): drop them.
        loc = [p for p in (*prefix, *err["loc"]) if p not in _UNION_TAGS]
        seen.setdefault(_dotted(loc), err)
    field, err = next(iter(seen.items()))
    kind = err["type"]
    if kind == "missing":
        text = f"{name}: missing required field '{field}'"
    elif kind == "extra_forbidden":
        text = f"{name}: unknown field '{field}'"
    else:
        ctx = {k: _ctx_text(v) for k, v in (err.get("ctx") or {}).items()}
        problem = _PROBLEMS.get(kind, "is not valid: {msg}").format(msg=err["msg"], **ctx)
        text = f"{name}: field '{field}' {problem} (got {shown(err.get('input'))})"
    more = len(seen) - 1
    if more:
        text += f"; and {more} more error{'s' if more > 1 else ''}"
    return text


def _ctx_text(value: Any) -> str:
    text = str(value)
    return text[:-2] if text.endswith(".0") else text


def _dotted(loc: list[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"
