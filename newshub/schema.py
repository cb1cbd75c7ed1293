"""Declarative, strict reading of YAML mappings into plain values.

Each field has a kind; a reader turns its node into a Python value or records a positioned problem.
Unknown keys are errors that suggest the closest known key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from .errors import Problems
from .source import control_problem
from .suggest import closest
from .text import join_breaks, unfold
from .yamlnodes import MappingNode, Node, ScalarNode, SequenceNode, is_null, line_of, mapping_items

STATUSES = ("planned", "signed", "active", "paused", "completed", "cancelled")
PARTNER_KINDS = ("hospital", "university", "government", "company", "other")


class Invalid(ValueError):
    """A value that does not fit its field; the message says what to write instead.

    `line` is the file line of the offending value when it is deeper than the field's own line
    (a bad date in the third milestone); 0 means the field's line. `more`: the other problems
    (line, message) inside the same value, such as a bad `done:` in the fifth milestone."""

    def __init__(self, message: str, line: int = 0, more: tuple[tuple[int, str], ...] = ()) -> None:
        super().__init__(message)
        self.line = line
        self.more = more

    @classmethod
    def of(cls, found: list[tuple[int, str]]) -> Invalid:
        """One Invalid for every (line, message) in `found`, which is not empty."""
        (line, message), *more = found
        return cls(message, line, tuple(more))


class Empty(Invalid):
    """A value that is there but empty: `title:`, `title: ''`, `title: ~`, `title: {en: ''}`."""

    def __init__(self) -> None:
        super().__init__("is empty")


@dataclass(frozen=True)
class Reading:
    """What a reader needs besides the node: where it is and which languages exist."""

    languages: tuple[str, ...]
    path: str
    offset: int


Reader = Callable[[Node, Reading], Any]


@dataclass(frozen=True)
class Field:
    read: Reader
    required: bool = False
    default: Any = None
    example: str = ""  # a value to show when a required field is empty: 'title: <example>'


@dataclass(frozen=True)
class Schema:
    name: str  # used in messages: "article front matter", "project"
    fields: Mapping[str, Field] = field(default_factory=dict)


def read(schema: Schema, node: MappingNode | None, reading: Reading, problems: Problems) -> tuple[dict[str, Any], dict[str, int]]:
    """Values for every field (defaults filled in) and the line of each key present."""
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    items = mapping_items(node, reading.path, reading.offset) if node is not None else []
    for key, value_node, line in items:
        spec = schema.fields.get(key)
        if spec is None:
            close = closest(key, schema.fields)
            hint = f"; did you mean '{close}'?" if close else f"; known keys: {', '.join(sorted(schema.fields))}"
            problems.add(reading.path, line, f"unknown key '{key}' in {schema.name}{hint}")
            continue
        lines[key] = line
        if isinstance(value_node, SequenceNode):  # "projects.2": so a bad id is reported on its own line
            lines.update((f"{key}.{i}", line_of(item, reading.offset)) for i, item in enumerate(value_node.value))
        try:
            if is_null(value_node):
                raise Empty()
            values[key] = spec.read(value_node, reading)
        except Empty:  # 'title:', "title: ''", 'title: ~': an optional field is as if not written
            if spec.required:
                problems.add(reading.path, line, f"{key}: is empty; write a value after '{key}:', for example {_example(key, spec)}")
                lines[key] = -1  # present but empty: not also reported as missing
        except Invalid as exc:
            problems.add(reading.path, exc.line or line_of(value_node, reading.offset), f"{key}: {exc}")
            for at, message in exc.more:
                problems.add(reading.path, at, f"{key}: {message}")
            lines[key] = -1  # present but invalid: do not also report it as missing
    for key, spec in schema.fields.items():
        if key in values:
            continue
        if spec.required and lines.get(key, 0) != -1:
            where = lines.get(key, reading.offset + 1 if node is None else line_of(node, reading.offset))
            problems.add(reading.path, where, f"missing required field '{key}' in {schema.name}; add a line such as {_example(key, spec)}")
        values[key] = spec.default
    return values, lines


def _example(key: str, spec: Field) -> str:
    return f"'{key}: {spec.example or '...'}'"


# --- readers ---------------------------------------------------------------------------------


def _scalar(node: Node, what: str) -> str:
    if not isinstance(node, ScalarNode):
        raise Invalid(f"expected {what}, not a {'list' if isinstance(node, SequenceNode) else 'mapping'}")
    if not str(node.value).strip():
        raise Empty()
    return str(node.value)


def _text(node: Node, join: bool) -> str:
    value = _scalar(node, "text").strip()
    if join and node.start_mark.line != node.end_mark.line:  # wrapped: YAML joined the lines with spaces or kept breaks
        value = unfold(join_breaks(value))
    if not value:
        raise Empty()
    found = control_problem(value)  # a YAML escape such as "\e" or "\x01" in a quoted value
    if found is not None:
        raise Invalid(found[1])
    return value


def text(node: Node, reading: Reading) -> str:
    """Any scalar as the text the author typed: `2024` is "2024", `no` is "no". Lines wrapped inside
    Chinese text are joined without a space (text.unfold, after CSS Text 3)."""
    return _text(node, join=True)


def markdown_source(node: Node, reading: Reading) -> str:
    """Markdown kept line for line: its renderer joins wrapped lines itself, and a break may be structure."""
    return _text(node, join=False)


def boolean(node: Node, reading: Reading) -> bool:
    value = _scalar(node, "true or false")
    if value in ("true", "True", "TRUE"):
        return True
    if value in ("false", "False", "FALSE"):
        return False
    raise Invalid(f"write true or false, not '{value}'")


def positive_int(node: Node, reading: Reading) -> int:
    value = _scalar(node, "a whole number")
    if not value.isdigit() or int(value) < 1:
        raise Invalid(f"write a whole number of at least 1, not '{value}'")
    return int(value)


def parse_date(value: str) -> date | datetime:
    """YYYY-MM-DD, or an ISO 8601 date-time (naive or with an offset)."""
    value = value.strip()
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        if len(value) > 10 and value[4] == "-" and value[10] in "T ":
            return datetime.fromisoformat(value.replace("z", "Z"))
    except (ValueError, IndexError):
        pass
    raise Invalid(f"invalid date '{value}': write YYYY-MM-DD or an ISO 8601 date-time such as 2024-04-02T09:30:00+08:00")


def when(node: Node, reading: Reading) -> date | datetime:
    return parse_date(_scalar(node, "a date"))


def text_list(node: Node, reading: Reading) -> tuple[str, ...]:
    if isinstance(node, ScalarNode) and not str(node.value).strip():
        raise Empty()
    if isinstance(node, ScalarNode):
        raise Invalid(f"write a list, for example [{node.value}] or one '- item' per line")
    if not isinstance(node, SequenceNode):
        raise Invalid("write a list, not a mapping")
    items, found = [], []
    for item in node.value:
        at = line_of(item, reading.offset)
        try:
            items.append(text(item, reading))
        except Empty:
            found.append((at, f"the list item at line {at} is empty; write it or delete it"))
        except Invalid as exc:
            found.append((at, f"list item at line {at}: {exc}"))
    if found:
        raise Invalid.of(found)
    if len(set(items)) != len(items):
        raise Invalid("a list item is repeated")
    return tuple(items)


def one_of(choices: tuple[str, ...]) -> Reader:
    def reader(node: Node, reading: Reading) -> str:
        value = text(node, reading)
        if value not in choices:
            close = closest(value, choices)
            hint = f"did you mean '{close}'? " if close else ""
            raise Invalid(f"'{value}' is not allowed; {hint}use one of: {', '.join(choices)}")
        return value

    return reader


def localized_of(item: Reader) -> Reader:
    """Plain text (in the default language) or a mapping per language: {en: ..., zh: ...}."""

    def reader(node: Node, reading: Reading) -> dict[str, str]:
        if isinstance(node, ScalarNode):
            return {reading.languages[0]: item(node, reading)}
        if not isinstance(node, MappingNode):
            raise Invalid("write text, or one line per language such as 'en: ...' and 'zh: ...'")
        out: dict[str, str] = {}
        for lang, value, line in mapping_items(node, reading.path, reading.offset):
            if lang not in reading.languages:
                raise Invalid(f"language '{lang}' at line {line} is not in site.yaml languages ({', '.join(reading.languages)})")
            if is_null(value) or (isinstance(value, ScalarNode) and not str(value.value).strip()):
                continue  # 'en: ~' or 'en: ""': not written in that language yet (i18n.localize falls back)
            out[lang] = item(value, reading)
        if not out:
            raise Empty()
        return out

    return reader


localized = localized_of(text)
localized_markdown = localized_of(markdown_source)


def url(node: Node, reading: Reading) -> str:
    from .urls import href, safe_external_url  # local import: urls is a leaf module, this keeps the graph flat

    value = text(node, reading)
    if safe_external_url(value) is None:
        raise Invalid(
            f"'{value}' is not a link that can be published; write a web address starting with https:// (https://www.example.org/)"
            " or a path on this site starting with / (/about/)"
        )
    return href(value)  # a space or a non-ASCII path becomes valid in an attribute and a feed


def mapping_of(schema: Schema) -> Reader:
    """A nested mapping read with its own schema; problems inside become one Invalid."""

    def reader(node: Node, reading: Reading) -> dict[str, Any]:
        if not isinstance(node, MappingNode):
            raise Invalid(f"write a {schema.name} as 'key: value' lines")
        problems = Problems()
        values, _ = read(schema, node, reading, problems)
        if problems.items:
            raise Invalid.of([(p.line, p.message) for p in problems.items])
        return values

    return reader


def list_of(schema: Schema) -> Reader:
    item_reader = mapping_of(schema)

    def reader(node: Node, reading: Reading) -> tuple[dict[str, Any], ...]:
        if not isinstance(node, SequenceNode):
            raise Invalid(f"write a list of {schema.name}s, one '- ' entry each")
        values, found = [], []
        for item in node.value:  # every problem of every entry, not only the first
            try:
                values.append(item_reader(item, reading))
            except Invalid as exc:
                found.extend([(exc.line or line_of(item, reading.offset), str(exc)), *exc.more])
        if found:
            raise Invalid.of(found)
        return tuple(values)

    return reader


# Letters, digits, '-', '_', '.', '~' between slashes: nothing a host's redirect file (Netlify's
# ':name' and '*', nginx's ';' and '{') or a file system reads otherwise, and no '%' escapes.
_SITE_PATH = re.compile(r"^/(?:[\w.~-]+/)*[\w.~-]*$")
_MAX_SEGMENT = 200  # bytes of UTF-8 in one folder or file name: file systems allow 255


def site_paths(node: Node, reading: Reading) -> tuple[str, ...]:
    """`aliases`: old site paths ('/news/old-name/'), each one a redirect to the item's page."""
    paths = text_list(node, reading) if not isinstance(node, ScalarNode) else (text(node, reading),)
    for path in paths:
        parts = path.split("/")
        if not _SITE_PATH.match(path) or any(part in (".", "..") for part in parts) or unicodedata.normalize("NFC", path) != path:
            raise Invalid(
                f"'{path}' is not a site path newshub can write; write the old address from its first slash with letters,"
                " digits, '-', '_', '.' and '~' between slashes (not %-escapes), such as /news/old-name/"
            )
        if any(len(part.encode()) > _MAX_SEGMENT for part in parts):
            raise Invalid(f"'{path[:60]}...' has a part longer than {_MAX_SEGMENT} bytes, more than a file system can name; shorten it")
    return paths
