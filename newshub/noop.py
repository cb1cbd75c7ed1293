"""noop: a build with nothing to do, known before any content file is read.

A successful build leaves a `Stamp` (`.newshub-cache/stamp.json`): the size and modification time
of every file under content/, templates/ and assets/, a digest of what else its output depends
on (newshub and its libraries, the options, SOURCE_DATE_EPOCH, the Pagefind binary), the output
files it wrote and their stats, the first instant its output changes with no edit (a scheduled
item goes out, an item expires, a milestone falls due), and what it said (warnings, summary).
The next build compares stats, as make does, and stops there when nothing moved.

Stats are a shortcut, never the authority: when one differs, the build goes on and content hashes
decide what changed (pipeline.build). A file modified within RACY of the moment its stat was taken
may change again in the same clock tick without its stat changing, so it is not trusted: git's
"racily clean" entries (Documentation/technical/racy-git.txt).
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

import msgspec

from . import __version__
from .errors import Problem
from .options import Options, Report, strict

FOLDERS = ("content", "templates", "assets")  # everything a build reads from the project
RACY = 2_000_000_000  # ns: a file modified this close to its stat is looked at by content
CACHE_DIR = ".newshub-cache"
FILE = "stamp.json"
# The libraries whose output newshub writes or whose data it stores, and the Pagefind binary.
LIBRARIES = ("markdown", "nh3", "msgspec", "pillow", "jinja2", "babel", "icalendar", "pagefind", "pagefind_bin_extended")
FORMAT = 2  # 1 was written by json; a stamp of another format is no stamp
Stats = dict[str, tuple[int, int]]  # file -> (size, mtime_ns)


@dataclass
class Stamp:
    """What the last successful build read, wrote and said.

    `inputs`: every file it could read, relative to the project -> (size, mtime_ns), taken at
    `taken_ns` (time.time_ns()); `context`: the digest of everything else its output depends on;
    `output` and `manifest`: the output folder and each file written -> (size, mtime_ns, inode);
    `retain`: what in it is not build output; `until`: the first instant (POSIX seconds; 0: never)
    at which the output changes with no edit; then what it printed: warnings, pages, left out
    items, and the next scheduled item as (ISO 8601 date-time, source). `racy`: for each file
    modified within RACY of `taken_ns`, the digest of the bytes the build used (as git keeps for
    racily clean entries): its content, not its stat, says whether it changed."""

    inputs: Stats = field(default_factory=dict)
    taken_ns: int = 0
    context: str = ""
    output: str = ""
    manifest: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    retain: tuple[str, ...] = ()
    until: float = 0.0
    warnings: list[Problem] = field(default_factory=list)
    pages: int = 0
    left_out: dict[str, int] = field(default_factory=dict)
    next_scheduled: tuple[str, str] | None = None
    racy: dict[str, str] = field(default_factory=dict)  # a racily clean file -> sha256 of the bytes the build used
    format: int = 0  # FORMAT in a stamp a build writes: a file without the key is of no known format


@functools.cache
def environment_key() -> str:
    """A digest of newshub's own code and the versions of Python and LIBRARIES: what could change a
    parse result, a page, or the formats of the build cache.

    newshub's modules are hashed, not only its version: an edited checkout or a development
    install must not reuse results that older code produced (nor decode them into dataclasses
    whose fields have changed)."""
    code = hashlib.sha256()
    for module in sorted(Path(__file__).parent.glob("*.py")):
        code.update(module.name.encode() + b"\0" + module.read_bytes())
    parts = [__version__, code.hexdigest(), sys.version, *(_version(name) for name in LIBRARIES)]
    parts.append(os.environ.get("PAGEFIND_BINARY_PATH", ""))  # a Pagefind of one's own
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _version(name: str) -> str:
    try:
        return version(name)
    except LookupError:  # PackageNotFoundError: not installed
        return ""


def context(options: Options) -> str:
    """What a build's output depends on besides the project's files: the environment and the
    options that change what is written, and SOURCE_DATE_EPOCH."""
    settings = (options.drafts, options.future, options.base_url, str(options.out.resolve()), os.environ.get("SOURCE_DATE_EPOCH", ""))
    return hashlib.sha256(f"{environment_key()}\0{settings!r}".encode()).hexdigest()


@dataclass
class Look:
    """One look at the project before a build: the stats of its files and when they were taken,
    the context, the last stamp, and `said`, the report when that is all the build has to give."""

    taken_ns: int = 0
    inputs: Stats = field(default_factory=dict)
    context: str = ""
    stamp: Stamp | None = None
    said: Report | None = None


def look(options: Options) -> Look:
    """Stats and stamp, read once for the whole build: `said` is the last build's report, said
    again, when file stats alone show there is nothing to do. Reads no content file; --no-cache:
    an empty Look."""
    if not options.cache:
        return Look()
    found = Look(time.time_ns(), stats(options.root), context(options), load(options.root / CACHE_DIR))
    stamp, epoch = found.stamp, os.environ.get("SOURCE_DATE_EPOCH", "")
    if stamp is None or (epoch and not epoch.isdigit()):  # a bad SOURCE_DATE_EPOCH: the build says why
        return found
    now = float(epoch) if epoch else time.time()
    if fresh(stamp, options.root, found.inputs, found.context, options.out.resolve(), now):
        found.said = Report(warnings=list(stamp.warnings), pages=stamp.pages, left_out=dict(stamp.left_out))
        if stamp.next_scheduled is not None:
            found.said.next_scheduled = (datetime.fromisoformat(stamp.next_scheduled[0]), stamp.next_scheduled[1])
        strict(options, found.said.warnings)
    return found


def stats(root: Path) -> Stats:
    """(size, mtime_ns) of every file under the project's FOLDERS, by path relative to `root`."""
    found: Stats = {}
    for folder in FOLDERS:
        _walk(root / folder, f"{folder}/", found)
    return found


