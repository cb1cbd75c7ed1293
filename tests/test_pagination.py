"""Paginated lists: the news list and every topic (tag) page, `per_page` articles a page (issue 16)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newshub.pipeline import Options, build

from .conftest import MINIMAL_CONFIG, MakeSite

PER_PAGE = 2  # MINIMAL_CONFIG's per_page


def story(day: int, tags: str = "[robots]") -> str:
    return f"---\ntitle: Story {day}\ndate: 2024-05-{day:02d}\ntags: {tags}\n---\n\nText {day}.\n"


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    # 5 English stories on robots (3 pages), 3 Chinese ones (2 pages), one English story on data.
    files = {f"content/news/2024-05-{d:02d}-s{d}.md": story(d) for d in range(1, 6)}
    files |= {f"content/news/2024-05-{d:02d}-z{d}.zh.md": story(d) for d in range(1, 4)}
    files["content/news/2024-06-01-data.md"] = story(1, "[data]").replace("2024-05-01", "2024-06-01")
    root = make_site({"content/site.yaml": MINIMAL_CONFIG, **files})
    build(Options(root=root, jobs=1))
    return root / "site"


def titles(page: Path) -> list[str]:
    return re.findall(r'<h2><a href="[^"]+">(Story \d+)</a>', page.read_text(encoding="utf-8"))


def nav(page: Path) -> dict[str, str]:
    found = re.search(r'<nav class="pagination".*?</nav>', page.read_text(encoding="utf-8"), re.S)
    return dict(re.findall(r'<a rel="(prev|next)" href="([^"]+)"', found.group(0))) if found else {}


def test_a_topic_is_paginated_like_the_news_list(site: Path) -> None:
    pages = sorted(p.relative_to(site).as_posix() for p in (site / "tags/robots").rglob("index.html"))
    assert pages == ["tags/robots/index.html", "tags/robots/page/2/index.html", "tags/robots/page/3/index.html"]
    assert titles(site / "tags/robots/index.html") == ["Story 5", "Story 4"]  # newest first
    assert titles(site / "tags/robots/page/2/index.html") == ["Story 3", "Story 2"]
    assert titles(site / "tags/robots/page/3/index.html") == ["Story 1"]  # the last page: what is left
    assert nav(site / "tags/robots/index.html") == {"next": "/tags/robots/page/2/"}
    assert nav(site / "tags/robots/page/2/index.html") == {"prev": "/tags/robots/", "next": "/tags/robots/page/3/"}
    assert nav(site / "tags/robots/page/3/index.html") == {"prev": "/tags/robots/page/2/"}
    assert "Page 3 / 3" in (site / "tags/robots/page/3/index.html").read_text(encoding="utf-8")
    assert "<title>Topic: robots · Page 2 — Test Hub</title>" in (site / "tags/robots/page/2/index.html").read_text(encoding="utf-8")
    assert not (site / "tags/robots/page/4").exists() and not (site / "tags/robots/page/1").exists()


def test_a_short_topic_has_one_page_and_no_pagination(site: Path) -> None:
    assert not (site / "tags/data/page").exists()
    assert nav(site / "tags/data/index.html") == {} and "pagination" not in (site / "tags/data/index.html").read_text(encoding="utf-8")


def test_each_language_s_topic_pages_and_their_alternates(site: Path) -> None:
    assert (site / "zh/tags/robots/page/2/index.html").is_file() and not (site / "zh/tags/robots/page/3").exists()
    # Page 2 exists in both languages, page 3 in English only: hreflang names only what exists.
    second = (site / "tags/robots/page/2/index.html").read_text(encoding="utf-8")
    assert 'hreflang="zh" href="https://hub.example.org/zh/tags/robots/page/2/"' in second
    third = (site / "tags/robots/page/3/index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" hreflang="zh"' not in third
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    for path in ("/tags/robots/page/2/", "/tags/robots/page/3/", "/zh/tags/robots/page/2/"):
        assert f"<loc>https://hub.example.org{path}</loc>" in sitemap


def test_the_news_list_still_paginates(site: Path) -> None:
    assert titles(site / "news/index.html") == ["Story 1", "Story 5"]  # the data story, of June, first
    assert nav(site / "news/page/3/index.html") == {"prev": "/news/page/2/"}
