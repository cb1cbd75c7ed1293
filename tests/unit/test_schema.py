"""schema: strict fields. Unknown keys suggest the closest one; bad values say what to write."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from newshub import schema as s
from newshub.errors import Problems
from newshub.yamlnodes import compose

SCHEMA = s.Schema(
    "test item",
    {
        "title": s.Field(s.localized, required=True),
        "status": s.Field(s.one_of(s.STATUSES), required=True),
        "when": s.Field(s.when),
        "tags": s.Field(s.text_list, default=()),
        "draft": s.Field(s.boolean, default=False),
        "count": s.Field(s.positive_int, default=1),
        "url": s.Field(s.url, default=""),
        "name": s.Field(s.text, default=""),
    },
)


def read(text: str, offset: int = 0) -> tuple[dict[str, Any], list[tuple[int, str]]]:
    problems = Problems()
    values, _ = s.read(SCHEMA, compose(text, "x.yaml", offset), s.Reading(("en", "zh"), "x.yaml", offset), problems)
    return values, [(p.line, p.message) for p in problems.items]


def test_valid_values_and_defaults() -> None:
    values, problems = read("title: {en: A, zh: 甲}\nstatus: signed\nwhen: 2024-04-02\ntags: [a, b]\ndraft: true\ncount: 3\n")
    assert problems == []
    assert values["title"] == {"en": "A", "zh": "甲"}
    assert values["when"] == date(2024, 4, 2)
    assert values["tags"] == ("a", "b") and values["draft"] is True and values["count"] == 3
    assert values["url"] == "" and values["name"] == ""


def test_yaml_booleans_and_numbers_stay_text() -> None:
    values, problems = read("title: no\nstatus: active\nname: 2024\ntags: [yes, 3.0]\n")
    assert problems == []
    assert values["title"] == {"en": "no"} and values["name"] == "2024" and values["tags"] == ("yes", "3.0")


def test_unknown_key_suggests_the_closest_known_key() -> None:
    _, problems = read("title: A\nstatus: active\ntagz: [a]\nzzz: 1\n")
    assert problems[0] == (3, "unknown key 'tagz' in test item; did you mean 'tags'?")
    assert problems[1][0] == 4 and "known keys: count, draft" in problems[1][1]


def test_missing_required_fields_are_each_reported() -> None:
    _, problems = read("draft: false\n", offset=1)
    assert [message for _, message in problems] == [
        "missing required field 'title' in test item; add a line such as 'title: ...'",
        "missing required field 'status' in test item; add a line such as 'status: ...'",
    ]
    assert {line for line, _ in problems} == {2}


def test_an_invalid_required_value_is_not_also_missing() -> None:
    _, problems = read("title: A\nstatus: sigend\n")
    assert problems == [(2, "status: 'sigend' is not allowed; did you mean 'signed'? use one of: " + ", ".join(s.STATUSES))]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("when: 2024-02-30", "when: invalid date '2024-02-30'"),
        ("when: 2024-13-01", "when: invalid date '2024-13-01'"),
        ("when: April 2", "when: invalid date 'April 2'"),
        ("draft: yes", "draft: write true or false, not 'yes'"),
        ("count: 0", "count: write a whole number of at least 1, not '0'"),
        ("tags: a", "tags: write a list, for example [a]"),
        ("tags: [a, a]", "tags: a list item is repeated"),
        ("tags: [a, '']", "tags: the list item at line 3 is empty; write it or delete it"),
        ("url: javascript:alert(1)", "url: 'javascript:alert(1)' is not a link that can be published"),
        ("name: [a]", "name: expected text, not a list"),
        ("title: {fr: Bonjour}", "title: language 'fr' at line 3 is not in site.yaml languages (en, zh)"),
    ],
)
def test_bad_values_name_the_field_and_what_to_write(line: str, message: str) -> None:
    second = "# the title is on the next line" if line.startswith("title:") else "title: A"
    _, problems = read(f"status: active\n{second}\n{line}\n")
    assert len(problems) == 1, problems
    assert problems[0][0] == 3
    assert problems[0][1].startswith(message), problems[0][1]


@pytest.mark.parametrize("value", ["", " ''", " ~", " '  '", " {en: ''}", " {en: ~, zh: ' '}"])
def test_an_empty_required_field_is_called_empty_not_missing(value: str) -> None:
    _, problems = read(f"status: active\ntitle:{value}\n")
    assert problems == [(2, "title: is empty; write a value after 'title:', for example 'title: ...'")]


@pytest.mark.parametrize("value", ["", " ''", " ~"])
def test_an_empty_optional_field_is_as_if_not_written(value: str) -> None:
    values, problems = read(f"status: active\ntitle: T\nname:{value}\nwhen:{value}\ntags:{value}\ndraft:{value}\n")
    assert problems == []
    assert (values["name"], values["when"], values["tags"], values["draft"]) == ("", None, (), False)


def test_dates_and_datetimes() -> None:
    assert s.parse_date("2024-04-02") == date(2024, 4, 2)
    moment = s.parse_date("2024-04-02T09:30:00+08:00")
    assert isinstance(moment, datetime) and moment.utcoffset() == timedelta(hours=8)
    assert s.parse_date("2024-04-02 09:30") == datetime(2024, 4, 2, 9, 30)
    with pytest.raises(s.Invalid):
        s.parse_date("2024-4-2")


def test_nested_lists_of_mappings_report_the_inner_line() -> None:
    milestone = s.Schema("milestone", {"date": s.Field(s.when, required=True), "done": s.Field(s.boolean, default=False)})
    schema = s.Schema("project", {"milestones": s.Field(s.list_of(milestone), default=())})
    problems = Problems()
    text = "milestones:\n  - date: 2024-01-01\n  - done: true\n"
    s.read(schema, compose(text, "p.yaml"), s.Reading(("en",), "p.yaml", 0), problems)
    assert len(problems.items) == 1
    (problem,) = problems.items
    assert problem.line == 3  # the milestone that lacks it, not the 'milestones:' key
    assert "missing required field 'date' in milestone" in problem.message


def test_url_fields_are_percent_encoded_for_attributes_and_feeds() -> None:
    values, problems = read("title: T\nstatus: active\nurl: https://example.org/a b/研究?q=1%20x\n")
    assert problems == []
    assert values["url"] == "https://example.org/a%20b/%E7%A0%94%E7%A9%B6?q=1%20x"
