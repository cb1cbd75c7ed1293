"""parse: one file's bytes into an item; a broken file gives its problems and no item."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from newshub.discover import Source
from newshub.errors import Problem
from newshub.markdown import MarkdownRenderer
from newshub.model import Article, Page, Partner, Project
from newshub.parse import Parsed, ParseResults, parse

from .helpers import config

CONFIG = config()


def run(rel: str, text: str) -> Parsed:
    section = rel.split("/")[1]
    return parse(Source(rel, section, text.encode("utf-8")), CONFIG, MarkdownRenderer(CONFIG.html))


def article(rel: str, text: str) -> Article:
    parsed = run(rel, text)
    assert parsed.problems == (), parsed.problems
    assert isinstance(parsed.item, Article)
    return parsed.item


def problems(rel: str, text: str) -> list[str]:
    return [str(p) for p in run(rel, text).problems]


def test_date_comes_from_the_file_name_prefix() -> None:
    a = article("content/news/2024-04-02-signing.md", "---\ntitle: Signing\n---\n\nText.\n")
    assert a.date == datetime(2024, 4, 2, tzinfo=a.date.tzinfo)
    assert a.date.utcoffset() == timedelta(hours=8)  # a day in the site's zone, not the machine's
    assert (a.slug, a.translation_key, a.lang) == ("signing", "signing", "en")


def test_front_matter_date_wins_over_the_prefix_and_keeps_its_offset() -> None:
    a = article("content/news/2024-04-02-signing.md", "---\ntitle: S\ndate: 2024-04-01T23:30:00Z\n---\nText.\n")
    assert a.date.astimezone(UTC) == datetime(2024, 4, 1, 23, 30, tzinfo=UTC)
    assert a.date.date() == date(2024, 4, 2)  # 07:30 in Shanghai


def test_no_date_anywhere_is_an_error() -> None:
    assert problems("content/news/signing.md", "---\ntitle: S\n---\nText.\n") == [
        "content/news/signing.md:1: missing required field 'date'; add 'date: YYYY-MM-DD' or name the file YYYY-MM-DD-slug.md"
    ]


def test_an_impossible_date_in_the_file_name_is_an_error() -> None:
    found = problems("content/news/2024-02-30-x.md", "---\ntitle: S\n---\nText.\n")
    assert any("invalid date '2024-02-30' in the file name" in p for p in found)


def test_an_impossible_date_in_front_matter_names_its_line() -> None:
    found = problems("content/news/x.md", "---\ntitle: S\n\ndate: 2024-02-30\n---\nText.\n")
    assert found[0].startswith("content/news/x.md:4: date: invalid date '2024-02-30'")


def test_language_comes_from_the_suffix_and_shares_the_key() -> None:
    zh = article("content/news/2024-04-02-signing.zh.md", "---\ntitle: 签约\n---\n\n正文。\n")
    en = article("content/news/2024-04-02-signing.md", "---\ntitle: Signing\n---\n\nText.\n")
    assert (zh.lang, zh.slug, zh.translation_key) == ("zh", "signing", "signing")
    assert zh.translation_key == en.translation_key


def test_unknown_suffix_and_contradicting_lang_are_errors() -> None:
    assert any(
        ".fr' is not in site.yaml languages" in p for p in problems("content/news/x.fr.md", "---\ntitle: S\ndate: 2024-01-01\n---\n")
    )
    found = problems("content/news/x.zh.md", "---\ntitle: S\ndate: 2024-01-01\nlang: en\n---\n")
    assert found == ["content/news/x.zh.md:4: lang 'en' contradicts the file name's '.zh' suffix; remove one"]


def test_summary_defaults_to_the_first_paragraph_as_plain_text() -> None:
    a = article("content/news/2024-01-01-x.md", "---\ntitle: X\n---\n\n## Heading\n\nThe *first*\n[paragraph](/a/).\n\nThe second.\n")
    assert a.summary == "The first paragraph."
    b = article("content/news/2024-01-01-x.md", "---\ntitle: X\nsummary: Given.\n---\n\nThe first.\n")
    assert b.summary == "Given."


def test_front_matter_fields() -> None:
    a = article(
        "content/news/2024-01-01-x.md",
        "---\ntitle: no\ntags: [AI, 中医]\nprojects: [p1]\npartners: [a, b]\nauthor: Li\ndraft: true\nslug: other\n---\nBody.\n",
    )
    assert a.title == "no" and a.tags == ("AI", "中医") and a.projects == ("p1",) and a.partners == ("a", "b")
    assert a.author == "Li" and a.draft is True and a.slug == "other" and a.translation_key == "x"
    assert a.lines["projects"] == 4 and a.minutes == 1


def test_bad_slug_and_missing_title_are_reported_together() -> None:
    found = problems("content/news/2024-01-01-x.md", "---\nslug: a/b\n---\nBody.\n")
    assert any(p.startswith("content/news/2024-01-01-x.md:2: slug 'a/b' may hold only") for p in found)
    assert any("missing required field 'title'" in p for p in found)


def test_markdown_warnings_carry_the_file_line() -> None:
    parsed = run("content/news/2024-01-01-x.md", "---\ntitle: X\n---\n\nText.\n\n<script>alert(1)</script>\n")
    assert isinstance(parsed.item, Article)
    assert [str(w) for w in parsed.warnings] == [
        "content/news/2024-01-01-x.md:7: raw HTML <script> is not allowed and was removed; scripts cannot run in content"
        " (the site's Content-Security-Policy blocks them); a script belongs in the theme's assets/"
    ]
    assert "alert" not in parsed.item.body


def test_page() -> None:
    parsed = run("content/pages/about.zh.md", "---\ntitle: 关于\n---\n\n我们。\n")
    assert isinstance(parsed.item, Page)
    assert (parsed.item.slug, parsed.item.lang, parsed.item.summary) == ("about", "zh", "我们。")
    (found,) = problems("content/pages/about.md", "---\ntitle: A\ndate: 2024-01-01\n---\n")
    assert found.startswith("content/pages/about.md:3: unknown key 'date' in page front matter")  # pages have no date


def test_project_with_milestones_and_localized_body() -> None:
    text = """\
