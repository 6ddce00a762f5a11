"""What a batch renders: listing folders in a folder, or the lines of a listings.jsonl.

A listings.jsonl line is a listing object (its image paths relative to the jsonl's folder), a
JSON string holding a path (to a listing folder or file, relative to the jsonl's folder), or
`{"path": ...}`. A line that cannot be used becomes an item with an `error`, recorded in the
summary; it never stops the batch. Each item's content key (every input byte + the options)
decides whether a finished render can be reused.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ad2video.errors import UserError
from ad2video.fsutil import sha256_file
from ad2video.listing_io import LISTING_NAMES, resolve_image_path

JSONL_SUFFIXES = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class BatchItem:
    name: str  # output folder name under the batch folder (unique, [A-Za-z0-9_-])
    origin: str  # where it came from: a folder path, or "listings.jsonl:LINE"
    source: Path | None = None  # listing folder or file to render
    listing: dict[str, Any] | None = None  # a listing object from a jsonl line
    base: Path | None = None  # folder the object's image paths are relative to
    error: str | None = None  # why it cannot be rendered (recorded, never raised)


def discover(path: Path) -> list[BatchItem]:
    """The batch's items in a stable order; UserError only when `path` itself is unusable."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"listings not found: {path}")
    if path.is_dir():
        items = _folder_items(path)
    elif path.suffix.lower() in JSONL_SUFFIXES:
        items = _jsonl_items(path)
    else:
        raise UserError(f"expected a folder of listing folders or a .jsonl file: {path}")
    if not items:
        raise UserError(f"no listings in {path}")
    return _unique_names(items)


def _folder_items(folder: Path) -> list[BatchItem]:
    if any((folder / n).is_file() for n in LISTING_NAMES):
        raise UserError(f"{folder} is one listing, not a folder of listings "
                        "(render it with `ad2video render`, or batch its parent folder)")
    subs = sorted((p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")),
                  key=lambda p: p.name)
    return [BatchItem(name=safe_name(p.name), origin=str(p), source=p) for p in subs]


def _jsonl_items(file: Path) -> list[BatchItem]:
    try:
        lines = file.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {file}: {getattr(exc, 'strerror', None) or exc}") from None
    items = []
    for number, line in enumerate(lines, start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            items.append(_line_item(file, number, line))
    return items


def _line_item(file: Path, number: int, line: str) -> BatchItem:
    origin = f"{file.name}:{number}"
    fallback = f"line-{number}"
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        return BatchItem(fallback, origin, error=f"line {number} is not valid JSON: "
                         f"column {exc.colno}: {exc.msg}")
    if isinstance(value, dict) and set(value) == {"path"}:
        value = value["path"]
    if isinstance(value, str) and value.strip():
        source = (file.parent / value).expanduser()
        name = source.parent.name if source.is_file() else source.name
        return BatchItem(safe_name(name or fallback), origin, source=source)
    if isinstance(value, dict):
        name = safe_name(str(value.get("id") or fallback))
        return BatchItem(name, origin, listing=value, base=file.parent)
    kind = "a list" if isinstance(value, list) else type(value).__name__
    return BatchItem(fallback, origin, error=f"line {number}: expected a listing object or a "
                     f"path (got {kind})")


def safe_name(text: str) -> str:
    """A folder name that is safe on every filesystem: [A-Za-z0-9_-], at most 80 characters."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_")[:80]
    return name or "listing"


def _unique_names(items: list[BatchItem]) -> list[BatchItem]:
    seen: set[str] = set()
    out = []
    for item in items:
        name, k = item.name, 2
        while name.lower() in seen:  # case-insensitive filesystems too
            name, k = f"{item.name}-{k}", k + 1
        seen.add(name.lower())
        out.append(item if name == item.name else _renamed(item, name))
    return out


def _renamed(item: BatchItem, name: str) -> BatchItem:
    return BatchItem(name, item.origin, item.source, item.listing, item.base, item.error)


# --------------------------------------------------------------------------- content keys


def content_key(item: BatchItem, options: dict[str, Any], version: str) -> str:
    """sha256 over every input byte of the item, the render options and the tool version."""
    h = hashlib.sha256()
    h.update(json.dumps({"options": options, "version": version}, sort_keys=True,
                        default=str).encode())
    if item.listing is not None and item.base is not None:
        h.update(json.dumps(item.listing, sort_keys=True, ensure_ascii=False).encode())
        for rel, digest in _object_files(item.listing, item.base):
            h.update(f"\0{rel}\0{digest}".encode())
    elif item.source is not None:
        folder = item.source if item.source.is_dir() else item.source.parent
        if item.source.is_file():
            h.update(f"\0file\0{item.source.name}".encode())
        for path in sorted(_files(folder)):
            h.update(f"\0{path.relative_to(folder).as_posix()}\0{sha256_file(path)}".encode())
    return h.hexdigest()


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [p for p in folder.rglob("*") if p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(folder).parts)]


def _object_files(listing: dict[str, Any], base: Path) -> list[tuple[str, str]]:
    out = []
    for entry in listing.get("images") or []:
        file = entry.get("file") if isinstance(entry, dict) else entry
        if not isinstance(file, str):
            continue
        try:
            real = resolve_image_path(base, file)
        except UserError:
            continue  # the render reports it; the key only needs to be stable
        out.append((file, sha256_file(real) if real.is_file() else "missing"))
    return out


def stage_object(item: BatchItem, folder: Path) -> Path:
    """Write a jsonl listing object as `folder`/listing.json with its photos hard-linked (or
    copied) beside it, so that ingest reads it like any listing folder."""
    assert item.listing is not None and item.base is not None
    folder.mkdir(parents=True, exist_ok=True)
    for entry in item.listing.get("images") or []:
        file = entry.get("file") if isinstance(entry, dict) else entry
        if not isinstance(file, str):
            continue
        real = resolve_image_path(item.base, file)  # refuses paths leaving the jsonl's folder
        if not real.is_file():
            continue  # ingest records it as "file not found"
        target = folder / file
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(real, target)
        except OSError:  # another filesystem, or links not allowed
            shutil.copyfile(real, target)
    listing_file = folder / "listing.json"
    listing_file.write_text(json.dumps(item.listing, ensure_ascii=False), encoding="utf-8")
    return folder
