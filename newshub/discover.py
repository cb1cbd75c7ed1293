"""discover: find the content files and read their bytes. The only stage that reads content/."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem

SECTIONS = {"news": ".md", "pages": ".md", "projects": ".yaml", "partners": ".yaml"}
BUNDLED = ("news", "pages")  # sections whose items may be page bundles: a folder with index.md and its photos
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg", ".tif", ".tiff", ".heic", ".bmp")

# Editor swap, backup and temporary files are never content (vim, emacs, gedit, JetBrains, Kate).
_SCRATCH = re.compile(
    r"(^\.|^#.*#$|~$|\.sw[a-p]x?$|\.bak$|\.tmp$|___jb_(tmp|old)___$|\.goutputstream-\w+$|\.kate-swp$|\.part$|\.crdownload$)"
)


def is_scratch(name: str) -> bool:
    return bool(_SCRATCH.search(name))


@dataclass(frozen=True)
class Source:
    rel: str  # 'content/news/2024-04-02-agreement.md'
    section: str
    data: bytes


def section_of(rel: str) -> str | None:
    """The section a content path belongs to, or None if newshub does not read it: a file directly
    in the section's folder, or a page bundle's 'index.md' or 'index.<lang>.md'."""
    parts = rel.split("/")
    if len(parts) not in (3, 4) or parts[0] != "content" or parts[1] not in SECTIONS:
        return None
    name = parts[-1]
    if is_scratch(name) or not name.lower().endswith(SECTIONS[parts[1]]):
        return None
    if len(parts) == 4 and (parts[1] not in BUNDLED or is_scratch(parts[2]) or name.split(".")[0] != "index"):
        return None
    return parts[1]


def is_image(rel: str) -> bool:
    return rel.lower().endswith(IMAGE_SUFFIXES)


def discover(root: Path) -> tuple[list[Source], list[Problem], list[Problem]]:
    """Every content file in a stable order, warnings for files newshub skips, and read errors."""
    sources: list[Source] = []
    warnings: list[Problem] = []
    errors: list[Problem] = []
    for section in sorted(SECTIONS):
        folder = root / "content" / section
        if not folder.is_dir():
            if folder.exists():  # a file where a folder belongs: its content would vanish silently
                errors.append(Problem(f"content/{section}", 0, f"is not a folder; move it aside and create content/{section}/"))
            continue
        real_root = root.resolve()
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):  # scandir: no stat per file
            name, rel = entry.name, f"content/{section}/{entry.name}"
            if is_scratch(name) or (name.lower().endswith(IMAGE_SUFFIXES) and entry.is_file()):
                continue  # a photo is published when a page refers to it
            if entry.is_dir() and section in BUNDLED:
                for inner in sorted(os.scandir(entry.path), key=lambda e: e.name):
                    inner_rel = f"{rel}/{inner.name}"
                    if section_of(inner_rel) and inner.is_file():  # a linked bundle folder is checked as a linked file
                        found = read_source(real_root, section, inner_rel, Path(inner.path), entry.is_symlink() or inner.is_symlink())
                        _add(found, sources, errors)
                continue
            if (warning := skipped(rel, entry.is_file())) is not None:
                warnings.append(warning)
                continue
            _add(read_source(real_root, section, rel, Path(entry.path), entry.is_symlink()), sources, errors)
    return sources, warnings, errors


def skipped(rel: str, is_file: bool) -> Problem | None:
    """The warning for an entry directly in a section folder that newshub does not read ('notes.txt',
    'open-day.markdown', 'x.yml'), or None for one it reads or skips silently (photos, scratch files)."""
    parts = rel.split("/")
    if len(parts) != 3 or parts[0] != "content" or parts[1] not in SECTIONS:
        return None
    section, name = parts[1], parts[2]
    ext = SECTIONS[section]
    if is_scratch(name) or (is_file and is_image(name)) or (not is_file and section in BUNDLED):
        return None
    if name.lower().endswith(".yml") and ext == ".yaml":
        return Problem(rel, 0, "ignored: rename it to end in .yaml")
    if not is_file or not name.lower().endswith(ext):  # 'NOTES.MD' too
        return Problem(rel, 0, f"ignored: only {ext} files are read in content/{section}/")
    return None


def _add(found: Source | Problem, sources: list[Source], errors: list[Problem]) -> None:
    (sources if isinstance(found, Source) else errors).append(found)  # type: ignore[arg-type]


def read_source(real_root: Path, section: str, rel: str, path: Path, symlink: bool) -> Source | Problem:
    """One content file's bytes, or why they may not be read (the preview reads files this way too).
    `real_root`: the project folder with symbolic links resolved."""
    if symlink and not path.resolve().is_relative_to(real_root):
        # A link to ~/.ssh or /proc/self/environ must not be read into a published page.
        return Problem(rel, 0, f"is a symbolic link to a file outside the project; copy the file into {rel.rsplit('/', 1)[0]}/")
    try:
        with open(path, "rb") as file:
            return Source(rel, section, file.read())
    except OSError as exc:
        return Problem(rel, 0, f"cannot read: {exc.strerror}")
