"""The preview in a real browser: Chromium through Playwright against `newshub serve` in a subprocess,
with a strict Content-Security-Policy added to every page."""

from __future__ import annotations

import random
import time

import pytest
from playwright.sync_api import Browser, Page, Route

from .conftest import MINIMAL_CONFIG, REPO, MakeSite, article, start_files
from .preview_server import running

pytestmark = pytest.mark.browser

CSP = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'"
ARTICLE = "content/news/2024-05-01-hello.md"
GOOD = "---\ntitle: Hello\ndate: 2024-05-01\ntags: [health]\n---\n\nThe first sentence.\n"


def with_csp(route: Route) -> None:
    if route.request.resource_type != "document":
        route.continue_()
        return
    response = route.fetch()
    route.fulfill(response=response, headers={**response.headers, "content-security-policy": CSP})


def open_page(browser: Browser) -> tuple[Page, list[str]]:
    page = browser.new_page()
    page.set_default_timeout(15_000)
    page.route("**/*", with_csp)
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    return page, violations


def test_edit_break_fix_delete_in_the_browser(make_site: MakeSite, browser: Browser) -> None:
    root = make_site({ARTICLE: GOOD, "content/news/2024-04-01-plan.md": "---\ntitle: Plan\ndate: 2024-04-01\ndraft: true\n---\n\nDraft.\n"})
    with running(root, "--no-cache") as server:
        page, violations = open_page(browser)
        response = page.goto(server.url + "/news/hello/")
        assert response is not None and response.status == 200
        page.get_by_text("The first sentence.").wait_for()

        # Drafts are shown, with their badge.
        page.goto(server.url + "/news/plan/")
        assert page.locator(".badge.draft").first.is_visible()
        page.goto(server.url + "/news/hello/")

        # An edit on disk updates the open page: swapped in from the reload event, with no new
        # document and no request for the page.
        page.evaluate("window.keptAcrossTheSwap = true")
        requested: list[str] = []  # the page, asked for again as a document or by fetch()
        page.on("request", lambda request: requested.append(request.url) if request.resource_type in ("document", "fetch") else None)
        (root / ARTICLE).write_text(GOOD.replace("The first sentence.", "A sentence written later."), encoding="utf-8")
        page.get_by_text("A sentence written later.").wait_for()
        assert page.evaluate("window.keptAcrossTheSwap") is True
        assert requested == []

        # Broken YAML: the last good page stays, under an overlay naming the file and line.
        (root / ARTICLE).write_text("---\ntitle: Hello\ndate: [2024-05-01\n---\n\nBroken.\n", encoding="utf-8")
        overlay = page.locator("#newshub-overlay")
        overlay.wait_for()
        assert f"{ARTICLE}:3:" in overlay.inner_text() or f"{ARTICLE}:4:" in overlay.inner_text()
        assert page.get_by_text("A sentence written later.").is_visible()

        # Fixed: the overlay goes and the new text shows.
        (root / ARTICLE).write_text(GOOD.replace("The first sentence.", "Fixed and saved."), encoding="utf-8")
        page.get_by_text("Fixed and saved.").wait_for()
        overlay.wait_for(state="detached")

        # A stylesheet change gives it a new hashed URL: a full reload.
        css = root / "assets/css/site.css"
        with page.expect_navigation():
            css.write_text(css.read_text(encoding="utf-8") + "\n.prose { color: #111; }\n", encoding="utf-8")
        page.get_by_text("Fixed and saved.").wait_for()

        # Deleted: the open page turns into the 404 page; the news list no longer links it.
        (root / ARTICLE).unlink()
        page.get_by_text("Fixed and saved.").wait_for(state="detached")
        response = page.goto(server.url + "/news/hello/")
        assert response is not None and response.status == 404
        page.goto(server.url + "/news/")
        assert page.locator('a[href="/news/hello/"]').count() == 0
        assert page.locator('a[href="/news/plan/"]').count() == 1
        assert violations == []
        page.close()
        _, err = server.output()
    assert "Traceback" not in err
    assert err.count(f"error: {ARTICLE}:") == 1  # the terminal shows the error once


def test_a_page_of_a_template_saved_with_a_byte_order_mark_is_swapped_whole(make_site: MakeSite, browser: Browser) -> None:
    # Jinja keeps a template's BOM, so the page starts with U+FEFF; parsed as it is, the head
    # would fall into the body (no title, stylesheets judged changed: a reload on every save).
    root = make_site({ARTICLE: GOOD})
    base = root / "templates/base.html"
    base.write_bytes(b"\xef\xbb\xbf" + base.read_bytes())
    with running(root, "--no-cache") as server:
        page, _ = open_page(browser)
        page.goto(server.url + "/news/hello/")
        title = page.title()
        page.evaluate("window.keptAcrossTheSwap = true")
        (root / ARTICLE).write_text(GOOD.replace("The first sentence.", "Saved again."), encoding="utf-8")
        page.get_by_text("Saved again.").wait_for()
        assert page.evaluate("window.keptAcrossTheSwap") is True and page.title() == title != ""
        page.close()


