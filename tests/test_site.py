"""The repository's own sample site, built from content/: valid HTML, feeds, sitemap, links, content."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import feedparser
import pytest

from newshub.config import load_config
from newshub.pipeline import Options, build

from .conftest import REPO, MakeSite, tree
from .htmltools import broken_references, page_text, page_url_of, parse_page, target_file, vnu_errors, vnu_unavailable
from .refresh_golden import GOLDEN

PROJECTS = ("ai-tcm-research", "breast-cancer-forecast", "acupoint-robot")
ARTICLE = "news/hospital-universities-agreement/index.html"
BASE_URL = load_config(REPO).base_url


# Headings whose anchors could clash with the theme's own ids (duplicate ids are invalid HTML).
PROJECT_WITH_CLASHING_HEADINGS = """\
title: P
status: active
partners: [x]
milestones:
  - {date: 2024-01-01, title: M}
body: |
  ## Partners

  ## Milestones

  ## News

  ## Page main
"""


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sample") / "site"
    build(Options(root=REPO, output=folder, cache=False, jobs=1))
    return folder


def html_pages(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


@pytest.fixture
def edge_sites(make_site: MakeSite) -> list[Path]:
    """Output folders of small sites that reach what the sample does not: an empty site shows every
    "none yet" branch; drafts get a badge; headings named like the theme's own sections."""
    empty = make_site({}, name="empty")
    build(Options(root=empty, cache=False, jobs=1))
    drafts = make_site(
        {
            "content/news/2024-01-01-d.md": "---\ntitle: D\ndraft: true\nprojects: [p]\n---\n\n## Main\n\nText.\n",
            "content/projects/p.yaml": PROJECT_WITH_CLASHING_HEADINGS,
            "content/partners/x.yaml": "name: X\nkind: other\n",
        },
        name="drafts",
    )
    build(Options(root=drafts, drafts=True, cache=False, jobs=1))
    return [empty / "site", drafts / "site"]


@pytest.mark.slow
@pytest.mark.skipif(bool(vnu_unavailable()), reason=vnu_unavailable() or "-")
def test_every_page_passes_the_nu_html_checker(out: Path, edge_sites: list[Path]) -> None:
    # With the golden site (which test_golden proves equal to a fresh build) these reach every
    # template, both languages, pagination, a table of contents, tables and footnotes.
    pages = html_pages(out) + html_pages(GOLDEN / "basic") + [page for site in edge_sites for page in html_pages(site)]
    assert any("/zh/" in p.as_posix() for p in html_pages(out))
    assert len(pages) > 60
    errors = vnu_errors(pages)
    assert not errors, "\n".join(errors)


def test_no_page_repeats_an_id(out: Path, edge_sites: list[Path]) -> None:
    # Checked without Java too: a heading's anchor must never take an id the theme uses.
    for page in html_pages(out) + [page for site in edge_sites for page in html_pages(site)]:
        assert parse_page(page).duplicate_ids == [], page


def test_pages_declare_their_language(out: Path) -> None:
    for page in html_pages(out):
        lang = "zh" if page.relative_to(out).parts[0] == "zh" else "en"
        assert f'<html lang="{lang}">' in page.read_text(encoding="utf-8"), page


def test_every_internal_link_and_asset_resolves(out: Path) -> None:
    assert broken_references(out, BASE_URL) == []
    stylesheets = [ref for _, attr, ref in parse_page(out / "index.html").refs if "/assets/css/" in ref]
    assert stylesheets and all(ref.startswith(("/assets/css/site.", "/assets/css/hub.")) for ref in stylesheets)


def test_link_checker_notices_a_broken_link(out: Path, tmp_path: Path) -> None:
    copy = tmp_path / "site"
    copy.mkdir()
    (copy / "index.html").write_text('<a href="/missing/">x</a> <img src="pic.png" alt=""> <a href="#nowhere">y</a>')
    problems = broken_references(copy, BASE_URL)
    assert len(problems) == 3, problems