def _walk(folder: Path, prefix: str, found: Stats) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_dir():
                _walk(Path(entry.path), f"{prefix}{entry.name}/", found)
            else:
                st = entry.stat()
                found[prefix + entry.name] = (st.st_size, st.st_mtime_ns)
        except OSError:  # gone since it was listed: not what it was
            found[prefix + entry.name] = (-1, -1)


def next_change(times: Iterable[datetime], now: datetime) -> float:
    """The first of `times` after `now`, in POSIX seconds; 0.0 when none is."""
    later = [t.timestamp() for t in times if t > now]
    return min(later) if later else 0.0


def fresh(stamp: Stamp, root: Path, inputs: Stats, context: str, out: Path, now: float) -> bool:
    """Whether a build at `now` (POSIX seconds) of the project at `root`, with these input stats and
    context, would write what the stamped build wrote, and that is still in `out`: the same files
    with the same stats (and, for those racily clean, the same bytes), the same context, no change
    of the output due in between, the output intact."""
    if not stamp.inputs or stamp.context != context or inputs != stamp.inputs or stamp.output != str(out):
        return False
    if stamp.until and now >= stamp.until:
        return False
    limit = stamp.taken_ns - RACY
    for rel, (_, mtime) in inputs.items():
        if mtime >= limit and (rel not in stamp.racy or digest_of_file(root / rel) != stamp.racy[rel]):
            return False
    return output_intact(out, stamp.manifest, stamp.retain)


def racily_clean(inputs: Stats, taken_ns: int) -> set[str]:
    """The inputs modified within RACY of `taken_ns`: their stat cannot vouch for their bytes."""
    return {rel for rel, (_, mtime) in inputs.items() if mtime >= taken_ns - RACY}


def racy(inputs: Stats, taken_ns: int, used: Callable[[str], tuple[int, str] | None]) -> dict[str, str]:
    """The digest of each racily clean input whose size and hex SHA-256, as the build used it,
    `used(rel)` gives (None: unknown, and the file is never trusted)."""
    found: dict[str, str] = {}
    for rel in sorted(racily_clean(inputs, taken_ns)):
        if (used_now := used(rel)) is not None and used_now[0] == inputs[rel][0]:
            found[rel] = used_now[1]
    return found


def digest_of_file(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def load(folder: Path) -> Stamp | None:
    """The stamp in the cache folder; None when there is none, or it is damaged or of another format.

    msgspec decodes the JSON straight into the Stamp's types, checking each (a stamp lists every
    input and output file: 230,000 at 100,000 articles, no copies of them made on the way)."""
    try:
        raw = (folder / FILE).read_bytes()
    except OSError:
        return None
    digest, _, body = raw.partition(b"\n")
    if hashlib.sha256(body).hexdigest().encode() != digest:
        return None
    try:
        stamp = _DECODER.decode(body)
    except msgspec.DecodeError:  # and ValidationError: not what this version writes
        return None
    return stamp if stamp.format == FORMAT else None


_DECODER = msgspec.json.Decoder(Stamp)


def save(folder: Path, stamp: Stamp | None) -> None:
    """Write the stamp atomically; None removes it (a build whose output no stamp describes)."""
    if stamp is None:
        (folder / FILE).unlink(missing_ok=True)
        return
    folder.mkdir(exist_ok=True)
    body = msgspec.json.encode(stamp)
    fd, tmp = tempfile.mkstemp(prefix=".stamp-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
        os.replace(tmp, folder / FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def manifest_of(out: Path, rels: list[str]) -> dict[str, tuple[int, int, int]] | None:
    """(size, mtime_ns, inode) of each output file; None when one is missing."""
    result: dict[str, tuple[int, int, int]] = {}
    for rel in rels:
        try:
            st = os.stat(out / rel)
        except OSError:
            return None
        result[rel] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return result


def output_intact(out: Path, manifest: dict[str, tuple[int, int, int]], retain: tuple[str, ...] = ()) -> bool:
    """The output folder still holds exactly the files the last build left, unmodified: one
    directory scan and one stat per file, each compared with the manifest as it is read.

    Retained top-level entries (.git, CNAME) are not build output and are not looked at."""
    if not manifest:
        return False
    tops = {rel.split("/", 1)[0] for rel in manifest}
    seen = 0

    def walk(folder: str, prefix: str, top: bool) -> bool:
        nonlocal seen
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return False
        for entry in entries:
            if top and entry.name in retain and entry.name not in tops:
                continue
            rel = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                if not walk(entry.path, rel + "/", False):
                    return False
                continue
            expected = manifest.get(rel)
            if expected is None:
                return False  # a file the build did not write
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                return False
            if (st.st_size, st.st_mtime_ns, st.st_ino) != expected:
                return False
            seen += 1
        return True

    return walk(str(out), "", True) and seen == len(manifest)
