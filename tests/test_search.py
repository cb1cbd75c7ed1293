"""Search in both languages: the sample site built, served by a real HTTP server with the shipped
Content-Security-Policy (deploy/_headers), and searched in Chromium as a reader would; the preview's
index, drafts included; the index byte for byte the same in two builds."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, Route

from newshub.pipeline import Options, build

from .conftest import MINIMAL_CONFIG, REPO, MakeSite, run_cli, tree
from .hardening.deployed import headers_file, static_server
from .preview_server import running

CSP = headers_file()["/*"]["Content-Security-Policy"]
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""
RESULTS = "#search--results li"
ARTICLE = "/news/hospital-universities-agreement/"


class Reader:
    """A browser tab that notes every console error and every CSP violation."""

    def __init__(self, browser: Browser) -> None:
        self.page: Page = browser.new_page()
        self.page.set_default_timeout(15_000)
        self.console: list[str] = []
        self.page.on("console", lambda msg: self.console.append(msg.text) if msg.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda error: self.console.append(str(error)))
        self.page.add_init_script(LISTEN)

    def search(self, url: str) -> list[dict[str, str]]:
        """Open a search page and wait for its results: each one's link, title, meta line, excerpt."""
        self.page.goto(url)
        self.page.locator(RESULTS).first.wait_for()
        return self.results()

    def results(self) -> list[dict[str, str]]:
        return self.page.eval_on_selector_all(
            RESULTS,
            """items => items.map(li => ({
                href: li.querySelector('h2 a').getAttribute('href'), title: li.querySelector('h2 a').textContent,
                meta: li.querySelector('.meta').textContent, excerpt: li.querySelector('p:last-child').innerHTML,
            }))""",
        )

    def clean(self) -> None:
        """Nothing blocked by the Content-Security-Policy, nothing else wrong in the console."""
        self.page.wait_for_timeout(50)  # violation events are queued as tasks
        assert self.page.evaluate("window.__csp") == []
        assert self.console == []


@pytest.fixture
def reader(browser: Browser) -> Iterator[Reader]:
    tab = Reader(browser)
    yield tab
    tab.page.close()


def test_chinese_breast_cancer_finds_the_project_or_its_news_first(port: int, reader: Reader) -> None:
    results = reader.search(f"http://127.0.0.1:{port}/zh/search/?q={quote('乳腺癌')}")
    assert results[0]["href"] in ("/zh/projects/breast-cancer-forecast/", "/zh/news/hospital-universities-agreement/")
    assert "乳腺癌" in results[0]["title"] + results[0]["excerpt"]
    assert all(r["href"].startswith("/zh/") for r in results)  # the Chinese index only
    assert reader.page.locator("#search--q").input_value() == "乳腺癌"
    assert reader.page.locator("#search--status").inner_text().startswith(f"找到 {len(results)} 条")
    reader.clean()


def test_chinese_robot_finds_the_robot_project(port: int, reader: Reader) -> None:
    results = reader.search(f"http://127.0.0.1:{port}/zh/search/?q={quote('机器人')}")
    assert results[0]["href"] == "/zh/projects/acupoint-robot/"
    assert results[0]["title"] == "智能穴位导引机器人"
    assert results[0]["meta"] == "合作项目"
    assert "<mark>机器人</mark>" in results[0]["excerpt"]
    reader.clean()


def test_english_forecasts_finds_the_forecast_project(port: int, reader: Reader) -> None:
    results = reader.search(f"http://127.0.0.1:{port}/search/?q=forecasts")
    assert results[0]["href"] == "/projects/breast-cancer-forecast/"
    assert results[0]["title"] == "AI forecast models for breast-cancer health management"
    assert results[0]["meta"] == "Project"
    assert "<mark>" in results[0]["excerpt"]
    assert all(not r["href"].startswith("/zh/") for r in results)
    reader.clean()


def test_a_result_shows_title_type_date_and_the_match(port: int, reader: Reader) -> None:
    results = reader.search(f"http://127.0.0.1:{port}/search/?q=agreement")
    news = [r for r in results if r["href"] == ARTICLE]
    assert news, results
    assert news[0]["title"].startswith("Shanghai 7th People's Hospital and two universities agree")
    assert news[0]["title"].endswith("medicine")  # the headline alone: not the meta line or the topics
    assert news[0]["meta"] == "News · 2 April 2024"
    assert re.search(r"<mark>agreement</mark>", news[0]["excerpt"], re.I)
    assert {r["meta"].split(" · ")[0] for r in results} <= {"News", "Project", "Partner", "Page"}
    zh = reader.search(f"http://127.0.0.1:{port}/zh/search/?q={quote('签约')}")
    assert [r["meta"] for r in zh if r["href"] == "/zh" + ARTICLE] == ["新闻 · 2024年4月2日"]
    reader.clean()


