"""Reading source files: strict UTF-8, BOM and CR/CRLF tolerated, errors positioned."""

from __future__ import annotations

from pathlib import Path

from .errors import fail

MAX_BYTES = 8 * 1024 * 1024  # larger sources are refused rather than risking a stalled build


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
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: Path, rel: str) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(rel, 0, f"cannot read: {exc.strerror}") from None
    return decode(data, rel)
