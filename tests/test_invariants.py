"""Whole-site invariants (issue 9, item 2) on every output file of three real sites, with and without drafts:
XML parses, no control characters, every URL is an RFC 3986 URI-reference.

The sites: the sample in content/, tests/sites/basic/ and tests/sites/realworld/ (content as newsrooms
write it, with a base_url that has a path), the last two built with the repository's theme.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from newshub.errors import BuildError
from newshub.pipeline import Options, build

from .conftest import REPO, write_files
from .invariants import control_char_problems, url_error, url_problems, xml_problems
from .refresh_golden import SITES

Checker = Callable[[Path], list[str]]
CHECKERS: dict[str, Checker] = {"xml": xml_problems, "control": control_char_problems, "url": url_problems}
BUILDS = [(name, drafts) for name in ("sample", "basic", "realworld") for drafts in (False, True)]


@pytest.fixture(scope="module", params=BUILDS, ids=[name + "-drafts" * drafts for name, drafts in BUILDS])
def out(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One build per site and drafts setting for the whole module (a build of these takes well under a second)."""
    name, drafts = request.param
    work = tmp_path_factory.mktemp(name)
    root = REPO
    if name != "sample":  # content only: add the repository's theme, as tests/refresh_golden.py does
        root = work / name
        shutil.copytree(SITES / name, root)
        shutil.copytree(REPO / "templates", root / "templates")
        shutil.copytree(REPO / "assets", root / "assets")
    output = work / "site"
    try:
        build(Options(root=root, output=output, drafts=drafts, cache=False, jobs=1))
    except BuildError as error:
        failure = f"{name} does not build:\n{error}"
    else:
        failure = ""
    if failure:  # outside the except block, so the report is the build's messages, not a chained traceback
        pytest.fail(failure, pytrace=False)
    assert any(output.rglob("*.xml")) and any(output.rglob("*.html"))
    return output


def report(problems: list[str], limit: int = 40) -> str:
    more = f"\n... and {len(problems) - limit} more" if len(problems) > limit else ""
    return f"{len(problems)} problem(s):\n" + "\n".join(problems[:limit]) + more


def test_every_xml_file_parses(out: Path) -> None:
    problems = xml_problems(out)
    assert not problems, report(problems)


def test_no_control_characters_in_any_text_file(out: Path) -> None:
    problems = control_char_problems(out)
    assert not problems, report(problems)


def test_every_url_is_an_rfc3986_uri_reference(out: Path) -> None:
    problems = url_problems(out)
    assert not problems, report(problems)


# --- the checkers notice faults ------------------------------------------------------------------

GOOD_FEED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://x.example.org/hub/">
  <id>https://x.example.org/hub/</id>
  <link rel="self" href="https://x.example.org/hub/feed.xml"/>
  <entry><id>https://x.example.org/hub/news/a/#m-1</id>
    <content type="html">&lt;a href="/hub/news/b/"&gt;b&lt;/a&gt; &lt;img src="https://i.example.net/s.jpg" alt=""&gt;</content>
  </entry>