def test_the_keyboard_alone_searches_and_opens_a_result(port: int, reader: Reader) -> None:
    page = reader.page
    page.goto(f"http://127.0.0.1:{port}{ARTICLE}")
    assert page.locator("#site-search--q").get_attribute("name") == "q"
    assert page.locator("label[for='site-search--q']").inner_text() == "Search this site"
    for _ in range(30):  # Tab through the header to the search box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "site-search--q":
            break
    else:
        pytest.fail("Tab never reached the search box")
    page.keyboard.type("forecasts")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"http://127.0.0.1:{port}/search/?q=forecasts"
    page.locator(RESULTS).first.wait_for()
    first = page.locator(f"{RESULTS} a").first.get_attribute("href")
    for _ in range(30):  # on to the first result
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('#search--results') !== null"):
            break
    else:
        pytest.fail("Tab never reached a result")
    assert page.evaluate("document.activeElement.getAttribute('href')") == first
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"http://127.0.0.1:{port}{first}"
    assert page.locator("h1").inner_text() == "AI forecast models for breast-cancer health management"
    reader.clean()


def test_typing_on_the_search_page_searches_and_keeps_the_query_in_the_url(port: int, reader: Reader) -> None:
    page = reader.page
    page.goto(f"http://127.0.0.1:{port}/zh/search/")
    assert page.locator("#search--status").inner_text() == "输入关键词后按回车键。"
    page.locator("#search--q").fill("机器人")
    page.locator(RESULTS).first.wait_for()
    assert page.url.endswith("/zh/search/?q=" + quote("机器人"))
    page.locator("#search--q").fill("xyzzy")
    page.get_by_text("没有找到与“xyzzy”相关的结果。").wait_for()
    assert page.locator(RESULTS).count() == 0
    reader.clean()


def test_without_javascript_the_search_page_points_to_the_news(browser: Browser, port: int) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"http://127.0.0.1:{port}{ARTICLE}")
    page.locator("#site-search--q").fill("forecasts")
    with page.expect_navigation():
        page.locator("#site-search--q").press("Enter")  # a plain form: it goes to the search page
    assert page.url == f"http://127.0.0.1:{port}/search/?q=forecasts"
    link = page.get_by_role("link", name="Browse all news")
    assert link.is_visible()
    assert link.get_attribute("href") == "/news/"
    context.close()


def test_only_the_search_page_loads_search_and_an_article_stays_light(site: Path) -> None:
    # Everything an article page loads but images: its HTML, stylesheet and scripts.
    page = (site / ARTICLE.strip("/") / "index.html").read_text(encoding="utf-8")
    loaded = re.findall(r'<(?:link rel="stylesheet"|script)[^>]* (?:href|src)="([^"]+)"', page)
    assert not [url for url in loaded if url.endswith(".js")]
    weight = len(page.encode()) + sum((site / url.lstrip("/")).stat().st_size for url in loaded)
    assert weight <= 20_000, weight
    assert 'rel="icon" href="/assets/favicon.' in page and 'type="image/svg+xml"' in page
    for search in ("search/index.html", "zh/search/index.html"):
        assert re.search(r'<script type="module" src="/assets/js/search\.[0-9a-f]{10}\.js"></script>', (site / search).read_text())
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert not list((site / "pagefind").glob("pagefind-ui*"))  # Pagefind's own interface is not used


def test_the_index_holds_articles_projects_partners_and_pages_in_each_language(site: Path) -> None:
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_bytes())
    # 1 article, 1 page, 3 projects, 4 partners per language; no lists, tags, feeds or 404.
    assert {lang: found["page_count"] for lang, found in entry["languages"].items()} == {"en": 9, "zh": 9}
    assert list(entry["languages"]) == ["en", "zh"]


