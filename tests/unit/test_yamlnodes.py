"""yamlnodes: strict, positioned YAML. Nothing but scalars, lists and mappings comes out."""

from __future__ import annotations

import pytest

from newshub.errors import BuildError
from newshub.yamlnodes import MappingNode, ScalarNode, compose, is_null, line_of, mapping_items


def problem_of(text: str, offset: int = 0) -> tuple[int, str]:
    with pytest.raises(BuildError) as info:
        node = compose(text, "f.yaml", offset)
        assert node is not None
        mapping_items(node, "f.yaml", offset)
    (problem,) = info.value.problems
    assert problem.path == "f.yaml"
    return problem.line, problem.message


def test_lines_account_for_the_offset() -> None:
    node = compose("title: A\n\ndate: 2024-01-01\n", "f.yaml", offset=1)
    assert isinstance(node, MappingNode)
    assert [(key, line) for key, _, line in mapping_items(node, "f.yaml", 1)] == [("title", 2), ("date", 4)]
    value = node.value[1][1]
    assert isinstance(value, ScalarNode) and value.value == "2024-01-01" and line_of(value, 1) == 4


def test_empty_document_is_none() -> None:
    assert compose("", "f.yaml") is None
    assert compose("# only a comment\n", "f.yaml") is None


def test_scalars_stay_text_for_the_schema_to_read() -> None:
    node = compose("a: no\nb: 2024\nc: ~\n", "f.yaml")
    assert node is not None
    values = {key: value for key, value, _ in mapping_items(node, "f.yaml", 0)}
    assert values["a"].value == "no" and values["b"].value == "2024"
    assert is_null(values["c"]) and not is_null(values["a"])


def test_syntax_error_is_positioned() -> None:
    line, message = problem_of("title: A\nsummary: one: two\n", offset=1)
    assert line == 3
    assert message.startswith("invalid YAML: mapping values are not allowed")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('title: A\nsummary: "never closed\ntags: [a]\n', 2, "a quoted value starts on this line and is never closed"),
        ("title: A\nsummary: 'it''s\n", 2, "a quoted value starts on this line and is never closed"),
        ("title: A\ntags: [a, b\ndraft: true\n", 2, "the list opened on this line is not closed with ']' before line 3"),
        ("title: A\nmeta: {a: 1\ndraft: true\n", 2, "the mapping opened on this line is not closed with '}' before line 3"),
    ],
)
def test_unclosed_quote_or_bracket_points_at_its_opening_line(text: str, line: int, message: str) -> None:
    found, text_of_problem = problem_of(text)
    assert found == line
    assert text_of_problem.startswith(f"invalid YAML: {message}")


def test_a_bracket_on_one_line_is_reported_where_the_problem_is() -> None:
    assert problem_of("title: A\ntags: [a, b]]\ndraft: true\n")[0] == 2


def test_duplicate_keys_are_errors_naming_the_first() -> None:
    line, message = problem_of("title: A\ndate: 2024-01-01\ntitle: B\n")
    assert line == 3
    assert "duplicate key 'title' (first at line 1)" in message


@pytest.mark.parametrize("text", ["a: !!python/object:os.system x\n", "a: !custom 1\n", "a: !!binary aGk=\n"])
def test_tags_are_refused(text: str) -> None:
    line, message = problem_of(text)
    assert line == 1 and "is not allowed" in message


def test_top_level_must_be_a_mapping() -> None:
    line, message = problem_of("\n- a\n- b\n")
    assert line == 2 and "key: value" in message


def test_non_text_key_is_an_error() -> None:
    line, message = problem_of("[a, b]: 1\n")
    assert line == 1 and "plain text" in message


def test_aliases_do_not_explode() -> None:
    # a billion-laughs document composes to a node graph; it is never expanded into text
    text = 'a: &a ["x", "x"]\nb: &b [*a, *a]\nc: [*b, *b]\n'
    assert compose(text, "f.yaml") is not None
