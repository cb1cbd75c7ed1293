"""Reading source files: strict UTF-8, BOM and CR/CRLF tolerated, errors positioned."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import fail

MAX_BYTES = 8 * 1024 * 1024  # larger sources are refused rather than risking a stalled build
# Characters XML 1.0 forbids (a form feed pasted from a word processor, an ANSI escape): one in a
# title or body would make every feed that carries it unreadable, so they are refused with their line.
CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def control_problem(text: str) -> tuple[int, str] | None:
    """(0-based index, message) of the first character feeds cannot carry, or None."""
    match = CONTROL.search(text)
    if match is None:
        return None
    return match.start(), f"contains the control character U+{ord(match.group()):04X}, which feeds cannot carry; delete it"


def decode(data: bytes, rel: str) -> str:
    if len(data) > MAX_BYTES:
        raise fail(rel, 0, f"file is {len(data) // 1024 // 1024} MB; the limit is {MAX_BYTES // 1024 // 1024} MB, split it")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise fail(rel, line, f"not UTF-8 at byte {exc.start}; save the file as UTF-8") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        raise fail(rel, text.count("\n", 0, text.index("\x00")) + 1, "contains a NUL character; is this a text file?")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    found = control_problem(text)
    if found is not None:
        raise fail(rel, text.count("\n", 0, found[0]) + 1, found[1])
    return text


def read_text(path: Path, rel: str) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(rel, 0, f"cannot read: {exc.strerror}") from None
    return decode(data, rel)
