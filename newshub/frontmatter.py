"""Split a Markdown source into its YAML front matter and body."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import fail


@dataclass(frozen=True)
class Split:
    yaml: str
    yaml_offset: int  # file lines before the YAML text (the opening ---)
    body: str
    body_offset: int  # file lines before the body


def header(data: bytes) -> bytes:
    """`data` up to the end of the line that closes its front matter: all that split() needs of it
    (the preview's cold start reads only the front matter). All of `data` when no line closes it,
    at least as bytes see it (a CR-only file); split() then judges the whole text as always."""
    pos = 0
    while (pos := data.find(b"\n", pos) + 1) > 0:
        stop = data.find(b"\n", pos) + 1 or len(data)  # past the line's newline, or the end
        if data[pos:stop].rstrip() in (b"---", b"..."):
            return data[:stop]
    return data


def split(text: str, rel: str) -> Split:
    """`text` is already decoded and LF-normalised."""
    if not text.strip():
        raise fail(rel, 1, "the file is empty; start it with front matter between two '---' lines")
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        raise fail(rel, 1, "missing front matter: the first line must be '---', then 'title: ...', then '---'")
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return Split(
                yaml="\n".join(lines[1:i]) + "\n",
                yaml_offset=1,
                body="\n".join(lines[i + 1 :]),
                body_offset=i + 1,
            )
    raise fail(rel, 1, "front matter is not closed: add a '---' line after the last 'key: value' line")