</feed>
"""
GOOD_PAGE = """<!DOCTYPE html><html lang="en"><head><title>A&amp;B</title>
<link rel="canonical" href="https://x.example.org/hub/news/%E4%B8%AD/">
<meta property="og:image" content="https://i.example.net/a.jpg?w=1&amp;h=2">
<script type="application/ld+json">
{"@context": "https://schema.org", "url": "https://x.example.org/hub/", "sameAs": ["mailto:a@b.org"]}</script>
</head><body><a href="#top">t</a> <a href="../b/?q=1#x">b</a> <img srcset="a.png 1x, b.png 2x" alt=""></body></html>
"""
GOOD_SITE: dict[str, str | bytes] = {
    "index.html": GOOD_PAGE,
    "feed.xml": GOOD_FEED,
    "sitemap.xml": '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://x.example.org/hub/</loc></url></urlset>',
    "robots.txt": "User-agent: *\nSitemap: https://x.example.org/hub/sitemap.xml\n",
    "assets/site.css": "body {\n\tcolor: red;\r\n}\n",
}


@pytest.fixture
def good_site(tmp_path: Path) -> Path:
    write_files(tmp_path, GOOD_SITE)
    (tmp_path / "assets" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x02")  # binary: not a text file
    return tmp_path


@pytest.mark.parametrize("checker", CHECKERS.values(), ids=CHECKERS.keys())
def test_a_correct_site_has_no_problems(good_site: Path, checker: Checker) -> None:
    assert checker(good_site) == []


def test_xml_checker_notices_a_broken_feed(good_site: Path) -> None:
    (good_site / "feed.xml").write_text(GOOD_FEED.replace("</entry>", ""), encoding="utf-8")
    problems = xml_problems(good_site)
    assert len(problems) == 1 and problems[0].startswith("feed.xml:8: mismatched tag"), problems


def test_control_character_checker_names_file_line_and_character(good_site: Path) -> None:
    (good_site / "news.html").write_text("<p>one</p>\n<p>Sum\x02mary &#127; &#x1b;</p>\n", encoding="utf-8")
    (good_site / "feed.xml").write_text(GOOD_FEED.replace("<entry>", "<entry>\x7f"), encoding="utf-8")
    problems = control_char_problems(good_site)
    assert [p.split(" in ")[0] for p in problems] == [
        "feed.xml:5: U+007F",
        "news.html:2: U+0002",
        "news.html:2: U+007F as &#127;",
        "news.html:2: U+001B as &#x1b;",
    ]
    assert "'<p>Sum\\x02mary" in problems[1]


def test_url_checker_notices_bad_urls_in_every_place(good_site: Path) -> None:
    (good_site / "news.html").write_text(
        '<a href="%7B%%20link">x</a> <a href="http://exa mple.org/">y</a> <img src="https://a.example/50%off" alt="">'
        '<meta property="og:url" content="htp:/x y"> <blockquote cite="//[zz]/"></blockquote>'
        '<script type="application/ld+json">{"image": {"url": "https://b.example/a b"}}</script>',
        encoding="utf-8",
    )
    (good_site / "feed.xml").write_text(GOOD_FEED.replace("/hub/news/b/", "/hub/news/%zz/").replace("#m-1", "#m#1"), encoding="utf-8")
    (good_site / "robots.txt").write_text("Sitemap: https:///sitemap.xml\n", encoding="utf-8")
    assert url_problems(good_site) == [
        "feed.xml: <atom:id> 'https://x.example.org/hub/news/a/#m#1': bad fragment 'm#1'",
        "feed.xml: <atom:content> <a href> '/hub/news/%zz/': '%' at 10 is not followed by two hex digits",
        "news.html: <a href> '%7B%%20link': '%' at 3 is not followed by two hex digits",
        "news.html: <a href> 'http://exa mple.org/': character ' ' (U+0020) at 10 is not allowed",
        "news.html: <img src> 'https://a.example/50%off': '%' at 20 is not followed by two hex digits",
        "news.html: <meta og:url content> 'htp:/x y': character ' ' (U+0020) at 6 is not allowed",
        "news.html: <blockquote cite> '//[zz]/': bad IP literal '[zz]'",
        "news.html: JSON-LD $.image.url 'https://b.example/a b': character ' ' (U+0020) at 19 is not allowed",
        "robots.txt: Sitemap: 'https:///sitemap.xml': https URL without a host",
    ]


VALID_URLS = [
    "",
    "#x",
    "/a/b/",
    "../x/?q=a/b?c#f/?",
    "//cdn.example/x",
    "https://u:p@h.example:8080/%E4%B8%AD",
    "http://[::1]/",
    "mailto:a@b",
    "x:",
]
INVALID_URLS = [
    "a b",
    "50%",
    "%2x",
    "https://ex.org/é",
    "1http://x",
    ":a",
    "/a[b]",
    "a#b#c",
    "http://h:8o/",
    "http://[zz]/",
    "http:/x",
    "{% x %}",
    "a\nb",
]


@pytest.mark.parametrize("url", VALID_URLS)
def test_rfc3986_grammar_accepts(url: str) -> None:
    assert url_error(url) is None


@pytest.mark.parametrize("url", INVALID_URLS)
def test_rfc3986_grammar_rejects(url: str) -> None:
    assert url_error(url) is not None