def test_two_builds_are_byte_identical_search_index_included(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    build(Options(root=REPO, output=first, cache=False, jobs=1))
    build(Options(root=REPO, output=second, cache=False, jobs=2))
    files = tree(first)
    assert sum(name.startswith("pagefind/") for name in files) > 10
    assert files == tree(second)


def test_a_site_under_a_path_finds_its_pages_there(make_site: MakeSite, browser: Browser, tmp_path: Path) -> None:
    # https://hub.example.org/hub/: pagefind.js takes the base path from where it is served.
    root = make_site(
        {
            "content/site.yaml": MINIMAL_CONFIG.replace("https://hub.example.org", "https://hub.example.org/hub"),
            "content/news/2024-04-01-hello.md": "---\ntitle: Hello\ndate: 2024-04-01\n---\n\nThe ibis count.\n",
        }
    )
    served = tmp_path / "served"
    build(Options(root=root, output=served / "hub", cache=False, jobs=1))
    with static_server(served) as number:
        tab = Reader(browser)
        results = tab.search(f"http://127.0.0.1:{number}/hub/search/?q=ibis")
        assert [r["href"] for r in results] == ["/hub/news/hello/"]
        tab.clean()
        tab.page.close()


def test_a_search_index_that_cannot_be_made_stops_the_build_and_leaves_the_site(make_site: MakeSite) -> None:
    root = make_site({"content/news/2024-04-01-hello.md": "---\ntitle: Hello\ndate: 2024-04-01\n---\n\nText.\n"})
    assert run_cli(root, "build").returncode == 0
    before = tree(root / "site")
    (root / "content/news/2024-04-01-hello.md").write_text("---\ntitle: Hello\ndate: 2024-04-01\n---\n\nMore.\n", encoding="utf-8")
    result = run_cli(root, "build", env={**os.environ, "PAGEFIND_BINARY_PATH": "/bin/false"})  # a Pagefind that stops at once
    assert result.returncode == 1
    assert "pagefind: search index: Pagefind stopped" in result.stderr and "Traceback" not in result.stderr
    assert tree(root / "site") == before


def test_the_preview_finds_a_draft_and_forgets_the_index_after_a_change(make_site: MakeSite, browser: Browser) -> None:
    draft = "content/news/2024-05-01-plan.md"
    root = make_site(
        {
            "content/news/2024-04-01-hello.md": "---\ntitle: Hello\ndate: 2024-04-01\n---\n\nA published sentence.\n",
            draft: "---\ntitle: The plan\ndate: 2024-05-01\ndraft: true\n---\n\nThe zebrafinch survey starts in June.\n",
        }
    )
    with running(root, "--no-cache") as server:
        tab = Reader(browser)
        tab.page.route("**/*", _with_csp)
        results = tab.search(f"{server.url}/search/?q=zebrafinch")
        assert [(r["href"], r["title"], r["meta"]) for r in results] == [("/news/plan/", "The plan", "News · 1 May 2024")]
        (root / draft).write_text(
            "---\ntitle: The plan\ndate: 2024-05-01\ndraft: true\n---\n\nThe kingfisher survey starts in June.\n", encoding="utf-8"
        )
        deadline = 50
        while server.get("/news/plan/")[2].find(b"kingfisher") < 0 and deadline:  # the change is seen
            tab.page.wait_for_timeout(100)
            deadline -= 1
        assert [r["href"] for r in tab.search(f"{server.url}/search/?q=kingfisher")] == ["/news/plan/"]
        tab.page.goto(f"{server.url}/search/?q=zebrafinch")
        tab.page.get_by_text("No results for “zebrafinch”.").wait_for()
        tab.clean()
        tab.page.close()
        _, err = server.output()
    assert "Traceback" not in err and "error:" not in err


def _with_csp(route: Route) -> None:
    """The shipped policy on the preview's pages, as a host would send it."""
    if route.request.resource_type != "document":
        route.continue_()
        return
    response = route.fetch()
    route.fulfill(response=response, headers={**response.headers, "content-security-policy": CSP})


def test_a_site_can_go_without_search_in_the_build_and_the_preview(make_site: MakeSite) -> None:
    """`search: false` in site.yaml: no search page, no index, no link to either, and no Pagefind
    needed (a Pagefind that fails at once would stop a build that runs it)."""
    root = make_site(
        {
            "content/site.yaml": MINIMAL_CONFIG + "search: false\n",
            "content/news/2024-04-01-hello.md": "---\ntitle: Hello\ndate: 2024-04-01\n---\n\nText.\n",
            "content/news/2024-04-01-hello.zh.md": "---\ntitle: 你好\ndate: 2024-04-01\n---\n\n正文。\n",
        }
    )
    (root / "templates/search.html").unlink()  # a theme for a site without search needs none
    result = run_cli(root, "build", env={**os.environ, "PAGEFIND_BINARY_PATH": "/bin/false"})
    assert result.returncode == 0, result.stderr
    files = tree(root / "site")
    assert "news/hello/index.html" in files and "zh/news/hello/index.html" in files
    assert not [f for f in files if f.startswith(("pagefind/", "search/", "zh/search/"))]
    for name, data in files.items():
        if name.endswith(".html"):
            assert b"/search/" not in data and b'role="search"' not in data, name
    with running(root) as server:
        assert server.get("/news/hello/")[0] == 200
        assert server.get("/search/")[0] == 404
        assert server.get("/pagefind/pagefind.js")[0] == 404
        _, err = server.output()
    assert "Traceback" not in err and "error:" not in err


def test_search_takes_true_or_false(make_site: MakeSite) -> None:
    root = make_site({"content/site.yaml": MINIMAL_CONFIG + "search: off-for-now\n"})
    result = run_cli(root, "build")
    assert result.returncode == 1
    assert "content/site.yaml:8: search: write true or false, not 'off-for-now'" in result.stderr, result.stderr