@pytest.mark.parametrize("feed_path", ["feed.xml", "zh/feed.xml"])
def test_site_feeds_parse_and_list_the_agreement(out: Path, feed_path: str) -> None:
    feed = feedparser.parse((out / feed_path).read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    prefix = "/zh" if feed_path.startswith("zh/") else ""
    assert [e.link for e in feed.entries] == [f"{BASE_URL}{prefix}/news/hospital-universities-agreement/"]
    assert feed.entries[0].published.startswith("2024-04-02")
    expected_title = "上海市第七人民医院与两所高校签约" if prefix else "Shanghai 7th People's Hospital and two universities agree"
    assert feed.entries[0].title.startswith(expected_title)
    assert "/projects/ai-tcm-research/" in feed.entries[0].content[0].value  # the whole article, links included
    assert feed.feed.title


@pytest.mark.parametrize("lang_prefix", ["", "zh/"])
@pytest.mark.parametrize("project", PROJECTS)
def test_project_feeds_parse_with_news_and_milestones(out: Path, project: str, lang_prefix: str) -> None:
    feed = feedparser.parse((out / lang_prefix / "projects" / project / "feed.xml").read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    links = [e.link for e in feed.entries]
    assert f"{BASE_URL}/{lang_prefix}news/hospital-universities-agreement/" in links
    # the signing milestone, linked to its place on the project page
    assert f"{BASE_URL}/{lang_prefix}projects/{project}/#milestone--2024-04-02" in links
    # and its status history: signed on the day of the agreement, then active
    assert f"{BASE_URL}/{lang_prefix}projects/{project}/#status--2024-04-02-signed" in links
    assert len(feed.entries) == 5  # the news, two status changes, two milestones done


def test_every_feed_is_covered(out: Path) -> None:
    feeds = {p.relative_to(out).as_posix() for p in out.rglob("*.xml")} - {"sitemap.xml"}
    expected = {f"{pre}feed.xml" for pre in ("", "zh/")} | {f"{pre}projects/{p}/feed.xml" for pre in ("", "zh/") for p in PROJECTS}
    assert feeds == expected


def test_feed_links_resolve(out: Path) -> None:
    atom = "{http://www.w3.org/2005/Atom}"
    for feed_file in sorted(out.rglob("feed.xml")):
        links = [el.get("href", "") for el in ET.fromstring(feed_file.read_bytes()).iter(f"{atom}link")]
        assert links
        for link in links:
            assert link.startswith(BASE_URL + "/"), (feed_file, link)
            assert target_file(out, unquote(link[len(BASE_URL) :]).split("#")[0]).is_file(), (feed_file, link)


def test_sitemap_lists_every_page_but_404_with_absolute_urls(out: Path) -> None:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.fromstring((out / "sitemap.xml").read_bytes())
    locs = [unquote(el.text or "") for el in root.findall("s:url/s:loc", ns)]  # non-ASCII tags are percent-encoded
    assert len(locs) == len(set(locs))
    assert all(el.text and el.text.isascii() for el in root.findall("s:url/s:loc", ns))
    redirects = {p for p in html_pages(out) if b'http-equiv="refresh"' in p.read_bytes()}  # aliases: noindex
    pages = {BASE_URL + page_url_of(out, p) for p in html_pages(out) if p.name == "index.html" and p not in redirects}
    assert redirects  # the sample agreement keeps its first address
    assert set(locs) == pages
    assert f"{BASE_URL}/404.html" not in locs
    assert (out / "404.html").is_file()
    assert f"Sitemap: {BASE_URL}/sitemap.xml" in (out / "robots.txt").read_text()


def test_two_builds_in_other_folders_zones_and_locales_are_identical(out: Path, tmp_path: Path) -> None:
    other = tmp_path / "again"
    env = {**os.environ, "TZ": "America/Los_Angeles", "LC_ALL": "C", "LANG": "C", "PYTHONHASHSEED": "123"}
    result = subprocess.run(
        [sys.executable, "-m", "newshub", "--output", str(other), "--no-cache", "-q"], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    first, second = tree(out), tree(other)
    assert sorted(first) == sorted(second)
    assert [rel for rel in first if first[rel] != second[rel]] == []


# --- what the sample site says -------------------------------------------------------------------


def test_agreement_article_names_the_three_institutions_and_links_the_projects(out: Path) -> None:
    text = page_text(out / ARTICLE)
    for name in (
        "Shanghai 7th People's Hospital",
        "Suzhou University of Science and Technology",
        "University of Shanghai for Science and Technology",
    ):
        assert name in text
    hrefs = {ref for tag, _, ref in parse_page(out / ARTICLE).refs if tag == "a"}
    for project in PROJECTS:
        assert f"/projects/{project}/" in hrefs


def test_chinese_agreement_names_the_institutions(out: Path) -> None:
    text = page_text(out / "zh" / ARTICLE)
    for name in ("上海市第七人民医院", "苏州科技大学", "上海理工大学"):
        assert name in text
    hrefs = {ref for tag, _, ref in parse_page(out / "zh" / ARTICLE).refs if tag == "a"}
    assert {f"/zh/projects/{p}/" for p in PROJECTS} <= hrefs


def test_project_board_shows_three_active_projects(out: Path) -> None:
    source = (out / "projects" / "index.html").read_text(encoding="utf-8")
    section = source.split('aria-labelledby="status--active"', 1)[1].split("</section>", 1)[0]
    for project in PROJECTS:
        assert f'href="/projects/{project}/"' in section
    assert "status--" not in source.split('aria-labelledby="status--active"', 1)[0].split("<main", 1)[1]  # the only group
    text = page_text(out / "projects" / "index.html")
    assert "Intelligent acupoint-guiding robot" in text
    assert "Active 3" in text
    assert "since 18 November 2024" in text  # when the status took effect


@pytest.mark.parametrize("project", PROJECTS)
def test_each_project_lists_the_agreement_under_related_news(out: Path, project: str) -> None:
    source = (out / "projects" / project / "index.html").read_text(encoding="utf-8")
    related = source.split('aria-labelledby="project--news"', 1)[1].split("</section>", 1)[0]
    assert 'href="/news/hospital-universities-agreement/"' in related
    assert "Signed" in page_text(out / "projects" / project / "index.html")
    zh = (out / "zh" / "projects" / project / "index.html").read_text(encoding="utf-8")
    assert 'href="/zh/news/hospital-universities-agreement/"' in zh.split('aria-labelledby="project--news"', 1)[1]


# Each Markdown feature, the text that asks for it, and what it must give in the page. Python-Markdown
# runs an optional extension only for a body that holds its trigger (markdown.py), so every feature
# is tried alone, beside each other one and all together.
FEATURES = {
    "table": ("| a | b |\n|---|:-:|\n| 1 | 2 |", ['<td class="align-center">2</td>']),
    "footnote": ("Text with a note.[^1]\n\n[^1]: The note.", ['href="#fn:1"', '<li id="fn:1">']),
    "attrs": ("## Heading {: #custom .wide }\n\nA lead paragraph.\n{: .lead }", ['id="custom"', '<p class="lead">A lead paragraph.</p>']),
    "fence": ("```python\nprint(1)\n```", ['<pre><code class="language-python">print(1)']),
    "tilde": ("~~~\nplain code\n~~~", ["<pre><code>plain code"]),
    "lists": ("- one\n- two\n\n1. first\n2. second", ["<li>one</li>", "<li>first</li>"]),
    "chinese": ("这是一个\n段落。", ["这是一个段落。"]),
}


def test_every_markdown_feature_renders_alone_and_beside_the_others(make_site: MakeSite) -> None:
    combos = [(name,) for name in FEATURES] + list(itertools.combinations(FEATURES, 2)) + [tuple(FEATURES)]
    files = {
        f"content/news/2024-04-0{1 + i % 9}-combo-{i}.md": "---\ntitle: Combo\n---\n\n" + "\n\n".join(FEATURES[n][0] for n in combo)
        for i, combo in enumerate(combos)
    }
    root = make_site(files)
    build(Options(root=root, cache=False, jobs=1))
    for i, combo in enumerate(combos):
        page = (root / f"site/news/combo-{i}/index.html").read_text(encoding="utf-8")
        for name in combo:
            for marker in FEATURES[name][1]:
                assert marker in page, (combo, name, marker)
