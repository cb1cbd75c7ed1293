"""'Did you mean ...?': the one rule for suggesting a known key, choice or id for a misspelt one.

A suggestion is made only when it is genuinely close, so that it helps rather than misleads:
`tittle` -> `title` and `robott` -> `robot` (a letter added, dropped, changed or two swapped),
`iframes` -> `iframe_hosts` (the same beginning); but `updated` is not taken for `date`.
"""

from __future__ import annotations

from collections.abc import Iterable


def _edits(a: str, b: str) -> int:
    """Letters added, dropped, changed or swapped with a neighbour to turn `a` into `b`
    (optimal string alignment distance)."""
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        earlier, before, row = before, row, [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(before[j] + 1, row[j - 1] + 1, before[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], earlier[j - 2] + 1)
    return row[len(b)]


def _prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def closest(word: str, known: Iterable[str]) -> str | None:
    """The known key, choice or id `word` is most likely a misspelling of, or None when none is close.

    Close means (ignoring letter case) one slip per four letters of the shorter word, at least one;
    or a shared beginning of four letters or more that leaves at most three letters of the shorter
    word over."""
    typed = word.casefold()
    best: tuple[int, int, str] | None = None
    for candidate in known:
        other = candidate.casefold()
        edits, shared = _edits(typed, other), _prefix(typed, other)
        shorter = min(len(typed), len(other))
        if edits <= max(1, shorter // 4) or (shared >= 4 and shorter - shared <= 3):
            rank = (edits, -shared, candidate)
            if best is None or rank < best:
                best = rank
    return best[2] if best is not None else None
