"""write: the rendered files into the output folder, without touching what did not change.

Changed and new files are first written to a staging folder beside the output; only when every
page has rendered are they moved into place, each with an atomic rename, and files the site no
longer has are removed. A failed build (any content, template or render error) therefore leaves the
previous site byte for byte as it was. Files whose bytes did not change are never rewritten: they
keep their inode and mtime, so rsync and CDN uploads see nothing to do. The first build into a
missing folder renames the staging folder into place.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from .errors import fail


def _shown(root: Path, out: Path) -> str:
    """The output folder as errors name it: relative to the project, like every other error path."""
    return out.relative_to(root).as_posix() if out.is_relative_to(root) else str(out)


def refuse_unsafe_output(root: Path, out: Path) -> None:
    """Refuse output folders whose replacement would destroy something that is not build output."""
    root, out = root.resolve(), out.resolve()
    content = root / "content"
    home = Path.home().resolve()
    danger = {Path(out.anchor), home, root}
    shown = _shown(root, out)
    if out in danger:
        raise fail(shown, 0, "refusing to build into this folder: it would be replaced; use a folder such as site/")
    if out == content or content.is_relative_to(out) or out.is_relative_to(content):
        raise fail(shown, 0, "refusing to build into a folder that holds content/ or lies inside it; use site/")
    for src in ("templates", "assets"):
        if (root / src).resolve() == out or out.is_relative_to((root / src).resolve()):
            raise fail(shown, 0, f"refusing to build into {src}/; use site/")
    if out.exists() and not out.is_dir():
        raise fail(shown, 0, "the output path exists and is not a folder")


def refuse_foreign_output(root: Path, out: Path, retain: tuple[str, ...]) -> None:
    """Refuse to replace a folder that holds files but no earlier build: `--output ~/Documents`
    would otherwise delete everything in it that the site does not have. A folder holding only
    retained names (a fresh clone of a gh-pages branch: .git, CNAME) is fine."""
    if not out.is_dir():
        return
    names = {entry.name for entry in out.iterdir()}
    if not names or names <= set(retain) or {"sitemap.xml", "404.html"} & names:
        return
    raise fail(
        _shown(root.resolve(), out.resolve()),
        0,
        "refusing to build into a folder that holds other files and no earlier build (no sitemap.xml); empty it or choose another",
    )


def _plain(rel: str) -> bool:
    """A relative path of plain names: no empty, '.' or '..' part, no backslash or NUL."""
    return bool(rel) and not any(part in ("", ".", "..") or "\\" in part or "\0" in part for part in rel.split("/"))


def _inside(base: Path, rel: str) -> Path:
    parts = rel.split("/")
    if _plain(rel):
        return base.joinpath(*parts)  # plainly inside: base is a fresh folder with no symlinks in it
    target = (base / rel).resolve()
    if not target.is_relative_to(base):
        raise fail(rel, 0, "output path escapes the output folder; this is a bug or a hostile slug")
    return target


def _flat(rel: str) -> str:
    return hashlib.blake2b(rel.encode(), digest_size=20).hexdigest()


def _same(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


class SiteWriter:
    """Stages changed files in a temporary folder beside `out`, then moves them into place.

    `put` may be called from forked worker processes: each file is compared and staged on its own,
    and folders are created with exist_ok, so workers never step on each other.
    """

    def __init__(self, root: Path, out: Path, retain: tuple[str, ...] = ()) -> None:
        refuse_unsafe_output(root, out)
        self.out = out.resolve()
        self.retain = retain
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.new-", dir=self.out.parent)).resolve()
        self.fresh = not self.out.exists()  # nothing to compare with: stage everything, rename the folder
        self._dirs: set[Path] = set()

    def _stage(self, rel: str) -> Path:
        if not self.fresh:
            # Flat, named by a hash of the path: no staging folder per page. A mkdir costs as much as
            # writing the page on a journaled disk, and the output folders exist already.
            return self.tmp / _flat(rel)
        target = _inside(self.tmp, rel)
        if target.parent not in self._dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(target.parent)
        return target

    def put(self, rel: str, data: bytes) -> int:
        """1 if the file is new or changed (staged to be written), 0 if the output already has it."""
        _inside(self.tmp, rel)  # refuse a path that escapes before looking at anything
        if not self.fresh and _same(self.out / rel, data):
            return 0
        self._stage(rel).write_bytes(data)
        return 1

    def put_chunks(self, rel: str, chunks: Iterable[bytes]) -> int:
        """put() for a file made in pieces, compared with the previous file as it is made: an
        unchanged file (a feed after a page template edit) is never written at all."""
        _inside(self.tmp, rel)
        previous = self.out / rel
        old: BinaryIO | None = None
        if not self.fresh:
            try:
                old = open(previous, "rb")  # noqa: SIM115 - closed below
            except OSError:
                old = None
        try:
            pieces = iter(chunks)
            matched = 0  # bytes equal to the previous file so far
            if old is not None:
                for chunk in pieces:
                    if old.read(len(chunk)) != chunk:
                        break
                    matched += len(chunk)
                else:
                    if old.read(1) == b"":
                        return 0
                    chunk = b""
            else:
                chunk = b""
            with open(self._stage(rel), "wb") as new:
                if old is not None and matched:
                    old.seek(0)
                    while matched > 0:  # the equal head, copied back from the previous file
                        block = old.read(min(matched, 1 << 20))
                        new.write(block)
                        matched -= len(block)
                new.write(chunk)
                for chunk in pieces:
                    new.write(chunk)
            return 1
        finally:
            if old is not None:
                old.close()

    def commit(self, files: Iterable[str]) -> None:
        """Move staged files into place and remove what the site no longer has. `files`: every
        path of the new site (also those put by workers), to tell stale files from kept ones."""
        keep = set(files)
        if self.fresh and not self.out.exists():
            os.chmod(self.tmp, 0o755)  # mkdtemp makes 0700; a web server must read the site
            os.rename(self.tmp, self.out)
            return
        tmp = str(self.tmp)
        ready: set[Path] = set()  # output folders known to exist as folders
        if self.fresh:  # staged as a tree (the output folder appeared during the build)
            for dirpath, _dirs, names in os.walk(tmp):
                rel_dir = os.path.relpath(dirpath, tmp)
                for name in names:
                    rel = name if rel_dir == "." else f"{rel_dir}/{name}"
                    _replace(os.path.join(dirpath, name), self.out, rel, ready)
        else:  # staged flat: a staged file the site does not have would be removed below anyway
            by_name = {_flat(rel): rel for rel in keep}
            top, known = str(self.out), {""}  # folders of `out` (relative) known to be folders
            for name in sorted(os.listdir(tmp)):
                staged_rel = by_name.get(name)
                if staged_rel is None:
                    continue
                if _plain(staged_rel):
                    _replace_plain(os.path.join(tmp, name), top, staged_rel, known)
                else:
                    _replace(os.path.join(tmp, name), self.out, staged_rel, ready)
        top_kept = {rel.split("/", 1)[0] for rel in keep}
        retained = {name for name in self.retain if name and "/" not in name and name not in top_kept}
        _remove_stale(self.out, keep, retained)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


def _replace(staged: str, out: Path, rel: str, ready: set[Path]) -> None:
    """Rename one staged file over its place in `out`, clearing a file or folder in the way."""
    target = out / rel
    parent = target.parent
    if parent not in ready:
        for ancestor in (*reversed(parent.relative_to(out).parents), parent.relative_to(out)):
            blocker = out / ancestor
            if blocker != out and (blocker.is_file() or blocker.is_symlink()):
                blocker.unlink()
        parent.mkdir(parents=True, exist_ok=True)
        ready.add(parent)
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    else:
        # Unlink first: ext4 flushes a file renamed over another at once (auto_da_alloc), which
        # made a full re-render three times slower; a reader may miss the file for a moment.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)
    os.rename(staged, target)


def _replace_plain(staged: str, top: str, rel: str, known: set[str]) -> None:
    """_replace() for a plain relative path, with string paths and one lstat per new folder: the
    pathlib version cost more than the rename itself, once per page."""
    folder = rel.rpartition("/")[0]
    if folder not in known:
        at = ""
        for part in folder.split("/"):
            at = f"{at}/{part}" if at else part
            if at in known:
                continue
            path = f"{top}/{at}"
            try:
                mode: int | None = os.lstat(path).st_mode
            except FileNotFoundError:
                mode = None
            if mode is not None and not stat.S_ISDIR(mode):  # a file or symlink in the way
                os.unlink(path)
                mode = None
            if mode is None:
                os.mkdir(path)
            known.add(at)
    target = f"{top}/{rel}"
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        shutil.rmtree(target)
    elif mode is not None:
        os.unlink(target)  # first: see _replace
    os.rename(staged, target)


def _remove_stale(out: Path, keep: set[str], retained: set[str]) -> None:
    """Delete files of `out` that the new site does not have, then folders left empty."""
    emptied: set[str] = set()
    top = str(out)
    for dirpath, dirs, names in os.walk(top, topdown=True):
        rel_dir = dirpath[len(top) + 1 :] or "."  # os.walk joins below `top`: no relpath needed
        if rel_dir == ".":
            dirs[:] = [d for d in dirs if d not in retained]
            names = [n for n in names if n not in retained]
        for name in names:
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            if rel not in keep:
                os.unlink(os.path.join(dirpath, name))
                emptied.add(dirpath)
    for dirpath in sorted(emptied, key=len, reverse=True):  # deepest first, then up the chain
        while dirpath != top:
            try:
                os.rmdir(dirpath)  # only succeeds when empty
            except OSError:
                break
            dirpath = os.path.dirname(dirpath)


def write_site(root: Path, out: Path, files: dict[str, bytes], retain: tuple[str, ...] = ()) -> int:
    """Replace `out` with exactly `files` (plus retained top-level entries). Returns files written."""
    writer = SiteWriter(root, out, retain)
    written = 0
    try:
        for rel in sorted(files):
            written += writer.put(rel, files[rel])
        writer.commit(files)
    except BaseException:
        writer.abort()
        raise
    return written
