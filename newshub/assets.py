"""Static assets with content-hashed names, so a cache can never serve a stale stylesheet."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .discover import NotRegular, is_image, is_scratch, read_file
from .images import without_metadata


@dataclass(frozen=True)
class Asset:
    name: str  # 'css/site.css', as templates ask for it
    url: str  # '/assets/css/site.1a2b3c4d5e.css'
    data: bytes


def hashed_name(name: str, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()[:10]
    folder, _, file = name.rpartition("/")
    stem, dot, ext = file.rpartition(".")
    hashed = f"{stem}.{digest}.{ext}" if dot else f"{file}.{digest}"
    return f"{folder}/{hashed}" if folder else hashed


def load_assets(root: Path) -> dict[str, Asset]:
    folder = root / "assets"
    assets: dict[str, Asset] = {}
    if not folder.is_dir():
        return assets
    inside = root.resolve()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if any(is_scratch(part) for part in rel.split("/")):
            continue
        resolved = path.resolve()
        if not resolved.is_relative_to(inside):
            continue  # a symbolic link out of the project (a secret, /proc/self/environ) is never published
        try:
            data = read_file(str(resolved))  # as resolved: a link put there since is not followed
        except (FileNotFoundError, NotRegular):  # an editor's temporary file, gone or replaced since it was listed
            continue
        if is_image(rel):  # a photo taken on a phone carries where it was taken
            data = without_metadata(data)
        assets[rel] = Asset(rel, "/assets/" + hashed_name(rel, data), data)
    return assets
