"""discover: find the content files and read their bytes. The only stage that reads content/.

`listing` finds them without reading any (a first load reads each as it is parsed: reading and
parsing overlap, and a build's sources are never all in memory); `discover` finds and reads them
(the preview, after its first load, compares bytes to know what changed)."""

from __future__ import annotations

import errno
import os
import re
import stat
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
    if name.endswith((".md", ".yaml")) and not name.startswith("."):  # no scratch name ends so: most names, no regex
        return False
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


@dataclass(frozen=True, slots=True)
class Entry:
    """A content file found and not read yet: read_source(real_root, entry) reads it. No Path: a
    build lists 100,000 of them before it reads the first."""

    rel: str
    section: str
    linked: bool  # the file, or the page bundle folder it is in, was a symbolic link when listed


def listing(root: Path) -> tuple[list[Entry], list[Problem], list[Problem]]:
    """Every content file in a stable order (none read), warnings for files newshub skips, and
    errors for section folders that are not folders."""
    entries: list[Entry] = []
    warnings: list[Problem] = []
    errors: list[Problem] = []
    for section in sorted(SECTIONS):
        folder = root / "content" / section
        if not folder.is_dir():
            if folder.exists():  # a file where a folder belongs: its content would vanish silently
                errors.append(Problem(f"content/{section}", 0, f"is not a folder; move it aside and create content/{section}/"))
            continue
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):  # scandir: no stat per file
            name, rel = entry.name, f"content/{section}/{entry.name}"
            if is_scratch(name) or (name.lower().endswith(IMAGE_SUFFIXES) and entry.is_file()):
                continue  # a photo is published when a page refers to it
            if entry.is_dir() and section in BUNDLED:
                for inner in sorted(os.scandir(entry.path), key=lambda e: e.name):
                    inner_rel = f"{rel}/{inner.name}"
                    if section_of(inner_rel) and inner.is_file():  # a linked bundle folder is checked as a linked file
                        entries.append(Entry(inner_rel, section, entry.is_symlink() or inner.is_symlink()))
                continue
            if (warning := skipped(rel, entry.is_file())) is not None:
                warnings.append(warning)
                continue
            entries.append(Entry(rel, section, entry.is_symlink()))
    return entries, warnings, errors


def discover(root: Path) -> tuple[list[Source], list[Problem], list[Problem]]:
    """Every content file read, in listing's order; warnings for files newshub skips; errors for
    folders that are not folders and files that cannot be read."""
    entries, warnings, errors = listing(root)
    real_root = root.resolve()
    sources: list[Source] = []
    for entry in entries:
        found = read_source(real_root, entry)
        (sources if isinstance(found, Source) else errors).append(found)  # type: ignore[arg-type]
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


# Where the system can refuse to open a link (not Windows), a file is opened so: a link put in its
# place since it was listed (or resolved) fails with ELOOP (EMLINK on FreeBSD) instead of being
# followed. Binary on Windows (no newline translation, no stop at ^Z); a pipe put in a file's place
# does not block the open, and is then refused as no regular file.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0) | _NOFOLLOW
_IS_LINK = (errno.ELOOP, errno.EMLINK)


class NotRegular(OSError):
    """What read_file found at a path where a regular file was: a link (`link`), a folder or a pipe."""

    def __init__(self, path: str, link: bool) -> None:
        super().__init__(f"{path} is {'a symbolic link' if link else 'not a regular file'}")
        self.link = link


def read_file(path: str) -> bytes:
    """The bytes of the regular file at `path`, opened refusing a link where the system can (so a
    link put there after `path` was resolved or listed is not followed). NotRegular for a link, a
    folder or a pipe; OSError when it cannot be read."""
    try:
        fd = os.open(path, _FLAGS)
    except OSError as exc:
        if exc.errno in _IS_LINK and _NOFOLLOW:
            raise NotRegular(path, link=True) from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegular(path, link=False)
        # os.read, not a buffered file: a third less time for a few-kB source. One byte more than
        # its size, and on to the end: a file that grows meanwhile is read whole.
        parts: list[bytes] = []
        while part := os.read(fd, info.st_size + 1 if not parts else 1 << 16):
            parts.append(part)
        return b"".join(parts)
    finally:
        os.close(fd)


def read_source(real_root: Path, entry: Entry) -> Source | Problem:
    """One content file's bytes, or why they may not be read (the preview reads files this way too).
    `real_root`: the project folder with symbolic links resolved. The file is judged again as it
    is opened (a build reads it minutes after listing it): a link is followed only within the
    project, and only to a regular file. A file listed as a link, one in a page bundle (whose
    folder may be a link) and every file where links cannot be refused at open are resolved first
    and opened as resolved."""
    rel = entry.rel
    path = os.path.join(real_root, rel)
    if entry.linked or not _NOFOLLOW or rel.count("/") == 3:
        try:
            resolved = Path(path).resolve()
        except (OSError, RuntimeError):  # a loop of links (RuntimeError up to Python 3.12)
            return Problem(rel, 0, "is a symbolic link that leads round in a loop; replace it with the file")
        if not resolved.is_relative_to(real_root):
            # A link to ~/.ssh or /proc/self/environ must not be read into a published page.
            return Problem(rel, 0, f"is a symbolic link to a file outside the project; copy the file into {rel.rsplit('/', 1)[0]}/")
        path = str(resolved)
    try:
        return Source(rel, entry.section, read_file(path))
    except NotRegular as exc:
        if exc.link and not entry.linked:  # a link now: judged as one
            return read_source(real_root, Entry(rel, entry.section, True))
        if exc.link:
            return Problem(rel, 0, "changed into another symbolic link while it was read; build again")
        return Problem(rel, 0, "is not a regular file; save the text as an ordinary file")
    except OSError as exc:
        return Problem(rel, 0, f"cannot read: {exc.strerror}")
