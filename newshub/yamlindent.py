"""Which line of a YAML text an indentation slip is on, and how far to indent it.

PyYAML often notices a slip on the line after it: the first line of a block sets the block's
indentation, so a slip there only shows at its sibling, and a missing ':' after 'title' only shows
in the indented block under it. The line reported is the one whose re-indenting (or ':') makes the
whole text read, with that line still a key or list item of its own; when two lines could move, the
one out of step with how the rest of the file indents its blocks.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import yaml

KEY = re.compile(r"^(?P<lead>[ \t]*(?:-[ \t]+)*)(?P<key>[^\s:#'\"\[\]{}][^:]*?|'[^']*'|\"[^\"]*\")[ \t]*:(?:[ \t]+(?P<value>.*?))?[ \t]*$")
COMMENT = re.compile(r"[ \t]+#.*$")
GENERAL = (
    "lines of one block need the same indentation, a key's block is indented further than the key, "
    "and a value that contains ': ' or starts with one of [ { & * ! | > ' \" % @ ` must be put in quotes"
)
_MAX_FIX_SEARCH = 50_000  # characters: re-reading a larger file for every candidate fix is not worth it


def indent(line: str) -> int:
    """The spaces before the text of `line`."""
    return len(line) - len(line.lstrip(" "))


def is_content(line: str) -> bool:
    """Whether `line` holds YAML (not blank, not only a comment)."""
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def spaces_text(n: int) -> str:
    """'1 space', '3 spaces'."""
    return f"{n} space{'s' * (n != 1)}"


class Text:
    """The lines of a YAML text that did not read, and what is needed to try changes to it."""

    def __init__(self, text: str, offset: int, loader: type, problem: str, context: str, row: int, opened: yaml.Mark | None) -> None:
        self.lines = text.split("\n")
        self.offset, self.loader = offset, loader
        self.problem, self.context, self.row, self.opened = problem, context, row, opened

    def line(self, row: int) -> str:
        """Text row `row` (0-based), or '' past the end."""
        return self.lines[row] if 0 <= row < len(self.lines) else ""

    def at(self, row: int) -> int:
        """The file line of text row `row`."""
        return row + 1 + self.offset

    def previous(self, row: int) -> int | None:
        """The nearest row above `row` that holds YAML."""
        return next((r for r in range(row - 1, -1, -1) if is_content(self.lines[r])), None)

    def block_end(self, row: int) -> int:
        """The first row below `row` that holds YAML and is not part of it (not indented further)."""
        at = indent(self.line(row)) + self.line(row).lstrip().startswith("- ")  # an item's lines are under its '- '
        ends = (r for r in range(row + 1, len(self.lines)) if is_content(self.lines[r]) and indent(self.lines[r]) <= at)
        return next(ends, len(self.lines))

    def following(self, row: int) -> int | None:
        """The nearest row below `row` that holds YAML."""
        return next((r for r in range(row + 1, len(self.lines)) if is_content(self.lines[r])), None)


class Indentation(Text):
    """Explains an error PyYAML reports as one of structure: a block that ends or goes on where it should not."""

    def slip(self) -> tuple[int, str]:
        """The file line whose indentation (or missing ':') is wrong, and what to type instead."""
        row, above = self.row, self.previous(self.row)
        found = self._obvious(row, above)
        if found is None and sum(map(len, self.lines)) < _MAX_FIX_SEARCH:
            found = self._moved_block(row, above) or self._one_of_two(row, above)
        if found is not None:
            return found
        if self.line(row).strip().startswith("- "):
            why = f"line {self.at(row)} is a list item ('- ') where a 'key: value' line is expected"
            return self.at(row), f"{why}; put it under its key, indented by two more spaces: 'tags:', then '  - item'"
        return self.at(row), f"line {self.at(row)} does not line up with the lines above it; {GENERAL}"

    def _obvious(self, row: int, above: int | None) -> tuple[int, str] | None:
        """An indented first line, a list item without '- ', or a key without ':' above its block."""
        first = next((r for r in range(len(self.lines)) if is_content(self.lines[r])), row)
        if "document start" in self.problem and indent(self.lines[first]) > 0:
            where = f"line {self.at(first)} is indented; the first key starts at the beginning of the line"
            return self.at(first), f"{where}: remove the {spaces_text(indent(self.lines[first]))} before it"
        opened = self.opened
        if opened is not None and "collection" in self.context and opened.column == indent(self.line(row)) and opened.line != above:
            why = f"line {self.at(row)} is in the list that starts on line {self.at(opened.line)} but does not start with '- '"
            return self.at(row), f"{why}: write '- {self.line(row).strip()}' to start a new item, or indent it under the item above"
        keyed = self._with_colon(above) if above is not None and ":" not in self.line(above) else None
        if above is not None and keyed is not None:  # 'title' above an indented block: only noticed in the block
            return self.at(above), f"line {self.at(above)} has no ':' after its key; write it as '{keyed.strip()}'"
        return None

    def _moved_block(self, row: int, above: int | None) -> tuple[int, str] | None:
        """The first line of the block `row` is in set an indentation that `row` does not follow,
        and is the one off the file's indentation: it moves, with the lines under it."""
        block = self._first_of_block(row)
        if block is None or block == above or not self._slipped(block, row, guess=False):
            return None
        moving = self._under(block, row)
        to = self._fix(moving, row)
        return self._indent_message(moving, to, above) if to is not None else None

    def _one_of_two(self, row: int, above: int | None) -> tuple[int, str] | None:
        """`row` or the line above it, whichever can be re-indented so that the text reads (if both
        can, the one out of step with the rest of the file)."""
        fixes: dict[int, tuple[list[int], int]] = {}
        tries = [[above]] if above is not None else []
        tries += [[row], self._under(row, self.block_end(row))]  # `row` alone, then with the lines under it
        for moving in tries:
            to = self._fix(moving, row if moving[0] == above else above) if moving[0] not in fixes else None
            if to is not None:
                fixes[moving[0]] = (moving, to)
        slip = next(iter(fixes), row)
        if len(fixes) == 2 and above is not None and not self._slipped(above, row):
            slip = row
        return self._indent_message(*fixes[slip], above) if slip in fixes else None

    def _first_of_block(self, row: int) -> int | None:
        """The first line of the block `row` seems to belong to: the line after the nearest key
        above it that opens a block and is less indented (or as far, for a list item)."""
        item, at = self.line(row).lstrip().startswith("- "), indent(self.line(row))
        for r in range(row - 1, -1, -1):
            line = self.lines[r]
            if not is_content(line) or indent(line) > at or (indent(line) == at and not item):
                continue
            sibling = indent(line) == at and line.lstrip().startswith("- ")  # an item of the same list
            if _opens(line) and not sibling:
                return self.following(r)
            if indent(line) == 0:
                return None  # a top-level key with a value: nothing above it holds `row`
        return None

    def _indent_message(self, moving: list[int], spaces: int, above: int | None) -> tuple[int, str]:
        """The first of the rows `moving` should be indented by `spaces`, the others (the lines
        under it) as much more or less; `above` is the line above the one PyYAML named."""
        slip, moved = moving[0], moving[1:]
        now = indent(self.line(slip))
        like = next((r for r in self._near(slip) if indent(self.lines[r]) == spaces), None)
        key = self.line(slip).strip().split(":")[0].split(" #")[0][:40]
        where = f", like line {self.at(like)}" if like is not None else ""
        needs = f"line {self.at(slip)} is indented by {spaces_text(now)} where its block needs {spaces}"
        fix = f"indent '{key}' by {spaces}" if spaces else f"start '{key}' at the beginning of the line"
        # 'summary: The partners' then '  met at noon: a review': a value's second line with ': ' in it
        text = KEY.match(self.line(above)) if above is not None and slip == self.row and "mapping values" in self.problem else None
        words = KEY.match(self.line(slip))
        if text is not None and text.group("value") and words is not None and " " in words.group("key"):
            where += f"; or, if it continues the text of '{text.group('key')}', put that whole value in quotes"
        if moved:
            shift = f"{abs(spaces - now)} {'more' if spaces > now else 'less'}"
            where += f", and {'line' if len(moved) == 1 else 'lines'} {self._span(moved)} under it {shift}"
        return self.at(slip), f"{needs}: {fix}{where}"

    def _span(self, rows: list[int]) -> str:
        return f"{self.at(rows[0])}" if len(rows) == 1 else f"{self.at(rows[0])}-{self.at(rows[-1])}"

    def _under(self, row: int, until: int) -> list[int]:
        """`row` and the lines before `until` that belong to it (indented at least as far)."""
        rows = [row]
        for r in range(row + 1, until):
            if is_content(self.lines[r]) and indent(self.lines[r]) < indent(self.line(row)):
                break
            rows.append(r)
        return rows

    def _near(self, row: int) -> list[int]:
        """Content lines around `row`, nearest first."""
        rows = [r for r in range(max(0, row - 6), min(len(self.lines), row + 7)) if r != row and is_content(self.lines[r])]
        return sorted(rows, key=lambda r: (abs(r - row), r))

    def _with_colon(self, row: int) -> str | None:
        """`row` with a ':' after its first word, if the whole text then reads."""
        match = re.match(r"^([ \t]*(?:-[ \t]+)*)(\S+)(.*)$", self.line(row))
        if match is None:
            return None
        text = f"{match.group(1)}{match.group(2)}:{match.group(3)}"
        return text if self._reads({row: text}, row) else None

    def _reads(self, changes: dict[int, str], row: int) -> bool:
        """Whether the document reads with the lines `changes` names changed, line `row` still
        starting a key or an item (not taken into the value above it), and no key twice in a mapping."""
        lines = [changes.get(r, line) for r, line in enumerate(self.lines)]
        try:
            node = yaml.compose("\n".join(lines), Loader=self.loader)
        except (yaml.YAMLError, RecursionError):
            return False
        return node is not None and row in _starts(node) and not _repeats_a_key(node)

    def _fix(self, moving: list[int], other: int | None) -> int | None:
        """An indentation for the first row of `moving` (the others, the lines under it, moving as
        much) with which the whole text reads, and the line still starts a key or item: that of the
        `other` line first (the two are siblings), then the nearest."""
        row = moving[0]
        text = self.line(row)
        options = {indent(self.lines[r]) for r in self._near(row)[:8]}
        above = self.previous(row)
        if above is not None:
            options |= {indent(self.line(above)) + 2, indent(self.line(above)) + 4}
        first = indent(self.line(other)) if other is not None else -1
        for spaces in sorted(options, key=lambda n: (n != first, abs(n - indent(text)), n)):
            delta = spaces - indent(text)
            if delta and self._reads({r: _moved(self.lines[r], delta) for r in moving}, row):
                return spaces
        return None

    def _slipped(self, above: int, row: int, guess: bool = True) -> bool:
        """Both lines could be re-indented: whether the one above is the slip. The first line of a
        block sets its indentation, so its slip is only noticed at the next line: it is the slip when
        it is not indented under its key as this file indents other blocks. Otherwise the slip is
        the one of the two whose indentation no other line of the file has. Unless `guess`, a file
        that shows no step of its own is not assumed to use the usual 2."""
        opener = self.previous(above)
        expected = self._expected(opener, self.line(above).lstrip().startswith("- "), row, guess) if opener is not None else None
        if expected is not None:
            return indent(self.line(above)) not in expected
        if not guess:  # then only a line off the file's own grid (3 spaces where all others are even)
            unit = math.gcd(*(indent(line) for r, line in enumerate(self.lines) if is_content(line) and not above <= r <= row))
            return unit > 1 and indent(self.line(above)) % unit != 0
        others = {indent(line) for r, line in enumerate(self.lines) if is_content(line) and r not in (above, row)}
        return indent(self.line(above)) not in others and indent(self.line(row)) in others

    def _expected(self, opener: int, item: bool, row: int, guess: bool) -> set[int] | None:
        """Where this file starts the block of the key on line `opener` (a list when `item`, which
        may also start flush with its key): the key's column plus the step the file's other blocks
        (not that of `row`, which may be the slip) of that kind use, else of any kind, else 2 if
        `guess`. None when `opener` is no such key, or there is nothing to go by."""
        if not _opens(self.line(opener)):
            return None
        same: Counter[int] = Counter()
        every: Counter[int] = Counter()
        for r, line in enumerate(self.lines):
            if r in (opener, row) or not is_content(line) or not _opens(line):
                continue
            below = next((b for b in range(r + 1, len(self.lines)) if is_content(self.lines[b])), None)
            step = indent(self.lines[below]) - _key_column(line) if below is not None else 0
            if below is not None and step > 0:
                every[step] += 1
            if below is not None and self.lines[below].lstrip().startswith("- ") == item and (step > 0 or (item and step == 0)):
                same[step] += 1
        key = _key_column(self.line(opener))
        if same:
            return {key + same.most_common(1)[0][0]}
        if not every and not guess:
            return None
        step = every.most_common(1)[0][0] if every else 2
        return {key, key + step} if item else {key + step}


