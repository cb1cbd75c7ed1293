"""The persistent build cache in .newshub-cache/: parse results keyed by content hash.

A key covers everything a parse result depends on: the file's path and bytes, the settings of
site.yaml that parsing reads (languages, time zone, HTML allowlist, base path), and the versions
of newshub, Python-Markdown, nh3 and Python. A template or site title change therefore re-renders
pages without re-parsing Markdown. The cache file starts with a magic line and ends with a SHA-256
digest of its payload; a file that is truncated, corrupt, from another version or written by
anything else is discarded and rebuilt, never trusted: the digest, keyed with a secret of this
user's (see _secret), is checked before unpickling.

The cache also remembers the last successful build (a fingerprint of every input and a manifest
of the output files' size, mtime and inode), so that a no-op build can prove the output folder is
already exactly what it would write, and skip rendering.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import os
import pickle
import secrets
import sys
import tempfile
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any, BinaryIO

from . import __version__
from .config import SiteConfig
from .discover import Source
from .parse import Parsed

CACHE_DIR = ".newshub-cache"
_FILE = "parse.pickle"
_STATE = "state.pickle"
_MAGIC = b"newshub-cache 2\n"


@functools.cache
def environment_key() -> str:
    """Versions of everything whose change could change a parse result or the pickle format.

    newshub's own modules are hashed too, not only its version: an edited checkout or a
    development install must not reuse parse results that older code produced."""
    code = hashlib.sha256()
    for module in sorted(Path(__file__).parent.glob("*.py")):
        code.update(module.name.encode() + b"\0" + module.read_bytes())
    parts = [__version__, code.hexdigest(), version("markdown"), version("nh3"), sys.version, str(pickle.HIGHEST_PROTOCOL)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


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
    """The last successful build: its input fingerprint and the output files it left."""

    fingerprint: str = ""
    output: str = ""
    manifest: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # rel -> (size, mtime_ns, inode)


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
    def open(cls, root: Path, enabled: bool = True) -> Cache:
        if not enabled:
            return cls(None)
        cache = cls(root / CACHE_DIR)
        assert cache.folder is not None
        loaded, why = _load(cache.folder / _FILE)
        if why:
            cache.discarded, cache.dirty = why, True
        elif loaded is not None and isinstance(loaded.get("entries"), dict):
            entries = loaded["entries"]
            if all(isinstance(k, bytes) and isinstance(v, Parsed) for k, v in entries.items()):
                cache.entries = entries
            else:
                cache.discarded, cache.dirty = "malformed cache discarded", True
        state, why = _load(cache.folder / _STATE)
        if state is not None and not why and isinstance(state.get("state"), BuildState):
            cache.state = state["state"]
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
            _dump(self.folder / _FILE, {"env": environment_key(), "entries": self.used})
            self.entries = dict(self.used)
            self.dirty = False
        if self.state_dirty:
            _dump(self.folder / _STATE, {"env": environment_key(), "state": self.state})
            self.state_dirty = False
        _remove_leftovers(self.folder)


def _load(path: Path) -> tuple[dict[str, Any] | None, str]:
    """(the verified payload or None, why it was discarded or '')."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError:
        return None, ""
    with handle:
        if not _verified(handle):
            return None, "corrupt or foreign cache discarded"
        handle.seek(len(_MAGIC))
        try:
            loaded = pickle.load(handle)  # read from the file: its bytes are never held whole
        except Exception:  # a verified but unreadable payload: another version's classes
            return None, "unreadable cache discarded"
    if not isinstance(loaded, dict) or loaded.get("env") != environment_key():
        return None, "foreign cache discarded (another newshub, Python-Markdown or nh3 version)"
    return loaded, ""


def _remove_leftovers(folder: Path) -> None:
    """Temporary files of a process killed while saving. Only those an hour older than the cache
    just written (its mtime stands for now; the build reads no clock): not another one's, mid-save."""
    for name in (_FILE, _STATE):
        with contextlib.suppress(OSError):
            now = (folder / name).stat().st_mtime
            for tmp in folder.glob(f".{Path(name).stem}-*"):
                with contextlib.suppress(OSError):
                    if now - tmp.stat().st_mtime > 3600:
                        tmp.unlink()