def test_a_cold_start_shows_whole_pages_while_bodies_are_parsed(make_site: MakeSite, browser: Browser) -> None:
    # Enough articles that, with no cache, only front matter is read before serving: the open page
    # must still show its body, take an edit made during the background parse, and not be
    # reloaded by the end of that parse.
    rng = random.Random(31)
    files: dict[str, str | bytes] = dict(start_files(rng))
    files.update({f"content/news/2024-04-{i % 28 + 1:02d}-bulk-{i}.md": article(rng, draft_ok=False) for i in range(3000)})
    files[ARTICLE] = GOOD
    root = make_site(files)
    with running(root, timeout=120) as server:
        page, violations = open_page(browser)
        response = page.goto(server.url + "/news/hello/")
        assert response is not None and response.status == 200
        page.get_by_text("The first sentence.").wait_for()
        (root / ARTICLE).write_text(GOOD.replace("The first sentence.", "Saved during the parse."), encoding="utf-8")
        page.get_by_text("Saved during the parse.").wait_for()
        page.evaluate("document.body.dataset.mark = 'kept'")  # gone if the page is loaded or swapped again
        status, _, _ = server.get("/tags/")  # a page showing every article, served meanwhile
        assert status == 200
        deadline = time.monotonic() + 60
        while not (root / ".newshub-cache/parse.msgpack").exists():  # saved once the background parse is in
            assert time.monotonic() < deadline, "the background parse did not end"
            page.wait_for_timeout(50)
        page.wait_for_timeout(500)
        assert page.evaluate("document.body.dataset.mark") == "kept"
        assert page.get_by_text("Saved during the parse.").is_visible()
        assert violations == []
        page.close()
        _, err = server.output()
    assert "articles in the background" in err and "Traceback" not in err


def test_real_content_as_a_reader_sees_it(make_site: MakeSite, browser: Browser) -> None:
    # tests/sites/realworld in Chromium: wrapped Chinese without a space, a partner named only in
    # Chinese on an English page, a dotted article reached by its link, a summary after a picture.
    content = REPO / "tests/sites/realworld/content"
    root = make_site({p.relative_to(content.parent).as_posix(): p.read_bytes() for p in content.rglob("*") if p.is_file()})
    with running(root, "--no-cache") as server:
        page, violations = open_page(browser)
        page.goto(server.url + "/zh/news/digital-medicine/")
        assert page.locator(".prose p").first.inner_text() == "医院与两所高校在数字智能医学方面开展合作。"
        page.goto(server.url + "/partners/device-maker/")
        assert page.locator("h1").inner_text() == "浦东某医疗器械公司"
        page.goto(server.url + "/news/")
        assert "Three partners signed the agreement in Shanghai." in page.locator("main").inner_text()
        page.get_by_role("link", name="newshub 2.1.1 released").first.click()
        page.wait_for_url(server.url + "/news/newshub-2.1.1-released/")
        assert page.locator("h1").inner_text() == "newshub 2.1.1 released"
        assert violations == []


def test_a_warning_is_a_dismissible_panel_and_an_error_the_overlay(make_site: MakeSite, browser: Browser) -> None:
    config = MINIMAL_CONFIG
    dead = GOOD + "\nWrite to [us](/contact/).\n"
    root = make_site({"content/site.yaml": config + "dead_links: warning\n", ARTICLE: dead})
    with running(root, "--no-cache") as server:
        page, violations = open_page(browser)
        page.goto(server.url + "/news/hello/")
        panel = page.locator("#newshub-warnings")
        panel.wait_for()
        assert f"{ARTICLE}:9: dead link '/contact/'" in panel.inner_text()
        assert page.locator("#newshub-overlay").count() == 0
        page.get_by_text("The first sentence.").click()  # the page underneath is still there to use
        page.locator("#newshub-warnings .newshub-dismiss").click()
        assert panel.count() == 0
        page.reload()
        page.get_by_text("The first sentence.").wait_for()
        assert panel.count() == 0  # dismissed for this tab, while the warnings are the same

        # Another warning: the panel is back, on the page swapped in by the live reload.
        (root / ARTICLE).write_text(dead + "\nAnd [them](/partners/nobody/).\n", encoding="utf-8")
        panel.wait_for()
        assert "/partners/nobody/" in panel.inner_text()

        # Dead links as errors: the overlay, with the same text.
        (root / "content/site.yaml").write_text(config, encoding="utf-8")
        overlay = page.locator("#newshub-overlay")
        overlay.wait_for()
        assert f"{ARTICLE}:9: dead link '/contact/'" in overlay.inner_text()
        assert violations == []
