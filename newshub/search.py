"""search: rendered pages into the files of their search index, made by Pagefind.

Pagefind's extended build (the `pagefind[extended]` package) segments Chinese into words, splits
the index by each page's `<html lang>` (one index per language), and writes a static bundle that
the search page's script loads: `pagefind.js`, its WebAssembly, and index chunks fetched as a
query needs them. What a page gives the index is said by the theme: `data-pagefind-body` on the
part to index, `data-pagefind-meta` for the title, type and date shown with each result,
`data-pagefind-ignore` for what to leave out.

`index()` is the one way rendered pages become index files: `newshub build` hands it the pages as
they are rendered, the preview the pages it would serve now, on the first request under /pagefind/.

Pagefind's indexing service (`pagefind_extended --service`, which its Python and Node APIs
drive) is spoken to directly: the Python API waits 0.1 s for every answer (200 s for 2,000 pages)
and cannot read an answer over 2 MiB (the files of a large index). The service takes requests one
at a time, in the order sent, so pages are sent without waiting for each answer and the index is
the same for the same pages in the same order.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import select
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from .errors import BuildError, Problem
from .urls import href

SEARCHABLE = frozenset({"article", "page", "project", "partner"})  # route kinds whose pages are indexed
FOLDER = "pagefind"  # the bundle's folder in the output: /pagefind/pagefind.js
ENTRY = "pagefind-entry.json"
# Pagefind's ready-made search interfaces: the theme's search page uses pagefind.js with its own script.
_UNUSED = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")


class SearchError(Exception):
    """Pagefind could not be started or said no."""


def executable() -> Path:
    """The Pagefind binary: the extended one from `pagefind[extended]` (or PAGEFIND_BINARY_PATH)."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        raise SearchError('Pagefind is not installed; pip install "pagefind[extended]"') from None
    found = get_executable()
    if found is None or not Path(found).is_file():
        raise SearchError('Pagefind is not installed; pip install "pagefind[extended]"')
    return Path(found)


def version() -> str:
    """What identifies the binary that makes the index, for the build's input digest."""
    try:
        path = executable()
    except SearchError:
        return ""
    stat = path.stat()
    return f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}"


class Pagefind:
    """One Pagefind indexing service and one index in it. Requests are written without waiting for
    their answers; the answers are read as they come (select) and at the end, so neither pipe fills."""

    def __init__(self) -> None:
        self._log: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close(); not a pipe, which could fill
        try:
            self._proc = subprocess.Popen([str(executable()), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log)
        except OSError as exc:
            self._log.close()
            raise SearchError(f"cannot start Pagefind: {exc}") from None
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._stdin, self._stdout = self._proc.stdin, self._proc.stdout.fileno()
        self._sent = self._answered = 0
        self._buffer = bytearray()
        self._scanned = 0  # bytes of _buffer known to hold no comma
        try:
            self._index = int(self._wait(self._send({"type": "NewIndex", "config": None}))["index_id"])
        except BaseException:
            self.close()
            raise

    def add(self, url: str, html: str) -> None:
        """Index one rendered page, found at `url` (a site path: pagefind.js adds the base path)."""
        self._send({"type": "AddFile", "index_id": self._index, "url": url, "file_path": None, "file_contents": html})
        while self._answered < self._sent and _readable(self._stdout):
            self._next()

    def files(self) -> dict[str, bytes]:
        """The index files Pagefind would write, by path inside its folder. All come in one answer
        (base64 in JSON in base64: some 0.9 GB at 100,000 articles), so each is decoded as the
        answer lets go of it. Not WriteFiles: Pagefind 1.5.2 answers it before the files are
        written, and ends with the files half written when its input is closed then (Pagefind
        issue #1271; fixed by pull request #1272, in no release yet)."""
        listed = self._wait(self._send({"type": "GetFiles", "index_id": self._index}))["files"]
        listed.reverse()  # popped from the end, in Pagefind's order: each answer item let go once decoded
        found = {}
        while listed:
            item = listed.pop()
            found[item["path"]] = base64.b64decode(item["content"])
        return found

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._stdin.close()  # the service ends at the end of its input
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._log.close()

    def __enter__(self) -> Pagefind:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(self, payload: dict[str, Any]) -> int:
        self._sent += 1
        message = json.dumps({"message_id": self._sent, "payload": payload}).encode()
        try:
            self._stdin.write(base64.b64encode(message) + b",")  # the service reads a message up to its comma
            self._stdin.flush()
        except OSError:
            raise SearchError(f"Pagefind stopped{self._said()}") from None
        return self._sent

    def _wait(self, message_id: int) -> dict[str, Any]:
        """The answer to one request, after those to the requests before it."""
        while True:
            found, answer = self._next()
            if found == message_id:
                return answer

    def _next(self) -> tuple[int, dict[str, Any]]:
        """The next answer (base64 JSON up to a comma), in the order of the requests."""
        while (end := self._buffer.find(b",", self._scanned)) < 0:
            self._scanned = len(self._buffer)
            chunk = os.read(self._stdout, 1 << 20)
            if not chunk:
                raise SearchError(f"Pagefind stopped{self._said()}")
            self._buffer += chunk
        with memoryview(self._buffer) as view:  # not a copy of what may be hundreds of megabytes (b64decode makes one)
            decoded = binascii.a2b_base64(view[:end])
        del self._buffer[: end + 1]
        if not self._buffer:
            self._buffer = bytearray()  # `del` keeps the allocation of the largest answer so far
        answer = json.loads(decoded)
        del decoded
        self._scanned = 0
        self._answered += 1
        payload: dict[str, Any] = answer.get("payload") or {}
        if payload.get("type") == "Error":
            raise SearchError(str(payload.get("message") or "it failed"))
        if answer.get("message_id") != self._answered:
            raise SearchError(f"Pagefind answered request {answer.get('message_id')} where {self._answered} was due")
        return self._answered, payload

    def _said(self) -> str:
        self._log.seek(0)
        text = self._log.read()[-2000:].decode("utf-8", "replace").strip()
        return f": {text}" if text else ""


def _readable(fd: int) -> bool:
    """Whether an answer has begun to come (on Windows, where select takes no pipes: wait for it)."""
    if os.name == "nt":
        return True
    return bool(select.select([fd], [], [], 0)[0])


def index(pages: Iterable[tuple[str, bytes]]) -> dict[str, bytes]:
    """The search index of rendered pages, (site path, HTML) in a stable order, as output files
    (`pagefind/...` -> bytes). The same pages in the same order give the same bytes."""
    pagefind = None
    try:
        for url, html in pages:
            # Started with the first page: after a build's render workers are forked, so that
            # none of them holds an end of its pipes.
            pagefind = pagefind or Pagefind()
            pagefind.add(href(url), html.decode("utf-8"))
        pagefind = pagefind or Pagefind()
        made = pagefind.files()
    except SearchError as exc:
        raise BuildError([Problem(FOLDER, 0, f"search index: {exc}")]) from None
    finally:
        if pagefind is not None:
            pagefind.close()
    files = {}
    for name, data in sorted(made.items()):
        if name.startswith(_UNUSED) or name.startswith("playground/"):
            continue
        files[f"{FOLDER}/{name}"] = _canonical_entry(data) if name == ENTRY else data
    return files


def _canonical_entry(data: bytes) -> bytes:
    """pagefind-entry.json with its languages in one order: Pagefind writes them in the order of a
    Rust HashMap, which is new in every run (pagefind.js looks them up by name)."""
    entry = json.loads(data)
    entry["languages"] = dict(sorted(entry["languages"].items()))
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
