"""YAML syntax errors in plain words: which line is wrong, and what to type instead.

PyYAML (and libyaml, whose words differ slightly) describe what the parser was doing: "mapping
values are not allowed in this context". An editor needs to hear that the value of 'title'
contains ': ' and must be quoted, shown on their own line; that a line is indented with a tab; or,
for a slip in indentation, which line is out of step (yamlindent.py), and by how many spaces.
"""

from __future__ import annotations

import yaml

from .yamlindent import COMMENT, GENERAL, KEY, Indentation, indent

_INDENT_PROBLEMS = ("mapping values are not allowed", "did not find expected key", "did not find expected '-'", "expected <block end>")


def explain(exc: yaml.MarkedYAMLError, text: str, offset: int, loader: type) -> tuple[int, str]:
    """The file line of a YAML syntax error in `text` and what to do about it. `offset` is the
    number of file lines before `text`; `loader` reads candidate fixes of an indentation slip."""
    return _Explainer(exc, text, offset, loader).explain()


def quoted(value: str) -> str:
    """`value` as a quoted YAML scalar: double quotes unless it holds a double quote or a backslash."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]  # quotes the author put around the whole value, with more quotes inside
    if '"' not in value and "\\" not in value:
        return f'"{value}"'
    return "'" + value.replace("'", "''") + "'"


class _Explainer(Indentation):
    def __init__(self, exc: yaml.MarkedYAMLError, text: str, offset: int, loader: type) -> None:
        mark = exc.problem_mark or exc.context_mark
        row, self.col = (mark.line, mark.column) if mark is not None else (0, 0)
        super().__init__(text, offset, loader, exc.problem or "", exc.context or "", row, exc.context_mark)

    def explain(self) -> tuple[int, str]:
        """The file line and the message: first the problems PyYAML names precisely, then the
        value on the line, then the indentation (yamlindent.Indentation)."""
        problem, context, row = self.problem, self.context, self.row
        text = self.line(row)
        char = text[self.col] if self.col < len(text) else ""
        opened = self.opened
        if opened is not None and context.endswith("quoted scalar") and problem.startswith("found unexpected"):
            quote = self.line(opened.line)[opened.column : opened.column + 1] or '"'
            return self.at(opened.line), f"a quoted value starts on this line and is never closed; add the closing {quote} at its end"
        if opened is not None and context.endswith(("flow sequence", "flow mapping")) and opened.line != row:
            kind, bracket = ("list", "]") if context.endswith("sequence") else ("mapping", "}")
            where = f"the {kind} opened on this line is not closed with '{bracket}' before line {self.at(row)}"
            return self.at(opened.line), f"{where}; add '{bracket}' after its last item"
        if "tab" in problem or char == "\t" or "\t" in text[: indent(text) + 1]:
            if text[: len(text) - len(text.lstrip(" \t"))].count("\t"):
                return self.at(row), f"line {self.at(row)} is indented with a tab; YAML needs spaces: replace the tab with spaces"
            return self.at(row), f"line {self.at(row)} has a tab where YAML needs a space: replace the tab with a space"
        if context == "expected a single document in the stream":
            return self.at(row), f"'{text.strip()}' on line {self.at(row)} starts a second YAML document; a file holds one: delete the line"
        if problem == "could not find expected ':'" and opened is not None:
            return self._no_colon(opened.line)
        if "undefined alias" in problem or context in ("while scanning an alias", "while scanning an anchor"):
            sign = "*" if "alias" in problem + context else "&"
            what = "a reference to an anchor ('&name')" if sign == "*" else "an anchor name"
            return self._quote(row, f"a value that starts with '{sign}' is read as {what}")
        if "cannot start any token" in problem or problem.startswith("mapping keys are not allowed"):
            return self._quote(row, f"a value cannot start with '{char}' in YAML")
        if context.endswith("quoted scalar") and ("escape" in problem or "hex" in problem):
            return self._escape(row)
        if context == "while scanning a block scalar":
            start = self._value(row)[0:1] or "|"
            return self._quote(
                row,
                f"a value that starts with '{start}' is read as the first line of a block of text",
                f", or leave only '{start}' on this line and write the text on the lines below it, indented",
            )
        if context == "while parsing a flow node" and char == ",":
            return self.at(row), "the list on this line has an empty item (', ,'); delete the extra comma"
        return self._structure(row, char)

    # --- one line's value -------------------------------------------------------------------------

    def _value(self, row: int) -> str:
        match = KEY.match(self.line(row))
        if match and match.group("value"):
            return match.group("value")
        return self.line(row).strip().removeprefix("- ").strip()

    def _quote(self, row: int, why: str, more: str = "") -> tuple[int, str]:
        """`why` the value on `row` cannot be written as it is, and the line with the value quoted."""
        return self.at(row), f"{why}; put the value in quotes: {self._quoted_line(row)}{more}"

    def _quoted_line(self, row: int) -> str:
        text = self.line(row)
        comment = COMMENT.search(text)
        body = text[: comment.start()] if comment else text
        match = KEY.match(body)
        if match and match.group("value"):
            lead = match.group("lead").strip()
            head = f"{lead} {match.group('key')}:" if lead else f"{match.group('key')}:"
            return f"{head} {quoted(match.group('value'))}"
        stripped = body.strip()
        if stripped.startswith("- "):
            return f"- {quoted(stripped[2:].strip())}"
        return quoted(stripped)

    def _escape(self, row: int) -> tuple[int, str]:
        match = KEY.match(self.line(row))
        value = match.group("value") if match and match.group("value") else self.line(row).strip()
        inner = value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value.strip('"')
        single = "'" + inner.replace("'", "''") + "'"
        form = f"{match.group('key')}: {single}" if match else single
        why = "a backslash in double quotes starts an escape such as \\n; write \\\\ for a backslash, or use single quotes"
        return self.at(row), f"{why}: {form}"

    def _no_colon(self, row: int) -> tuple[int, str]:
        """A line that is neither 'key: value' nor the continuation of a value above it."""
        words = self.line(row).strip().split(None, 1)
        written = f"{words[0]}: {words[1]}" if len(words) == 2 else f"{words[0] if words else 'key'}: ..."
        message = f"line {self.at(row)} has no ':'; if it is a key, write it as '{written}'"
        above = self.previous(row)
        if above is not None:
            match = KEY.match(self.line(above))
            spaces = len(match.group("lead")) + 2 if match is not None and match.group("value") else None
            if match is None and indent(self.line(above)) > indent(self.line(row)):
                spaces = indent(self.line(above))  # a line of text that continues a value
            if spaces is not None:
                message += f"; if it continues the text of line {self.at(above)}, indent it by {spaces} spaces"
        return self.at(row), message

    def _structure(self, row: int, char: str) -> tuple[int, str]:
        text = self.line(row)
        match = KEY.match(text)
        value = (match.group("value") or "") if match else ""
        same_line = match is not None and bool(value) and self.col > text.index(":", match.end("key"))
        if match is not None and same_line and self.problem.startswith("mapping values are not allowed"):
            ends = self.col >= len(text.rstrip()) - 1
            why = f"the value of '{match.group('key')}' {'ends with' if ends else 'contains'} ':'"
            return self._quote(row, f"{why}, which YAML reads as the start of another key")
        if same_line and value[:1] in "[{" and char in "]}":
            return self.at(row), f"there is a '{char}' too many on this line: delete it"
        if same_line and value[:1] in "[{":
            kind = "list" if value[0] == "[" else "mapping"
            return self._quote(row, f"a value that starts with '{value[0]}' is read as a {kind}")
        if same_line and value[:1] in "'\"":
            return self._quote(row, "the quotes close before the end of the value")
        if not self.problem.startswith(_INDENT_PROBLEMS) and "document start" not in self.problem:
            return self.at(row), f"YAML cannot read this line ({self.problem or self.context}); {GENERAL}"
        return self.slip()
