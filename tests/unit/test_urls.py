"""urls: slugs, pretty URLs and output paths, link safety."""

from __future__ import annotations

import pytest

from newshub.urls import absolute_links, href, is_safe_link, output_file, page_url, safe_external_url, scheme_of, slug_problem, slugify


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Artificial Intelligence", "artificial-intelligence"),
        ("  Big data & AI — 2024!  ", "big-data-ai-2024"),
        ("中医药", "中医药"),
        ("ＡＢＣ", "abc"),  # NFKC: full-width letters fold
        ("snake_case", "snake-case"),
        ("!!!", ""),
        ("C++", "c-plus-plus"),
        ("C#", "c-sharp"),
        ("#AI", "ai"),  # a hashtag's '#' is punctuation
        ("1+1", "1-1"),
        ("Node.js", "node-js"),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize("slug", ["agreement", "2024-report", "中医药", "a-b-c", "newshub-2.1.1-released", "a.b"])
def test_good_slugs(slug: str) -> None:
    assert slug_problem(slug) is None


@pytest.mark.parametrize(
    ("slug", "why"),
    [
        ("", "empty"),
        ("a/b", "may hold only"),
        ("a b", "may hold only"),
        ("..", "may hold only"),
        ("a.", "may hold only"),
        (".a", "may hold only"),
        ("a..b", "may hold only"),
        ("con.2", "reserved device name"),
        ("-lead", "may hold only"),
        ("con", "reserved device name"),
        ("COM1", "reserved device name"),
        ("e\u0301", "NFC"),
    ],
)
def test_bad_slugs(slug: str, why: str) -> None:
    problem = slug_problem(slug)
    assert problem is not None and why in problem


def test_page_url_and_output_file() -> None:
    assert page_url() == "/"
    assert page_url("", "news", "x") == "/news/x/"
    assert page_url("zh", "news", "x") == "/zh/news/x/"
    assert output_file("/") == "index.html"
    assert output_file("/zh/news/x/") == "zh/news/x/index.html"
    assert output_file("/feed.xml") == "feed.xml"
    assert output_file("/404.html") == "404.html"


def test_href_encodes_once() -> None:
    assert href("/tags/中医/") == "/tags/%E4%B8%AD%E5%8C%BB/"
    assert href("/a b/?q=1&r=2#x") == "/a%20b/?q=1&r=2#x"
    assert href("/a%20b/") == "/a%20b/"
    assert href('/"quoted"<>') == "/%22quoted%22%3C%3E"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:x",
        "java\tscript:x",
        "jav&#x61;script:x",
        "data:text/html,x",
        "vbscript:x",
    ],
)
def test_unsafe_schemes_are_seen_through_disguises(url: str) -> None:
    assert not is_safe_link(url)


@pytest.mark.parametrize("url", ["https://x.org", "http://x.org", "mailto:a@b.org", "tel:+8621", "/news/", "#top", "relative/path", "?q=1"])
def test_safe_links(url: str) -> None:
    assert is_safe_link(url)


def test_scheme_and_external_urls() -> None:
    assert scheme_of("HTTPS://x") == "https"
    assert scheme_of("/a:b") is None
    assert safe_external_url("https://x.org/a") == "https://x.org/a"
    assert safe_external_url("/images/a.png") == "/images/a.png"
    assert safe_external_url("//evil.example/x") is None
    assert safe_external_url("javascript:alert(1)") is None
    assert safe_external_url("ftp://x.org") is None


@pytest.mark.parametrize(
    ("url", "encoded"),
    [
        ("{% link x.md %}", "%7B%25%20link%20x.md%20%25%7D"),
        ("https://e.org/50%off", "https://e.org/50%25off"),
        ("https://e.org/100%", "https://e.org/100%25"),
        ("https://e.org/a%20b%2F", "https://e.org/a%20b%2F"),  # valid escapes are kept
        ("/tags/%e4%b8%ad/", "/tags/%e4%b8%ad/"),
    ],
)
def test_href_encodes_a_bare_percent(url: str, encoded: str) -> None:
    assert href(url) == encoded
    assert href(encoded) == encoded


def test_absolute_links_resolve_against_the_page() -> None:
    body = '<p><a href="../first/">a</a> <a href="#d">b</a> <img src="p.jpg" alt=""> <a href="mailto:x@e.org">m</a></p>'
    got = absolute_links(body, "https://e.org/hub/news/second/")
    assert got == (
        '<p><a href="https://e.org/hub/news/first/">a</a> <a href="https://e.org/hub/news/second/#d">b</a>'
        ' <img src="https://e.org/hub/news/second/p.jpg" alt=""> <a href="mailto:x@e.org">m</a></p>'
    )
    assert absolute_links('<a href="/x?a=1&amp;b=2">q</a>', "https://e.org/") == '<a href="https://e.org/x?a=1&amp;b=2">q</a>'
