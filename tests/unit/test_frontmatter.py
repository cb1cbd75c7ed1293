"""frontmatter: the YAML between two '---' lines, and where the YAML and the body start."""

from __future__ import annotations

import pytest

from newshub.errors import BuildError
from newshub.frontmatter import header, split
from newshub.source import decode


def test_split_gives_yaml_body_and_offsets() -> None:
    parts = split("---\ntitle: A\ndate: 2024-01-01\n---\n\nBody line\n", "a.md")
    assert parts.yaml == "title: A\ndate: 2024-01-01\n"
    assert parts.body == "\nBody line\n"
    assert parts.yaml_offset == 1  # YAML line 1 is file line 2
    assert parts.body_offset == 4  # body line 1 is file line 5
    assert "Body line" in parts.body.split("\n")[5 - parts.body_offset]


def test_closing_dots_and_trailing_spaces_are_accepted() -> None:
    assert split("--- \ntitle: A\n...\nbody", "a.md").body == "body"


def test_a_later_horizontal_rule_stays_in_the_body() -> None:
    parts = split("---\ntitle: A\n---\none\n\n---\n\ntwo\n", "a.md")
    assert parts.yaml == "title: A\n"
    assert "---" in parts.body and "two" in parts.body


def test_empty_front_matter_is_allowed_here() -> None:
    assert split("---\n---\nbody", "a.md").yaml == "\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("   \n\n", "the file is empty"),
        ("title: A\n---\nbody", "missing front matter"),
        ("---\ntitle: A\nbody without a closing line\n", "front matter is not closed"),
    ],
)
def test_problems_name_the_file_and_line_one(text: str, message: str) -> None:
    with pytest.raises(BuildError) as info:
        split(text, "content/news/a.md")
    (problem,) = info.value.problems
    assert (problem.path, problem.line) == ("content/news/a.md", 1)
    assert message in problem.message


HEADERS = [
    b"---\ntitle: A\n---\nbody\n",
    b"---\r\ntitle: A\r\n---\r\nbody\r\n",  # CRLF
    b"\xef\xbb\xbf---\ntitle: A\n...  \nbody",  # a byte order mark; closed by '...' and spaces
    b"---\ntitle: A\n----\nstill: yaml\n---\nbody",  # '----' does not close it
    b"---\ntitle: A\n--- # no\n---\n",  # nor does '--- # no'; closed on the last line
    b"---\ntitle: A\n---",  # closed on the last line, with no newline after it
    b"---\rtitle: A\r---\rbody",  # CR only: no line closes it as bytes see it
    b"---\ntitle: A\nno closing line\n",
    b"title: A\n---\nbody",
    b"",
    b"---\ntitle: A\n---\nbody \x0c with \xff faults only a body parse finds\n",
]


@pytest.mark.parametrize("data", HEADERS)
def test_the_header_of_a_source_splits_as_the_whole_source_does(data: bytes) -> None:
    part = header(data)
    assert data.startswith(part)

    def split_of(data: bytes) -> object:
        try:
            parts = split(decode(data, "a.md"), "a.md")
        except BuildError as exc:
            return exc.problems
        return parts.yaml, parts.yaml_offset, parts.body_offset

    if b"\xff" in data:  # the whole file cannot be decoded; its front matter can
        assert split_of(part) == ("title: A\n", 1, 3)
    else:
        assert split_of(part) == split_of(data)
    assert len(part) < len(data) or b"body" not in data or b"\r---\r" in data
