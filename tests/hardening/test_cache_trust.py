"""A build cache from anywhere else (committed to a repository, unpacked from an archive, crafted)
can never run code: the cache holds data only, read as MessagePack into typed values. Whatever a
cache file holds that is not what newshub writes is discarded with a warning, and the site is
built as if there were no cache.

The files are crafted from the layout newshub documents (newshub/cache.py): a magic line, frames
of an 8-byte big-endian length and a MessagePack value (the environment key first), then the
hex SHA-256 of the frames. The magic line and the environment frame are taken from a cache a
build wrote, so the crafted files pass every check that anyone could satisfy."""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import msgspec
import pytest

from newshub.cache import CACHE_DIR
from tests.conftest import MakeSite, run_cli, tree

from .helpers import GOOD, no_traceback

WARNING = "warning: .newshub-cache: corrupt or foreign cache discarded; rebuilding it"


class _Evil:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def _frame(data: bytes) -> bytes:
    return len(data).to_bytes(8, "big") + data


def _parts(cache_file: bytes) -> tuple[bytes, bytes]:
    """The magic line and the first frame (the environment key) of a cache file newshub wrote."""
    magic, rest = cache_file.split(b"\n", 1)
    length = int.from_bytes(rest[:8], "big")
    return magic + b"\n", rest[: 8 + length]


def _sealed(magic: bytes, frames: bytes) -> bytes:
    """A file with a correct digest: the plain SHA-256 anyone can compute."""
    return magic + frames + hashlib.sha256(frames).hexdigest().encode()


def _built(make_site: MakeSite) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """GOOD built once with the cache: (root, the site, the cache files by name)."""
    root = make_site(GOOD)
    result = run_cli(root, "build")
    assert result.returncode == 0, result.stderr
    files = {path.name: path.read_bytes() for path in (root / CACHE_DIR).iterdir()}
    assert files and all(not name.startswith(".") for name in files)
    return root, tree(root / "site"), files


def _build_over(root: Path, expected: dict[str, bytes]) -> list[str]:
    """Build into a fresh output folder; the output must equal `expected`. Its stderr lines."""
    result = run_cli(root, "build", "--output", "again")
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert tree(root / "again") == expected
    return result.stderr.splitlines()


def test_a_crafted_cache_runs_nothing(make_site: MakeSite, tmp_path: Path) -> None:
    root, site, files = _built(make_site)
    marker = tmp_path / "PWNED"
    payload = pickle.dumps({"env": "x", "entries": _Evil(marker)})
    magic, env = _parts(next(iter(files.values())))
    crafted = {
        "a bare pickle": payload,
        "a pickle after the magic line, with its SHA-256": _sealed(magic, payload),
        "a pickle as a frame after the environment key, with the SHA-256": _sealed(magic, env + _frame(payload)),
    }
    for what, blob in crafted.items():
        for name in [*files, "parse.pickle", "state.pickle"]:  # also the names an older newshub read
            (root / CACHE_DIR / name).write_bytes(blob)
        lines = _build_over(root, site)
        assert WARNING in lines, what
        assert not marker.exists(), what
    assert _build_over(root, site) == []  # the rebuilt cache is newshub's own again: no warning
    assert not (root / CACHE_DIR / "parse.pickle").exists()  # the old format's files are removed


def test_a_cache_that_does_not_decode_into_newshubs_types_is_discarded(make_site: MakeSite) -> None:
    # A correct magic line, environment key and digest, and MessagePack that is not a list of
    # parse results (msgspec validates every field against its type while decoding).
    root, site, files = _built(make_site)
    magic, env = _parts(next(iter(files.values())))
    key = b"k" * 32
    wrong = [
        msgspec.msgpack.encode([1, 2, 3]),
        msgspec.msgpack.encode([[key, "problems that are not a list"]]),
        msgspec.msgpack.encode([[key, [], [], {"source": 1, "title": "an article with fields missing"}]]),
        msgspec.msgpack.encode([[key, [["content/news/a.md", "line one", "a problem whose line is text"]]]]),
        b"\xc1",  # a byte MessagePack never uses
    ]
    for frame in wrong:
        for name in files:
            (root / CACHE_DIR / name).write_bytes(_sealed(magic, env + _frame(frame)))
        assert WARNING in _build_over(root, site), frame


@pytest.mark.parametrize("how", ["garbage", "empty", "truncated", "flipped byte", "changed text", "no digest", "frame too long"])
def test_a_damaged_cache_is_discarded_and_the_output_is_right(make_site: MakeSite, how: str) -> None:
    root, site, files = _built(make_site)
    changed = False
    for name, data in files.items():
        middle = len(data) // 2
        magic = _parts(data)[0]
        damaged = {
            "garbage": b"\x00garbage" * 100,
            "empty": b"",
            "truncated": data[:middle],
            "flipped byte": data[:middle] + bytes([data[middle] ^ 0x20]) + data[middle + 1 :],
            # Still valid MessagePack of the right types: only the digest tells.
            "changed text": data.replace(b"A first paragraph", b"A FIRST paragraph"),
            "no digest": data[:-64],
            "frame too long": magic + (2**40).to_bytes(8, "big") + data[len(magic) + 8 :],
        }[how]
        changed = changed or damaged != data
        (root / CACHE_DIR / name).write_bytes(damaged)
    assert changed
    lines = _build_over(root, site)
    assert WARNING in lines
    assert _build_over(root, site) == []
