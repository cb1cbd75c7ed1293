"""Plain text: joining wrapped lines the way a reader expects in every script.

A line break inside a paragraph is a "segment break". CSS Text Level 3 (section 4.1.2, "Segment
Break Transformation Rules") removes it between two East Asian wide characters and turns it into a
space elsewhere: "开\\n展" reads "开展", while "sign\\ning" reads "sign ing". Chromium does not apply
that rule, and summaries, feeds and meta descriptions are joined by newshub itself, so newshub
applies it wherever it joins lines: Markdown bodies, the plain text taken from them, and YAML text
that its folding joined with a space.
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

_BREAK = re.compile(r"[ \t]*\n[ \t]*")
_FOLDED = re.compile(r"(?<=\S) (?=\S)")
_ZWSP = "\u200b"


def width(char: str) -> str:
    """'W' for East Asian Width F, W or H except Hangul (whose words are spaced), 'A' for ambiguous
    width (curly quotes, '…', '—'), else 'N'."""
    found = unicodedata.east_asian_width(char)
    if found in ("F", "W", "H"):
        return "N" if unicodedata.name(char, "").startswith("HANGUL") else "W"
    return "A" if found == "A" else "N"


def _joins(before: str, after: str) -> bool:
    """Whether a segment break between these two characters disappears instead of becoming a space.

    CSS Text 3 removes it between two wide characters. Punctuation of ambiguous width is wide in
    Chinese text, so it counts as wide beside a wide character (a closing quote, then a full-width parenthesis), as the spec allows
    for East Asian contexts; between two ambiguous or beside a Latin letter the break stays a space."""
    if _ZWSP in (before, after):
        return True
    if not before or not after:
        return False
    pair = {width(before), width(after)}
    return pair == {"W"} or pair == {"W", "A"}


def join_breaks(text: str, before: str = "", after: str = "") -> str:
    """`text` with each line break (and the spaces around it) removed where CSS Text 3 removes it.

    `before` and `after` are the characters just outside `text` (the neighbouring text of an inline
    element), so a break at either end is judged too. Breaks that stay are kept as they are."""

    def replace(match: re.Match[str]) -> str:
        left = text[match.start() - 1] if match.start() else before
        right = text[match.end()] if match.end() < len(text) else after
        return "" if _joins(left, right) else match.group()

    return _BREAK.sub(replace, text) if "\n" in text else text


def unfold(text: str) -> str:
    """Undo YAML folding between wide characters: a plain or '>' scalar wrapped over lines comes
    back joined by single spaces, and a space typed between two Chinese characters is rare enough
    that every such space is taken for a fold."""
    return _FOLDED.sub(lambda m: "" if _joins(text[m.start() - 1], text[m.end()]) else " ", text)


# Content a reader does not see as text: code, embeds' fallback, footnote marks (handled below).
_UNSEEN = {"script", "style", "template", "iframe", "video", "audio", "object", "noscript", "canvas", "svg", "math", "pre"}
_VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_SUMMARY_FALLBACK = {"ul", "ol", "dl", "blockquote", "table"}
_GAP = "\x1f"  # between blocks and at <br>: a space that joining lines never removes
_STEP = 512  # characters read at a time: a first paragraph tends to end within the first few hundred
_SEPARATE = {"br", "li", "dt", "dd", "td", "th", "tr", "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "caption", "figcaption"}


class _FirstText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.top = ""  # the top-level element being read
        self.parts: list[str] = []
        self.unseen = 0  # depth inside content not shown as text
        self.found = ""
        self.fallback = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SEPARATE:
            self.parts.append(_GAP)
        if tag in _VOID:
            return
        if self.depth == 0:
            self.top, self.parts = tag, []
        self.depth += 1
        footnote_mark = tag == "sup" and (dict(attrs).get("id") or "").startswith("fnref")
        if self.unseen or tag in _UNSEEN or footnote_mark:
            self.unseen += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or self.depth == 0:
            return
        self.depth -= 1
        if self.unseen:
            self.unseen -= 1
        if tag in _SEPARATE:
            self.parts.append(_GAP)
        if self.depth == 0:
            text = " ".join(join_breaks("".join(self.parts)).replace(_GAP, " ").split())
            if text and self.top == "p" and not self.found:
                self.found = text
            elif text and self.top in _SUMMARY_FALLBACK and not self.fallback:
                self.fallback = text

    def handle_data(self, data: str) -> None:
        if self.depth and not self.unseen:
            self.parts.append(data)


def first_text(fragment: str) -> str:
    """The plain text of the first top-level paragraph of `fragment` (sanitised HTML) that has
    text, else of the first list, quote or table; entities decoded, and code, embeds, footnote marks
    and everything the sanitiser removed (comments) left out. What a summary, a meta description
    and a feed entry show. Reads only as far as it needs."""
    reader = _FirstText()
    for start in range(0, len(fragment), _STEP):
        reader.feed(fragment[start : start + _STEP])
        if reader.found:
            break
    return reader.found or reader.fallback
