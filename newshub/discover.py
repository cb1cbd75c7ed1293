"""discover: find the content files and read their bytes. The only stage that reads content/."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem

SECTIONS = {"news": ".md", "pages": ".md", "projects": ".yaml", "partners": ".yaml"}

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
    """The section a content path belongs to, or None if newshub does not read it."""
    parts = rel.split("/")
    if len(parts) != 3 or parts[0] != "content" or parts[1] not in SECTIONS:
        return None
    name = parts[2]
    if is_scratch(name) or not name.lower().endswith(SECTIONS[parts[1]]):
        return None
    return parts[1]


def discover(root: Path) -> tuple[list[Source], list[Problem], list[Problem]]:
    """Every content file in a stable order, warnings for files newshub skips, and read errors."""
    sources: list[Source] = []
    warnings: list[Problem] = []
    errors: list[Problem] = []
    for section, ext in sorted(SECTIONS.items()):
        folder = root / "content" / section
        if not folder.is_dir():
            if folder.exists():  # a file where a folder belongs: its content would vanish silently
                errors.append(Problem(f"content/{section}", 0, f"is not a folder; move it aside and create content/{section}/"))
            continue
        real_root = root.resolve()
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):  # scandir: no stat per file
            name, rel = entry.name, f"content/{section}/{entry.name}"
            if is_scratch(name):
                continue
            if name.lower().endswith(".yml") and ext == ".yaml":
                warnings.append(Problem(rel, 0, "ignored: rename it to end in .yaml"))
                continue
            if not entry.is_file() or not name.lower().endswith(ext):  # 'NOTES.MD' too
                warnings.append(Problem(rel, 0, f"ignored: only {ext} files are read in content/{section}/"))
                continue
            found = read_source(real_root, section, Path(entry.path), entry.is_symlink())
            if isinstance(found, Source):
                sources.append(found)
            else:
                errors.append(found)
    return sources, warnings, errors


def read_source(real_root: Path, section: str, path: Path, symlink: bool) -> Source | Problem:
    """One content file's bytes, or why they may not be read (the preview reads files this way too).
    `real_root`: the project folder with symbolic links resolved."""
    rel = f"content/{section}/{path.name}"
    if symlink and not path.resolve().is_relative_to(real_root):
        # A link to ~/.ssh or /proc/self/environ must not be read into a published page.
        return Problem(rel, 0, f"is a symbolic link to a file outside the project; copy the file into content/{section}/")
    try:
        with open(path, "rb") as file:
            return Source(rel, section, file.read())
    except OSError as exc:
        return Problem(rel, 0, f"cannot read: {exc.strerror}")
