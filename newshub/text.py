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

_BREAK = re.compile(r"[ \t]*\n[ \t]*")
_FOLDED = re.compile(r"(?<=\S) (?=\S)")
_ZWSP = "\u200b"


def is_wide(char: str) -> bool:
    """East Asian Width F, W or H and not Hangul (whose words are spaced): CSS Text 3, 4.1.2."""
    if unicodedata.east_asian_width(char) not in ("F", "W", "H"):
        return False
    return not unicodedata.name(char, "").startswith("HANGUL")


def _joins(before: str, after: str) -> bool:
    """Whether a segment break between these two characters disappears instead of becoming a space."""
    if _ZWSP in (before, after):
        return True
    return bool(before) and bool(after) and is_wide(before) and is_wide(after)


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


def collapse(text: str) -> str:
    """Plain text on one line: segment breaks joined as above, then runs of white space as one space."""
    return " ".join(join_breaks(text).split())
