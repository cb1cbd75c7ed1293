"""store: the bodies of parsed articles kept in a temporary file while a build runs, not in memory.

A build holds every parse result from parsing to rendering. At 100,000 articles their bodies
(sanitised HTML and table of contents: about 60% of a parse result) were most of the build's
memory. `newshub build` writes each body into an unnamed temporary file as its article comes from
the parse workers or the cache, and keeps a `StoredArticle`, which reads its body back each time
it is asked for (a template, a feed, the cache being saved) and holds none. The render workers,
forked once the file is written, read it with `os.pread`, which needs no shared file position.
The preview keeps bodies in memory: it parses edits all the time, and one project is small.
Where `os.pread` is missing (Windows), a build keeps them in memory too (`available()`).
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import msgspec

from .errors import BuildError, Problem
from .markdown import TocEntry
from .model import Article
from .parse import Parsed

_TOC = msgspec.msgpack.Decoder(tuple[TocEntry, ...])
_ENCODER = msgspec.msgpack.Encoder()
STORED = ("body", "toc")  # the fields of an article that the store holds


def _same(value: Any) -> Any:
    return value


# Strings that many articles repeat (a tag's name, a language, a front matter key), as one copy
# each: a parse result arrives from a worker with copies of its own (some 800 bytes an article).
def _names(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(map(sys.intern, names))


_SHARED: dict[str, Any] = {
    "lang": sys.intern,
    "author": sys.intern,
    "tags": _names,
    "projects": _names,
    "partners": _names,
    "lines": lambda lines: {sys.intern(key): line for key, line in lines.items()},
}


class _Read:
    """A stored field: read from the store on every access, never kept on the instance."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, item: Any, owner: type | None = None) -> Any:
        if item is None:
            return self
        store, (at, body, toc) = item.__dict__["_store"], item.__dict__["_at"]
        return store.read(self.name, (at, body) if self.name == "body" else (at + body, toc))


class StoredArticle(Article):
    """An Article whose body and table of contents are in a BodyStore. It renders and hashes as the
    Article it was made from and equals another StoredArticle of the same fields (a dataclass
    equals only its own class); `loaded()` gives that Article back. It cannot be pickled: it
    lives in the process that made the store and its forks."""

    body = _Read()
    toc = _Read()

    def loaded(self) -> Article:
        return Article(**{f.name: getattr(self, f.name) for f in fields(Article)})


def available() -> bool:
    """Whether this system reads and writes files at an offset (pread, pwrite): not Windows."""
    return hasattr(os, "pread") and hasattr(os, "pwrite")


class BodyStore:
    """Article bodies in an unnamed temporary file (`folder`: where to make it; None: the system's
    temporary folder), appended to by the process that made the store and read by it and its forks.
    `reads` counts the fields read back, for tests that prove a stage reads none."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = str(folder or tempfile.gettempdir())
        self._file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 - closed by close(); unlinked at once
        self._fd = self._file.fileno()
        self._end = 0
        self.reads = 0

    def put(self, item: Article) -> StoredArticle:
        """`item` with its body and table of contents written here (a StoredArticle is kept as is)."""
        if isinstance(item, StoredArticle):
            return item
        at, body = self._write(item.body.encode())
        _, toc = self._write(_ENCODER.encode(item.toc))  # right after the body: one offset for both
        stored = object.__new__(StoredArticle)
        kept = {name: _SHARED.get(name, _same)(value) for name, value in item.__dict__.items() if name not in STORED}
        stored.__dict__.update(kept, _store=self, _at=(at, body, toc))
        return stored

    def keep(self, parsed: Parsed) -> Parsed:
        """`parsed` with its article's body written here (anything else as it is)."""
        if not isinstance(parsed.item, Article):
            return parsed
        return replace(parsed, item=self.put(parsed.item))

    def read(self, name: str, span: tuple[int, int]) -> Any:
        """The value of field `name` written at `span` (offset, length in bytes). ValueError once
        the store is closed (its file descriptor may be another file's by then)."""
        if self._file.closed:
            raise ValueError("the body store is closed")
        self.reads += 1
        data = os.pread(self._fd, span[1], span[0])
        if len(data) != span[1]:
            raise OSError(f"the body store ended at {span[0] + len(data)}, before {sum(span)}")
        return data.decode() if name == "body" else _TOC.decode(data)

    def close(self) -> None:
        self._file.close()

    def _write(self, data: bytes) -> tuple[int, int]:
        at = self._end
        view = memoryview(data)
        try:
            while view:  # pwrite may write less than asked
                done = os.pwrite(self._fd, view, self._end)
                self._end += done
                view = view[done:]
        except OSError as exc:  # a full disk: said as what it is, not as a cache that went bad
            why = f"cannot write the articles' bodies to a temporary file here: {exc.strerror}; free some disk space"
            raise BuildError([Problem(self.folder, 0, why)]) from None
        return at, len(data)
