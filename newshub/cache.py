"""The persistent build cache in .newshub-cache/: parse results keyed by content hash.

A key covers everything a parse result depends on: the file's path and bytes, the settings of
site.yaml that parsing reads (languages, time zone, HTML allowlist, base path), and the versions
of newshub, Python-Markdown, nh3, msgspec and Python. A template or site title change re-renders
pages without re-parsing Markdown.

The cache holds data, never code: MessagePack, decoded by msgspec straight into the frozen
dataclasses a parse returns (Parsed's Article, Page, Project, Partner, Problem), each field checked
against its type as it is read. Reading a cache file can therefore run nothing, wherever the file
came from. A file is a magic line, then frames, each an 8-byte big-endian length and a
MessagePack value (the environment key, then the parse results in batches, or the build state),
then the hex SHA-256 of the frames. A file that is truncated, corrupt, from another version or
that does not decode into those types is discarded with a warning and rebuilt. What a valid
cache holds still goes into the pages, so, like __pycache__, it is a local build artefact: do not
restore it from an untrusted source.

The cache also remembers the last successful build's input digest, so that a build whose files
were touched but not changed can prove that the output folder (noop.Stamp) is already exactly
what it would write, and skip rendering.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

import msgspec

from .config import SiteConfig
from .discover import Source
from .errors import Problem
from .images import Picture
from .model import Article, Page, Partner, Project
from .noop import CACHE_DIR, environment_key
from .parse import Parsed
from .store import BodyStore, StoredArticle

_FILE = "parse.msgpack"
_STATE = "state.msgpack"
_OLD = ("parse.pickle", "state.pickle")  # what newshub wrote before the cache held data only
_MAGIC = b"newshub-cache 3\n"
_BATCH = 512  # parse results per frame: the file is written and read a frame at a time
_DIGEST = 64  # hex SHA-256 at the end of the file
_LENGTH = 8  # bytes of a frame's length, big-endian


def config_key(config: SiteConfig, base_path: str) -> str:
    """The part of site.yaml that parse() reads; other settings only affect rendering."""
    parts = (config.languages, config.timezone, config.html, base_path, environment_key())
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def source_key(source: Source, config_digest: str) -> bytes:
    h = hashlib.sha256(config_digest.encode())
    h.update(b"\0" + source.rel.encode() + b"\0" + source.section.encode() + b"\0")
    h.update(source.data)
    return h.digest()


@dataclass
class BuildState:
    """The last successful build: the digest of its inputs (its output files are in noop.Stamp)."""

    input_digest: str = ""
    images: dict[str, tuple[int, int, Picture]] = field(default_factory=dict)  # image file -> (size, mtime_ns, what it makes)
    link_warnings: list[Problem] = field(default_factory=list)  # said again by a no-op build


TIMES = ("date", "publish_date", "expires")  # the date-times of articles and pages
_KINDS = (("article", Article), ("page", Page), ("project", Project), ("partner", Partner))


class _Entry(msgspec.Struct, array_like=True, omit_defaults=True, frozen=True):
    """One parse result as stored: its key, and its item in the field of its kind (msgspec tells
    the members of a union apart by their encoding, and dataclasses all encode as maps).

    MessagePack keeps a date-time as an instant in UTC; `zone` is the time zone of an article's or
    page's date-times (TIMES: parse puts them all in the site's zone)."""

    key: bytes
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    article: Article | None = None
    page: Page | None = None
    project: Project | None = None
    partner: Partner | None = None
    zone: str = ""
    deps: tuple[tuple[str, str, int, int, Picture | None], ...] = ()

    @classmethod
    def of(cls, key: bytes, parsed: Parsed) -> _Entry:
        item = parsed.item.loaded() if isinstance(parsed.item, StoredArticle) else parsed.item
        kind = next((name for name, of_kind in _KINDS if isinstance(item, of_kind)), None)
        times = [t for name in TIMES if (t := getattr(item, name, None)) is not None] if isinstance(item, Article | Page) else []
        zone = getattr(times[0].tzinfo, "key", "") if times else ""
        items: dict[str, Any] = {kind: item} if kind else {}
        return cls(key, parsed.problems, parsed.warnings, zone=zone, deps=parsed.deps, **items)

    def parsed(self) -> Parsed:
        """The Parsed that was stored; ValueError if this entry could not have come from one."""
        items = [item for item in (self.article, self.page, self.project, self.partner) if item is not None]
        if len(items) > 1:
            raise ValueError("an entry with two items")
        for item in (self.article, self.page):
            for name in TIMES if item is not None and self.zone else ():
                if (value := getattr(item, name, None)) is not None:
                    # Freshly decoded, referenced from nowhere else yet: set in place, as __init__ would.
                    object.__setattr__(item, name, value.astimezone(_zone(self.zone)))
        return Parsed(items[0] if items else None, self.problems, self.warnings, self.deps)


@functools.cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)  # ValueError or ZoneInfoNotFoundError (a KeyError) for a name that is none


_ENCODER = msgspec.msgpack.Encoder()
_HEADER = msgspec.msgpack.Decoder(str)
_ENTRIES = msgspec.msgpack.Decoder(list[_Entry])
_BUILD_STATE = msgspec.msgpack.Decoder(BuildState)
# What reading a frame raises when its bytes are not what this version writes: msgspec's
# DecodeError (and ValidationError, a subclass), and a time zone or date that is none.
_UNREADABLE = (msgspec.DecodeError, ValueError, LookupError, OverflowError)


@dataclass
class Cache:
    """Parse results by key. `used` collects the keys this build asked for; only those are saved."""

    folder: Path | None  # None: caching off
    entries: dict[bytes, Parsed] = field(default_factory=dict)
    used: dict[bytes, Parsed] = field(default_factory=dict)
    state: BuildState = field(default_factory=BuildState)
    dirty: bool = False  # parse results to save
    state_dirty: bool = False  # build state to save (a small file of its own)
    discarded: str = ""  # why an existing cache file was not used, for --verbose

    @classmethod
    def open(cls, root: Path, enabled: bool = True, store: BodyStore | None = None) -> Cache:
        """The cache of the project at `root` (an empty one when `enabled` is False). `store`: where
        the articles' bodies go as they are read (a build's), so that they are never all in memory."""
        if not enabled:
            return cls(None)
        cache = cls(root / CACHE_DIR)
        assert cache.folder is not None
        entries: dict[bytes, Parsed] = {}

        def add(frame: bytes) -> None:
            for entry in _ENTRIES.decode(frame):
                parsed = entry.parsed()
                entries[entry.key] = store.keep(parsed) if store is not None else parsed

        why = _load(cache.folder / _FILE, add)
        if why:
            cache.discarded, cache.dirty = why, True
        else:
            cache.entries = entries
        states: list[BuildState] = []
        if not _load(cache.folder / _STATE, lambda frame: states.append(_BUILD_STATE.decode(frame))) and len(states) == 1:
            cache.state = states[0]
        return cache

    def get(self, key: bytes) -> Parsed | None:
        found = self.entries.get(key)
        if found is not None:
            self.used[key] = found
        return found

    def put(self, key: bytes, parsed: Parsed) -> None:
        if self.folder is None:
            return
        self.used[key] = parsed
        self.dirty = True

    def save(self) -> None:
        """Write atomically: a crash mid-write leaves the old cache or none, never half of one."""
        if self.folder is None:
            return
        self.folder.mkdir(exist_ok=True)
        if self.dirty or len(self.used) != len(self.entries):
            _dump(self.folder / _FILE, _batches(self.used))
            self.entries = dict(self.used)
            self.dirty = False
        if self.state_dirty:
            _dump(self.folder / _STATE, [_ENCODER.encode(self.state)])
            self.state_dirty = False
        _remove_leftovers(self.folder)


def _batches(entries: dict[bytes, Parsed]) -> Iterator[bytes]:
    """The entries in key order, encoded _BATCH at a time: the file is never held whole in memory,
    and the same entries give the same bytes, however the build came by them (serial or parallel)."""
    items = sorted(entries.items(), key=lambda item: item[0])
    for start in range(0, len(items), _BATCH):
        yield _ENCODER.encode([_Entry.of(key, parsed) for key, parsed in items[start : start + _BATCH]])


class _Corrupt(Exception):
    pass


def _load(path: Path, decode: Callable[[bytes], object]) -> str:
    """Each frame after the environment key through `decode`: '', or why the file was discarded.

    Frames are decoded as they are read (decoding cannot run code); if the digest at the end
    does not match, whatever `decode` collected must be thrown away. A missing file is no cache."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError:
        return ""
    with handle:
        size = os.fstat(handle.fileno()).st_size
        if size < len(_MAGIC) + _DIGEST or handle.read(len(_MAGIC)) != _MAGIC:
            return "corrupt or foreign cache discarded"
        digest = hashlib.sha256()
        frames = _frames(handle, size - _DIGEST, digest)
        try:
            header = next(frames, None)
            if header is None or _HEADER.decode(header) != environment_key():
                return "foreign cache discarded (another newshub, Python-Markdown or nh3 version)"
            for frame in frames:
                decode(frame)
            if handle.read(_DIGEST) != digest.hexdigest().encode():
                raise _Corrupt
        except (_Corrupt, OSError, *_UNREADABLE):
            return "corrupt or foreign cache discarded"
    return ""


