"""Safe YAML to positioned nodes.

We compose (not construct) so that nothing but plain scalars, lists and mappings can come out of
a file, every value keeps its line for error messages, and the schema decides what a scalar
means: `no` stays the text "no" and `2024` stays "2024" where text is expected.
"""

from __future__ import annotations

import yaml

from .errors import fail
from .yamlerrors import explain

try:  # libyaml's composer is several times faster; the pure one is a fallback, not a different result
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

_STD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}

Node = yaml.Node
MappingNode = yaml.MappingNode
SequenceNode = yaml.SequenceNode
ScalarNode = yaml.ScalarNode


def line_of(node: Node, offset: int) -> int:
    return int(node.start_mark.line) + 1 + offset


def compose(text: str, path: str, offset: int = 0) -> MappingNode | None:
    """Parse one YAML document into a mapping node; None for an empty document.

    `offset` is the number of file lines before `text` (front matter starts after `---`).
    """
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise fail(path, *explain(exc, text, offset, _Loader)) from None
    except yaml.YAMLError as exc:
        raise fail(path, offset + 1, f"YAML cannot read this file ({exc}); check that it holds 'key: value' lines") from None
    if node is None:
        return None
    _check_tags(node, path, offset)
    if not isinstance(node, MappingNode):
        raise fail(path, line_of(node, offset), "expected 'key: value' lines at the top level")
    return node


def _check_tags(node: Node, path: str, offset: int) -> None:
    stack = [node]
    while stack:
        n = stack.pop()
        if n.tag not in _ALLOWED_TAGS:
            raise fail(path, line_of(n, offset), f"YAML tag {n.tag!r} is not allowed; remove it and write a plain value")
        if isinstance(n, MappingNode):
            for key, value in n.value:
                stack.append(key)
                stack.append(value)
        elif isinstance(n, SequenceNode):
            stack.extend(n.value)


def mapping_items(node: MappingNode, path: str, offset: int) -> list[tuple[str, Node, int]]:
    """(key, value node, line) for each entry; a duplicate or non-text key is an error."""
    seen: dict[str, int] = {}
    items = []
    for key_node, value_node in node.value:
        line = line_of(key_node, offset)
        if not isinstance(key_node, ScalarNode):
            raise fail(path, line, "a key must be plain text")
        key = str(key_node.value)
        if key in seen:
            raise fail(path, line, f"duplicate key '{key}' (first at line {seen[key]}); keep one of them")
        seen[key] = line
        items.append((key, value_node, line))
    return items


def is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _STD + "null"
