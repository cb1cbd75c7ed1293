"""1. YAML is read safely and strictly: no tags that run code, no duplicate keys, no Norway problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MakeSite, run_cli

from .helpers import GOOD, article, broken_build, no_traceback

TAG_MSG = "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed; remove it and write a plain value"


@pytest.mark.parametrize(
    ("rel", "text", "line"),
    [
        ("content/news/evil.md", "---\ntitle: x\ndate: !!python/object/apply:os.system ['touch {marker}']\n---\n\nx\n", 3),
        ("content/projects/robot.yaml", "title: x\nstatus: !!python/object/apply:os.system ['touch {marker}']\n", 2),
        ("content/partners/acme.yaml", "name: !!python/object/apply:os.system ['touch {marker}']\nkind: other\n", 1),
        ("content/site.yaml", "title: !!python/object/apply:os.system ['touch {marker}']\nbase_url: https://x.org\n", 1),
    ],
)
def test_python_tag_is_an_error_and_runs_nothing(make_site: MakeSite, tmp_path: Path, rel: str, text: str, line: int) -> None:
    marker = tmp_path / "MARKER"
    errors = broken_build(make_site, {rel: text.format(marker=marker)})
    assert errors == [f"{rel}:{line}: {TAG_MSG}"]
    assert not marker.exists()


def test_duplicate_key_is_an_error_with_its_line(make_site: MakeSite) -> None:
    errors = broken_build(make_site, {"content/news/a.md": article("title: A\ndate: 2024-01-01\ntitle: B\n")})
    assert errors == ["content/news/a.md:4: duplicate key 'title' (first at line 2); keep one of them"]


def test_duplicate_key_in_a_nested_mapping(make_site: MakeSite) -> None:
    errors = broken_build(make_site, {"content/partners/acme.yaml": "name:\n  en: A\n  en: B\nkind: other\n"})
    assert errors == ["content/partners/acme.yaml:3: duplicate key 'en' (first at line 2); keep one of them"]


def test_norway_and_numbers_stay_text(make_site: MakeSite) -> None:
    files = {
        **GOOD,
        "content/news/2024-04-02-good.md": article("title: no\ndate: 2024-04-02\nsummary: yes\nauthor: on\ntags: [off, 2024]\n"),
        "content/pages/about.md": article("title: 2024\n"),
        "content/partners/acme.yaml": "name: No\nkind: other\nlocation: 1.5\n",
    }
    root = make_site(files)
    result = run_cli(root, "build")
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    page = (root / "site/news/good/index.html").read_text()
    assert "<h1>no</h1>" in page and "<title>no — Test Hub</title>" in page
    assert 'content="yes"' in page and " · By on · " in page and '"headline": "no"' in page
    assert "True" not in page and "False" not in page
    assert (root / "site/tags/off/index.html").is_file() and (root / "site/tags/2024/index.html").is_file()
    assert "<h1>2024</h1>" in (root / "site/about/index.html").read_text()
    partner = (root / "site/partners/acme/index.html").read_text()
    assert ">No</h1>" in partner and "1.5" in partner


def test_yes_is_not_a_boolean(make_site: MakeSite) -> None:
    errors = broken_build(make_site, {"content/news/a.md": article("title: x\ndate: 2024-01-01\ndraft: yes\n")})
    assert errors == ["content/news/a.md:4: draft: write true or false, not 'yes'"]


def test_number_where_a_whole_number_is_expected(make_site: MakeSite) -> None:
    site_yaml = "title: T\nbase_url: https://x.org\nper_page: no\n"
    errors = broken_build(make_site, {"content/site.yaml": site_yaml})
    assert errors == ["content/site.yaml:3: per_page: write a whole number of at least 1, not 'no'"]


def test_unknown_key_suggests_the_closest(make_site: MakeSite) -> None:
    errors = broken_build(make_site, {"content/news/a.md": article("title: x\ndate: 2024-01-01\ntittle: y\n")})
    assert errors == ["content/news/a.md:4: unknown key 'tittle' in article front matter; did you mean 'title'?"]


def test_unknown_key_with_no_close_match_lists_the_known_keys(make_site: MakeSite) -> None:
    """'updated' is not a slip for 'date': no suggestion that would mislead, the keys instead."""
    errors = broken_build(make_site, {"content/news/a.md": article("title: x\ndate: 2024-01-01\nupdated: 2024-02-01\n")})
    known = "aliases, author, date, draft, expires, image, image_alt, lang, partners, projects, publish_date, slug, summary, tags,"
    known += " title"
    assert errors == [f"content/news/a.md:4: unknown key 'updated' in article front matter; known keys: {known}"]


@pytest.mark.parametrize(
    ("rel", "text", "line", "message"),
    [
        ("content/pages/about.md", "---\ntitle: x\nsumary: y\n---\n", 3,
         "unknown key 'sumary' in page front matter; did you mean 'summary'?"),
        ("content/projects/robot.yaml", "title: R\nstatus: active\nstatsu: x\n", 3,
         "unknown key 'statsu' in project; did you mean 'status'?"),
        ("content/partners/acme.yaml", "name: A\nkind: other\nlogo: a.png\n", 3,
         "unknown key 'logo' in partner; known keys: image, kind, location, name, summary, url"),
        ("content/site.yaml", "title: T\nbase_url: https://x.org\ntimezone_name: UTC\n", 3,
         "unknown key 'timezone_name' in site.yaml; did you mean 'timezone'?"),
    ],
)  # fmt: skip
def test_unknown_keys_in_every_kind_of_file(make_site: MakeSite, rel: str, text: str, line: int, message: str) -> None:
    assert broken_build(make_site, {rel: text}) == [f"{rel}:{line}: {message}"]


def test_yaml_syntax_error(make_site: MakeSite) -> None:
    errors = broken_build(make_site, {"content/projects/robot.yaml": "title: a: b\nstatus: active\n"})
    assert errors == [
        "content/projects/robot.yaml:1: the value of 'title' contains ':', which YAML reads as the start of another key; "
        'put the value in quotes: title: "a: b"'
    ]


NEWS = "content/news/a.md"
ROBOT = "content/projects/robot.yaml"
ACME = "content/partners/acme.yaml"
SITE = "content/site.yaml"


@pytest.mark.parametrize(
    ("rel", "text", "expected"),
    [
        (NEWS, article("title: Partners meet: a review\ndate: 2024-01-01\n"), f"{NEWS}:2: the value of 'title' contains ':', "
         "which YAML reads as the start of another key; put the value in quotes: title: \"Partners meet: a review\""),
        (NEWS, article("title: x\ndate: 2024-01-01\nsummary: Agenda:\n"), f"{NEWS}:4: the value of 'summary' ends with ':', "
         "which YAML reads as the start of another key; put the value in quotes: summary: \"Agenda:\""),
        (NEWS, article("title: x\ndate: 2024-01-01\nauthor: @liwei\n"), f"{NEWS}:4: a value cannot start with '@' in YAML; "
         "put the value in quotes: author: \"@liwei\""),
        (NEWS, article("title: `make` tips\ndate: 2024-01-01\n"), f"{NEWS}:2: a value cannot start with '`' in YAML; "
         "put the value in quotes: title: \"`make` tips\""),
        (NEWS, article("title: *Update*\ndate: 2024-01-01\n"), f"{NEWS}:2: a value that starts with '*' is read as a reference "
         "to an anchor ('&name'); put the value in quotes: title: \"*Update*\""),
        (NEWS, article('title: "Robots" in the clinic\ndate: 2024-01-01\n'), f"{NEWS}:2: the quotes close before the end of the "
         "value; put the value in quotes: title: '\"Robots\" in the clinic'"),
        (NEWS, article("title: [Draft] Report\ndate: 2024-01-01\n"), f"{NEWS}:2: a value that starts with '[' is read as a list; "
         "put the value in quotes: title: \"[Draft] Report\""),
        (NEWS, article("title: x\ndate 2024-01-01\n"), f"{NEWS}:3: line 3 has no ':'; if it is a key, write it as "
         "'date: 2024-01-01'; if it continues the text of line 2, indent it by 2 spaces"),
        ("content/pages/about.md", '---\ntitle: "C:\\Users"\n---\n', "content/pages/about.md:2: a backslash in double quotes "
         "starts an escape such as \\n; write \\\\ for a backslash, or use single quotes: title: 'C:\\Users'"),
        (ROBOT, "title: R\nstatus: active\nmilestones:\n  - date: 2024-01-01\n\t  title: x\n", f"{ROBOT}:5: line 5 is indented "
         "with a tab; YAML needs spaces: replace the tab with spaces"),
        (ROBOT, "title: R\nstatus: active\n---\nlead: acme\n", f"{ROBOT}:3: '---' on line 3 starts a second YAML document; "
         "a file holds one: delete the line"),
        (ACME, "name: A\nkind: other\nsummary: > see the website\n", f"{ACME}:3: a value that starts with '>' is read as the first "
         "line of a block of text; put the value in quotes: summary: \"> see the website\", or leave only '>' on this line and "
         "write the text on the lines below it, indented"),
        (SITE, "title: T\nbase_url: https://x.org\nlanguages: [en, , zh]\n", f"{SITE}:3: the list on this line has an empty "
         "item (', ,'); delete the extra comma"),
        (SITE, "title:\n  en: T\n zh: T\nbase_url: https://x.org\n", f"{SITE}:3: line 3 is indented by 1 space where its block "
         "needs 2: indent 'zh' by 2, like line 2"),
    ],
)  # fmt: skip
def test_yaml_errors_in_plain_words(make_site: MakeSite, rel: str, text: str, expected: str) -> None:
    """Each names the line and says what to type instead, not what the parser was doing."""
    assert broken_build(make_site, {rel: text}) == [expected]


FRONT_MATTER = """\
---
title: Robots in the clinic
date: 2024-04-02
summary: >-
  A long summary that
  runs over two lines