def _frames(handle: BinaryIO, end: int, digest: hashlib._Hash) -> Iterator[bytes]:
    """The frames up to `end` (where the digest starts), each added to `digest` as it is read."""
    at = handle.tell()
    while at < end:
        head = handle.read(_LENGTH)
        length = int.from_bytes(head, "big")
        if len(head) != _LENGTH or at + _LENGTH + length > end:
            raise _Corrupt
        frame = handle.read(length)
        if len(frame) != length:
            raise _Corrupt
        digest.update(head)
        digest.update(frame)
        at += _LENGTH + length
        yield frame


def _remove_leftovers(folder: Path) -> None:
    """Temporary files of a process killed while saving. Only those an hour older than the cache
    just written (its mtime stands for now; the build reads no clock): not another one's, mid-save.
    Also the files of the pickle format newshub wrote before, which it no longer reads."""
    for name in _OLD:
        with contextlib.suppress(OSError):
            (folder / name).unlink()
    for name in (_FILE, _STATE):
        with contextlib.suppress(OSError):
            now = (folder / name).stat().st_mtime
            for tmp in folder.glob(f".{Path(name).stem}-*"):
                with contextlib.suppress(OSError):
                    if now - tmp.stat().st_mtime > 3600:
                        tmp.unlink()


def _dump(path: Path, frames: Iterable[bytes]) -> None:
    """The magic line, the environment key and `frames`, each with its length, then their digest."""
    assert path.parent.is_dir()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(_MAGIC)
            digest = hashlib.sha256()
            for frame in itertools.chain([_ENCODER.encode(environment_key())], frames):
                head = len(frame).to_bytes(_LENGTH, "big")
                handle.write(head)
                handle.write(frame)
                digest.update(head)
                digest.update(frame)
            handle.write(digest.hexdigest().encode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def digest_of(parts: list[bytes]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def tree_digest(folder: Path) -> list[bytes]:
    """Every file of a folder (templates, assets) as path and bytes, in a stable order."""
    out: list[bytes] = []
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            try:
                data = path.read_bytes()
            except FileNotFoundError:  # an editor's probe or temporary file, gone since it was listed
                continue
            out += [path.relative_to(folder).as_posix().encode(), data]
    return out
