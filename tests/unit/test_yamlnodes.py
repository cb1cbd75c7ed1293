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
    assert message == (
        "the value of 'summary' contains ':', which YAML reads as the start of another key; put the value in quotes: summary: \"one: two\""
    )


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
    assert text_of_problem.startswith(message)


def test_a_bracket_on_one_line_is_reported_where_the_problem_is() -> None:
    assert problem_of("title: A\ntags: [a, b]]\ndraft: true\n") == (2, "there is a ']' too many on this line: delete it")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("title: a: b\n", 1, "the value of 'title' contains ':', which YAML reads as the start of another key; "
         'put the value in quotes: title: "a: b"'),
        ("title: Agenda:\ndate: x\n", 1, "the value of 'title' ends with ':', which YAML reads as the start of another key; "
         'put the value in quotes: title: "Agenda:"'),
        ("milestones:\n  - title: Trial: phase 1\n", 2, "the value of 'title' contains ':', which YAML reads as the start of "
         'another key; put the value in quotes: - title: "Trial: phase 1"'),
        ("title: x\nmilestones:\n\t- date: 2024-01-01\n", 3,
         "line 3 is indented with a tab; YAML needs spaces: replace the tab with spaces"),
        ("title: @acme\n", 1, "a value cannot start with '@' in YAML; put the value in quotes: title: \"@acme\""),
        ("title: `x` y\n", 1, "a value cannot start with '`' in YAML; put the value in quotes: title: \"`x` y\""),
        ("tags:\n  - @home\n", 2, "a value cannot start with '@' in YAML; put the value in quotes: - \"@home\""),
        ("title: ? x\n", 1, "a value cannot start with '?' in YAML; put the value in quotes: title: \"? x\""),
        ("title: *star\n", 1, "a value that starts with '*' is read as a reference to an anchor ('&name'); "
         'put the value in quotes: title: "*star"'),
        ("title: * note\n", 1, "a value that starts with '*' is read as a reference to an anchor ('&name'); "
         'put the value in quotes: title: "* note"'),
        ("title: & more\n", 1, "a value that starts with '&' is read as an anchor name; put the value in quotes: title: \"& more\""),
        ("title: [Draft] Report\n", 1,
         "a value that starts with '[' is read as a list; put the value in quotes: title: \"[Draft] Report\""),
        ("title: {x} y\n", 1, "a value that starts with '{' is read as a mapping; put the value in quotes: title: \"{x} y\""),
        ('title: "He said "hi""\n', 1, "the quotes close before the end of the value; put the value in quotes: title: 'He said \"hi\"'"),
        ("title: 'a' b\n", 1, "the quotes close before the end of the value; put the value in quotes: title: \"'a' b\""),
        ('title: "C:\\path"\n', 1, "a backslash in double quotes starts an escape such as \\n; write \\\\ for a backslash, "
         "or use single quotes: title: 'C:\\path'"),
        ("summary: | text\n", 1, "a value that starts with '|' is read as the first line of a block of text; put the value in quotes: "
         "summary: \"| text\", or leave only '|' on this line and write the text on the lines below it, indented"),
        ("title: x\nsummary\ndate: y\n", 2, "line 2 has no ':'; if it is a key, write it as 'summary: ...'; "
         "if it continues the text of line 1, indent it by 2 spaces"),
        ("title: x\ndate 2024-01-01\n", 2, "line 2 has no ':'; if it is a key, write it as 'date: 2024-01-01'; "
         "if it continues the text of line 1, indent it by 2 spaces"),
        ("title\n  en: A\n  zh: B\n", 1, "line 1 has no ':' after its key; write it as 'title:'"),
        ("milestones:\n  - date 2024-01-01\n    title: A\n", 2, "line 2 has no ':' after its key; write it as '- date: 2024-01-01'"),
        ("title: x\n---\nstatus: y\n", 2, "'---' on line 2 starts a second YAML document; a file holds one: delete the line"),
        ("tags: [a, , b]\n", 1, "the list on this line has an empty item (', ,'); delete the extra comma"),
        ("title: x\n- a\n", 2, "line 2 is a list item ('- ') where a 'key: value' line is expected; "
         "put it under its key, indented by two more spaces: 'tags:', then '  - item'"),
        ("milestones:\n  - date: 2024-01-01\n    title: A\n  date: 2024-02-01\n", 4, "line 4 is in the list that starts on line 2 "
         "but does not start with '- ': write '- date: 2024-02-01' to start a new item, or indent it under the item above"),
        ("title: x\n%bad\n", 2, "YAML cannot read this line (found unknown directive name); lines of one block need the same "
         "indentation, a key's block is indented further than the key, and a value that contains ': ' or starts with one of "
         "[ { & * ! | > ' \" % @ ` must be put in quotes"),
        (" title: x\nstatus: y\n", 1,
         "line 1 is indented; the first key starts at the beginning of the line: remove the 1 space before it"),
    ],
)  # fmt: skip
def test_syntax_errors_in_plain_words(text: str, line: int, message: str) -> None:
    assert problem_of(text) == (line, message)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        # the first line of a block sets its indentation: a slip there is noticed only at the next line
        ("title:\n   en: A\n  zh: B\n", 2, "line 2 is indented by 3 spaces where its block needs 2: indent 'en' by 2, like line 3"),
        ("title:\nen: A\n  zh: B\nstatus: x\n", 2,
         "line 2 is indented by 0 spaces where its block needs 2: indent 'en' by 2, like line 3"),
        ("partners:\n   - a\n  - b\n", 2, "line 2 is indented by 3 spaces where its block needs 2: indent '- a' by 2, like line 3"),
        # a slip on a later line is where PyYAML notices it
        ("title:\n  en: A\n   zh: B\n", 3, "line 3 is indented by 3 spaces where its block needs 2: indent 'zh' by 2, like line 2"),
        ("title:\n  en: A\n zh: B\nstatus: x\n", 3, "line 3 is indented by 1 space where its block needs 2: indent 'zh' by 2, like line 2"),
        ("title: x\n  summary: y\ndate: z\n", 2, "line 2 is indented by 2 spaces where its block needs 0: "
         "start 'summary' at the beginning of the line, like line 1"),
        ("summary: The partners\n  met at noon: a review\n", 2, "line 2 is indented by 2 spaces where its block needs 0: start "
         "'met at noon' at the beginning of the line, like line 1; "
         "or, if it continues the text of 'summary', put that whole value in quotes"),
        ("milestones:\n  - date: 2024-01-01\n    title: A\n done: true\n", 4,
         "line 4 is indented by 1 space where its block needs 4: indent 'done' by 4, like line 3"),
    ],
)  # fmt: skip
def test_an_indentation_slip_is_reported_at_its_own_line(text: str, line: int, message: str) -> None:
    assert problem_of(text) == (line, message)


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