def _dump(path: Path, payload: dict[str, Any]) -> None:
    assert path.parent.is_dir()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(_MAGIC)
            hashing = _HashingWriter(handle)
            # Pickled straight into the file: no second copy of the payload in memory.
            pickle.dump(payload, hashing, pickle.HIGHEST_PROTOCOL)
            handle.write(hashing.digest.hexdigest().encode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_KEY: list[bytes] = []


def _secret() -> bytes:
    """This user's key for cache digests, kept outside every project (~/.cache/newshub/cache-key).

    A plain SHA-256 is not enough: anyone can compute it for a pickle that runs code when loaded,
    so a .newshub-cache/ committed to a repository (and built in CI) would run that code. Keyed
    with a secret only this machine has, a cache is trusted only if this user wrote it. Without a
    writable home the key lives for one process: caches are then rebuilt, never trusted."""
    if not _KEY:
        key = secrets.token_bytes(32)
        try:
            base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newshub"
            base.mkdir(parents=True, exist_ok=True)
            path = base / "cache-key"
            if not path.exists():
                fd, tmp = tempfile.mkstemp(dir=base)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(key)
                with contextlib.suppress(FileExistsError):
                    os.link(tmp, path)  # atomic: the first process to get here sets the key
                os.unlink(tmp)
            stored = path.read_bytes()
            if len(stored) == 32:
                key = stored
        except (OSError, RuntimeError):  # RuntimeError: no home folder
            pass
        _KEY.append(key)
    return _KEY[0]


class _HashingWriter:
    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.digest = hmac.new(_secret(), digestmod=hashlib.sha256)

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return int(self.handle.write(data))


_DIGEST = 64  # hex SHA-256 at the end of the file


def _verified(handle: BinaryIO) -> bool:
    """The file starts with the magic line and ends with the digest of what lies between."""
    size = os.fstat(handle.fileno()).st_size
    if size < len(_MAGIC) + _DIGEST or handle.read(len(_MAGIC)) != _MAGIC:
        return False
    digest = hmac.new(_secret(), digestmod=hashlib.sha256)
    left = size - len(_MAGIC) - _DIGEST
    while left > 0:
        block = handle.read(min(left, 1 << 20))
        if not block:
            return False
        digest.update(block)
        left -= len(block)
    return hmac.compare_digest(handle.read(_DIGEST), digest.hexdigest().encode())


def fingerprint(parts: list[bytes]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def tree_digest(folder: Path) -> list[bytes]:
    """Every file of a folder (templates, assets) as path and bytes, in a stable order."""
    out: list[bytes] = []
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            out.append(path.relative_to(folder).as_posix().encode())
            out.append(path.read_bytes())
    return out


def manifest_of(out: Path, rels: list[str]) -> dict[str, tuple[int, int, int]] | None:
    result: dict[str, tuple[int, int, int]] = {}
    for rel in rels:
        try:
            st = os.stat(out / rel)
        except OSError:
            return None
        result[rel] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return result


def output_intact(out: Path, manifest: dict[str, tuple[int, int, int]], retain: tuple[str, ...] = ()) -> bool:
    """The output folder still holds exactly the files the last build left, unmodified.

    Retained top-level entries (.git, CNAME) are not build output and are not looked at."""
    if not manifest:
        return False
    count = 0
    try:
        tops = list(os.scandir(out))
    except OSError:
        return False
    for entry in tops:
        if entry.name in retain and entry.name not in manifest and not any(rel.startswith(entry.name + "/") for rel in manifest):
            continue
        if entry.is_dir(follow_symlinks=False):
            for _dirpath, _dirs, files in os.walk(entry.path):
                count += len(files)
        else:
            count += 1
        if count > len(manifest):
            return False
    if count != len(manifest):
        return False
    return manifest_of(out, list(manifest)) == manifest