def _opens(line: str) -> bool:
    """Whether `line` is a key whose value is the block below it ('title:', '- date:')."""
    return COMMENT.sub("", line).rstrip().endswith(":")


def _key_column(line: str) -> int:
    match = KEY.match(line)
    return len(match.group("lead")) if match else indent(line)


def _starts(node: yaml.Node) -> set[int]:
    """The text rows on which a node of the document starts, and those inside a block of text
    ('|' or '>'): rows that were not taken into the value of the line above."""
    rows, stack, seen = set(), [node], set()
    while stack:
        n = stack.pop()
        if id(n) in seen:  # an alias: the node it names is walked once
            continue
        seen.add(id(n))
        rows.add(n.start_mark.line)
        if isinstance(n, yaml.ScalarNode) and n.style in ("|", ">"):
            rows.update(range(n.start_mark.line, n.end_mark.line))
        if isinstance(n, yaml.MappingNode):
            stack.extend(part for pair in n.value for part in pair)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
    return rows


def _repeats_a_key(node: yaml.Node) -> bool:
    """Whether a mapping of the document has a key twice (a re-indented line joined the wrong block)."""
    stack, seen = [node], set()
    while stack:
        n = stack.pop()
        if id(n) in seen:  # an alias: the node it names is looked at once
            continue
        seen.add(id(n))
        if isinstance(n, yaml.MappingNode):
            keys = [k.value for k, _ in n.value if isinstance(k, yaml.ScalarNode)]
            if len(keys) != len(set(keys)):
                return True
            stack.extend(v for _, v in n.value)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
    return False


def _moved(line: str, delta: int) -> str:
    """`line` indented `delta` spaces further (or less)."""
    return " " * max(0, indent(line) + delta) + line.lstrip(" ") if line.strip() else line