title: {en: Robot, zh: 机器人}
status: active
lead: uni
partners: [uni, hosp]
started: 2024-04-02
milestones:
  - {date: 2025-01-01, title: Later, done: false}
  - date: 2024-05-01
    title: {en: Earlier, zh: 较早}
    done: true
body:
  en: "**Bold** text"
  zh: 中文
"""
    parsed = run("content/projects/robot.yaml", text)
    project = parsed.item
    assert isinstance(project, Project), parsed.problems
    assert project.id == "robot" and project.status == "active" and project.started == date(2024, 4, 2)
    assert [m.date for m in project.milestones] == [date(2024, 5, 1), date(2025, 1, 1)]
    assert project.milestones[0].title == {"en": "Earlier", "zh": "较早"} and project.milestones[0].done
    assert project.body["en"] == "<p><strong>Bold</strong> text</p>"
    assert project.title["zh"] == "机器人"


def test_partner_and_bad_ids() -> None:
    parsed = run("content/partners/uni.yaml", "name: Uni\nkind: university\nurl: https://uni.example.org\n")
    assert isinstance(parsed.item, Partner) and parsed.item.url == "https://uni.example.org"
    found = problems("content/partners/Uni_1.yaml", "name: Uni\nkind: university\n")
    assert found == [
        "content/partners/Uni_1.yaml: id 'Uni_1' (the file name) may hold only a-z, 0-9, hyphens and dots between them; rename the file"
    ]


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\xfe", b"---\ntitle: [\n---\n", b"no front matter", b"---\ntitle: x\n---\n" + b"> " * 60 + b"deep\n"],
)
def test_parse_never_raises(data: bytes) -> None:
    parsed = parse(Source("content/news/2024-01-01-x.md", "news", data), CONFIG, MarkdownRenderer(CONFIG.html))
    assert parsed.problems
    assert all(p.path == "content/news/2024-01-01-x.md" for p in parsed.problems)


def test_every_problem_of_a_file_and_its_item_for_the_cross_file_check() -> None:
    text = "---\ntitle: X\ndate: 2024-02-30\ntags: health\nslug: a/b\npartners: [nosuch]\n---\n\n" + "> " * 60 + "deep\n"
    parsed = run("content/news/x.md", text)
    assert [str(p) for p in parsed.problems] == [
        "content/news/x.md:3: date: invalid date '2024-02-30': write YYYY-MM-DD or an ISO 8601 date-time such as 2024-04-02T09:30:00+08:00",
        "content/news/x.md:4: tags: write a list, for example [health] or one '- item' per line",
        "content/news/x.md:5: slug 'a/b' may hold only letters, digits, hyphens and dots between them"
        " (no '/', '\\', '%', spaces, or a dot at either end)",
        "content/news/x.md: the Markdown nests more than 40 levels deep; flatten it",
    ]
    assert isinstance(parsed.item, Article) and parsed.item.partners == ("nosuch",) and parsed.item.lines["partners"] == 6


def test_every_problem_of_every_milestone() -> None:
    text = "title: R\nstatus: active\nmilestones:\n  - date: 2024-01-01\n    done: maybe\n    title: A\n  - title: B\n"
    assert problems("content/projects/robot.yaml", text) == [
        "content/projects/robot.yaml:5: milestones: done: write true or false, not 'maybe'",
        "content/projects/robot.yaml:7: milestones: missing required field 'date' in milestone; add a line such as 'date: 2024-04-02'",
    ]


def test_bom_and_crlf_do_not_shift_line_numbers() -> None:
    data = b"\xef\xbb\xbf---\r\ntitle: T\r\n\r\ndate: 2024-02-30\r\n---\r\nBody.\r\n"
    parsed = parse(Source("content/news/x.md", "news", data), CONFIG, MarkdownRenderer(CONFIG.html))
    assert [(p.line, p.message[:30]) for p in parsed.problems] == [(4, "date: invalid date '2024-02-30")]


def test_parse_results_keep_the_problems_warnings_and_deps_of_the_results_that_have_them() -> None:
    wrong, odd = Problem("content/news/a.md", 2, "wrong"), Problem("content/news/b.md", 3, "odd")
    deps = (("content/news/b/photo.jpg", "digest", 10, 1, None),)
    results = ParseResults()
    results["content/news/a.md"] = (b"a", Parsed(None, (wrong,), ()))
    results["content/news/b.md"] = (b"b", Parsed(None, (), (odd,), deps))
    results["content/news/c.md"] = (b"c", Parsed(None, (), ()))
    assert (results.problems, results.warnings) == ({"content/news/a.md": (wrong,)}, {"content/news/b.md": (odd,)})
    assert results.deps == {"content/news/b.md": deps}
    results["content/news/a.md"] = (b"a2", Parsed(None, (), (odd,)))  # fixed, with a warning now
    assert results.problems == {} and results.warnings.keys() == {"content/news/a.md", "content/news/b.md"}
    assert results.pop("content/news/b.md")[0] == b"b"
    assert (results.warnings.keys(), results.deps) == ({"content/news/a.md"}, {})
    del results["content/news/a.md"]
    assert list(results.items()) == [("content/news/c.md", (b"c", Parsed(None, (), ())))] and not results.warnings
    results.clear()
    assert len(results) == 0 and "content/news/c.md" not in results
