"""write: the rendered files into the output folder, atomically.

The new site is built in a temporary folder beside the output and swapped in only when complete,
so a failed build leaves the previous site byte for byte as it was. Files whose bytes did not
change are hard-linked from the previous site, keeping their inode and mtime: rsync and CDN
uploads then see nothing to do.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .errors import fail


def check_output_dir(root: Path, out: Path) -> None:
    """Refuse output folders whose replacement would destroy something that is not build output."""
    root, out = root.resolve(), out.resolve()
    content = root / "content"
    home = Path.home().resolve()
    danger = {Path(out.anchor), home, root}
    if out in danger:
        raise fail(str(out), 0, "refusing to build into this folder: it would be replaced; use a folder such as site/")
    if out == content or content.is_relative_to(out) or out.is_relative_to(content):
        raise fail(str(out), 0, "refusing to build into a folder that holds content/ or lies inside it; use site/")
    for src in ("templates", "assets"):
        if (root / src).resolve() == out or out.is_relative_to((root / src).resolve()):
            raise fail(str(out), 0, f"refusing to build into {src}/; use site/")
    if out.exists() and not out.is_dir():
        raise fail(str(out), 0, "the output path exists and is not a folder")


def _inside(base: Path, rel: str) -> Path:
    target = (base / rel).resolve()
    if not target.is_relative_to(base):
        raise fail(rel, 0, "output path escapes the output folder; this is a bug or a hostile slug")
    return target


def _same(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def write_site(root: Path, out: Path, files: dict[str, bytes], retain: tuple[str, ...] = ()) -> int:
    """Replace `out` with exactly `files` (plus retained top-level entries). Returns files written."""
    check_output_dir(root, out)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent)).resolve()
    written = 0
    try:
        for rel in sorted(files):
            data = files[rel]
            target = _inside(tmp, rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            previous = out / rel
            if _same(previous, data):
                os.link(previous, target)
            else:
                target.write_bytes(data)
                written += 1
        os.chmod(tmp, 0o755)  # mkdtemp makes 0700; a web server must read the site
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _swap(tmp, out, tuple(name for name in retain if name and "/" not in name and name not in files))
    return written


def _swap(new: Path, out: Path, retain: tuple[str, ...]) -> None:
    if not out.exists():
        os.rename(new, out)
        return
    # Until the old tree is removed at the end, every step leaves both trees whole on disk.
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent)) / "site"
    os.rename(out, old)
    os.rename(new, out)
    for name in retain:
        kept = old / name
        if (kept.exists() or kept.is_symlink()) and not (out / name).exists():
            os.rename(kept, out / name)
    shutil.rmtree(old.parent, ignore_errors=True)