author: Li Wei
tags:
  - health
  - robots
projects: [robot]
draft: false
image_alt: The robot arm
partners:
   - acme
  - acme
---

Text.
"""

MILESTONES = """\
title: Robot
status: active
partners: [acme]
milestones:
  - date: 2024-04-02
    title: Signed
    done: true
   - date: 2024-05-01
     title: Trial
  - date: 2024-06-01
    title: Launch
"""


def test_an_indentation_slip_is_reported_at_its_own_line(make_site: MakeSite) -> None:
    """PyYAML notices these on the line after the slip (16 and 10): the slip's own line is reported."""
    errors = broken_build(make_site, {NEWS: FRONT_MATTER})
    assert errors == [f"{NEWS}:15: line 15 is indented by 3 spaces where its block needs 2: indent '- acme' by 2, like line 16"]
    errors = broken_build(make_site, {ROBOT: MILESTONES}, name="milestones")
    assert errors == [
        f"{ROBOT}:8: line 8 is indented by 3 spaces where its block needs 2: indent '- date' by 2, like line 10, and line 9 under it 1 less"
    ]


def test_anchors_cannot_blow_up(make_site: MakeSite) -> None:
    """A 'billion laughs' document: composing keeps aliases as shared nodes, reading stays bounded."""
    lol = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    errors = broken_build(make_site, {"content/partners/acme.yaml": "name: A\nkind: other\n" + lol})
    known = "known keys: image, kind, location, name, summary, url"
    assert errors == [f"content/partners/acme.yaml:{3 + i}: unknown key '{chr(97 + i)}' in partner; {known}" for i in range(9)]
