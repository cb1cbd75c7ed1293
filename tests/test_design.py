"""The theme as readers see it, in Chromium: the sample site built, served by a real HTTP server with
the shipped Content-Security-Policy (deploy/_headers), at a phone's width (390 px) and a laptop's
(1280 px), in English and Chinese, light and dark. axe-core finds nothing on any page type, the
header stays compact, focus rings stand out from what they sit on, heading anchors are not read as
part of their heading, and a screenshot of every page type is kept for people to look at
($NEWSHUB_SCREENSHOTS, else tests/.artifacts/screenshots/)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from .conftest import REPO

AXE = REPO / "tests" / "node_modules" / "axe-core" / "axe.min.js"
ARTICLE = "news/hospital-universities-agreement/"
# Every page type: home, news list, article, board, project, partner, topics, search (with results), 404.
PAGES = {
    "home": "",
    "news": "news/",
    "article": ARTICLE,
    "board": "projects/",
    "project": "projects/breast-cancer-forecast/",
    "partner": "partners/suzhou-univ-sci-tech/",
    "tags": "tags/",
    "search": "search/?q={q}",
    "404": "404.html",
}
QUERY = {"en": "robot", "zh": "机器人"}
LANGS = {"en": "", "zh": "zh/"}
SCHEMES = ("light", "dark")
PHONE, LAPTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 800}


def screenshots() -> Path:
    folder = Path(os.environ.get("NEWSHUB_SCREENSHOTS") or REPO / "tests" / ".artifacts" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def tab(browser: Browser, viewport: dict[str, int], scheme: str) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport=viewport, color_scheme=scheme)  # type: ignore[arg-type]
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def open_page(page: Page, port: int, lang: str, name: str) -> None:
    page.goto(f"http://127.0.0.1:{port}/{LANGS[lang]}{PAGES[name].format(q=QUERY[lang])}")
    if name == "search":
        page.locator("#search--results li").first.wait_for()


# --- axe-core: no violation on any page type, language or colour scheme ---------------------------------


def axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's default rules (WCAG 2 A and AA, best practices) on the page as it is."""
    if not AXE.is_file():  # as the HTML validator without Java: .ci/run installs it (npm ci --prefix tests)
        pytest.skip(f"axe-core is not installed: run `npm ci --prefix tests` (looked for {AXE})")
    page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated by the browser's debugger: the page's CSP does not apply
    result: dict[str, Any] = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5], "help": v["help"]}
        for v in result["violations"]
    ]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("lang", LANGS)
def test_axe_finds_no_violation_on_any_page_type(browser: Browser, port: int, lang: str, scheme: str) -> None:
    context, page = tab(browser, PHONE if scheme == "dark" else LAPTOP, scheme)
    found = {}
    for name in PAGES:
        open_page(page, port, lang, name)
        violations = axe(page)
        if violations:
            found[name] = violations
    context.close()
    assert found == {}


def test_axe_would_notice_a_violation(browser: Browser, port: int) -> None:
    """The check above can fail: a low-contrast paragraph and an unnamed link are reported."""
    context, page = tab(browser, LAPTOP, "light")
    open_page(page, port, "en", "article")
    page.evaluate(
        """() => {
        const p = document.querySelector('.prose p');
        p.style.color = '#bbb';
        const a = document.createElement('a'); a.href = '/'; p.append(a);
    }"""
    )
    assert {v["id"] for v in axe(page)} >= {"color-contrast", "link-name"}
    context.close()


# --- the header: two rows on a phone, one at 1280 px --------------------------------------------------

ROWS = """() => {
    const header = document.querySelector('.site-header');
    const boxes = [...header.querySelectorAll('.header-row > *')].map(e => e.getBoundingClientRect()).filter(r => r.height > 0);
    const tops = [];
    for (const r of boxes) if (!tops.some(t => Math.abs(t - r.top) < r.height / 2)) tops.push(r.top);
    const line = parseFloat(getComputedStyle(document.body).fontSize) * 1.6;
    return {rows: tops.length, height: header.getBoundingClientRect().height, line,
            overflow: document.documentElement.scrollWidth > innerWidth};
}"""


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", ["home", "article", "search"])
def test_the_header_is_two_rows_on_a_phone_and_one_on_a_laptop(browser: Browser, port: int, lang: str, name: str) -> None:
    for viewport, rows in ((PHONE, 2), (LAPTOP, 1)):
        context, page = tab(browser, viewport, "light")
        open_page(page, port, lang, name)
        header = page.evaluate(ROWS)
        context.close()
        assert header["rows"] <= rows, (viewport, header)
        # A row is a tap target (44 px) or a line of text; the name and its tagline stand in one row.
        assert header["height"] <= rows * 52 + 12, (viewport, header)
        assert not header["overflow"], (viewport, header)


def test_a_phone_reaches_search_from_the_header(browser: Browser, port: int) -> None:
    context, page = tab(browser, PHONE, "light")
    open_page(page, port, "zh", "article")
    assert not page.locator("#site-search--q").is_visible()  # no room for the box: a link to the search page
    link = page.get_by_role("link", name="搜索", exact=True)
    assert link.is_visible() and link.get_attribute("href") == "/zh/search/"
    context.close()


# --- focus: the ring is 3:1 or better against what it sits on -------------------------------------------

FOCUS = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    let node = el.parentElement, background = 'rgba(0, 0, 0, 0)';
    for (; node; node = node.parentElement) {  // the ring is drawn outside the element: on its parent's background
        const b = getComputedStyle(node).backgroundColor;
        if (!/^rgba\\(.*, 0\\)$/.test(b) && b !== 'transparent') { background = b; break; }
    }
    if (!node) background = getComputedStyle(document.documentElement).backgroundColor;
    return {what: el.outerHTML.slice(0, 80), style: style.outlineStyle, width: parseFloat(style.outlineWidth),
            ring: style.outlineColor, background};
}"""


def luminance(css: str) -> float:
    r, g, b = (int(float(x)) for x in css[css.index("(") + 1 : css.index(")")].split(",")[:3])

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_is_computed_as_wcag_does() -> None:
    assert round(contrast("rgb(255, 255, 255)", "rgb(0, 0, 0)"), 1) == 21.0
    assert contrast("rgb(242, 169, 0)", "rgb(255, 255, 255)") < 3  # the old ring: 2.0:1 on white


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", ["home", "article", "board"])
def test_every_focus_ring_stands_out_from_its_background(browser: Browser, port: int, name: str, scheme: str) -> None:
    context, page = tab(browser, LAPTOP, scheme)
    open_page(page, port, "en", name)
    seen, weak = 0, []
    for _ in range(60):  # the keyboard's path through the page: header, body, cards, footer
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS)
        if ring["what"].startswith("<body"):
            break
        seen += 1
        ratio = contrast(ring["ring"], ring["background"])
        if ring["style"] == "none" or ring["width"] < 2 or ratio < 3:
            weak.append((round(ratio, 2), ring))
    context.close()
    assert seen >= 10
    assert weak == []


# --- heading anchors --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_a_heading_is_named_by_its_text_and_its_anchor_by_the_catalog(browser: Browser, port: int, lang: str) -> None:
    context, page = tab(browser, LAPTOP, "light")
    open_page(page, port, lang, "article")
    heading = page.locator(".prose h2").first
    text = heading.inner_text()
    assert "#" not in text
    assert page.get_by_role("heading", level=2, name=text, exact=True).count() == 1  # the accessible name is the text
    snapshot = page.locator(".prose").aria_snapshot()
    assert f'heading "{text}" [level=2]' in snapshot
    assert not re.search(r'heading "[^"\n]*#|text: "?#"?$|link "#"', snapshot, re.M)  # no "#" read anywhere
    label = {"en": "Link to this section", "zh": "链接到本节"}[lang]
    anchor = page.get_by_role("link", name=label).first
    assert unquote(anchor.get_attribute("href") or "") == "#" + (heading.get_attribute("id") or "")
    assert anchor.is_visible()
    context.close()


# --- the rest of the design brief -------------------------------------------------------------------


def test_the_topics_index_is_not_marked_as_the_news(browser: Browser, port: int) -> None:
    context, page = tab(browser, LAPTOP, "light")
    open_page(page, port, "en", "tags")
    assert page.locator(".main-nav [aria-current]").count() == 0
    assert page.locator(".site-footer a[aria-current='page']").inner_text() == "Topics"
    open_page(page, port, "en", "article")
    assert page.locator(".main-nav [aria-current='page']").inner_text() == "News"
    context.close()


def test_the_home_page_leads_with_the_latest_story_not_the_site_name(browser: Browser, port: int) -> None:
    context, page = tab(browser, LAPTOP, "light")
    open_page(page, port, "en", "home")
    assert "Research Partnerships" not in page.locator("h1").inner_text()
    lead = page.locator(".lead-story h3 a")
    assert lead.get_attribute("href") == "/" + ARTICLE
    assert page.locator("#home--status ~ .cards .card").count() == 3  # the board's cards
    context.close()


def test_the_article_is_centred_at_1280_px(browser: Browser, port: int) -> None:
    context, page = tab(browser, LAPTOP, "light")
    open_page(page, port, "en", "article")
    box = page.locator(".prose").bounding_box()
    assert box is not None
    left, right = box["x"], LAPTOP["width"] - box["x"] - box["width"]
    assert right < 2 * left + 300, (left, right)  # not a column on the left and a blank right third
    context.close()


def test_chinese_headings_are_not_spaced_like_body_text(browser: Browser, port: int) -> None:
    context, page = tab(browser, LAPTOP, "light")
    open_page(page, port, "zh", "article")
    h1, body, synth = page.evaluate(
        """() => {
            const ratio = e => parseFloat(getComputedStyle(e).lineHeight) / parseFloat(getComputedStyle(e).fontSize);
            const h1 = document.querySelector('h1');
            return [ratio(h1), ratio(document.querySelector('.prose p')), getComputedStyle(h1).fontSynthesisWeight];
        }"""
    )
    assert h1 < 1.6 <= body
    assert synth == "none"
    context.close()


def test_print_drops_the_chrome_and_shows_external_addresses(browser: Browser, port: int) -> None:
    context, page = tab(browser, LAPTOP, "dark")
    open_page(page, port, "en", "article")
    page.evaluate(
        """() => { const a = document.createElement('a'); a.href = 'https://example.org/report'; a.textContent = 'the report';
                   document.querySelector('.prose p').append(' See ', a, '.'); }"""
    )  # the sample site links no other site
    page.emulate_media(media="print")
    shown = page.evaluate(
        """() => Object.fromEntries(['.main-nav', '.site-search', '.site-footer', '.lang-nav', '.toc'].map(s =>
            [s, getComputedStyle(document.querySelector(s)).display]))"""
    )
    assert set(shown.values()) == {"none"}, shown
    brand = page.evaluate("getComputedStyle(document.querySelector('.brand')).color")
    assert contrast(brand, "rgb(255, 255, 255)") >= 7  # the site's name dark on paper
    after = page.evaluate("""getComputedStyle(document.querySelector('.prose a[href^="https:"]'), '::after').content""")
    assert "attr(href)" in after or "https://example.org/report" in after, after
    internal = page.evaluate("""getComputedStyle(document.querySelector('.prose a[href^="/"]'), '::after').content""")
    assert internal in ("none", "normal"), internal  # the site's own links: no address of this host on paper
    assert page.evaluate("getComputedStyle(document.querySelector('.prose p')).color") == "rgb(0, 0, 0)"
    context.close()


# --- screenshots, for people ---------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", SCHEMES)
def test_screenshots_of_every_page_type(browser: Browser, port: int, scheme: str) -> None:
    folder = screenshots()
    written = []
    for viewport in (PHONE, LAPTOP):
        context, page = tab(browser, viewport, scheme)
        for lang in LANGS:
            for name in PAGES:
                open_page(page, port, lang, name)
                path = folder / f"{name}-{lang}-{viewport['width']}-{scheme}.png"
                page.screenshot(path=str(path), full_page=True)
                written.append(path)
        context.close()
    assert len(written) == 2 * len(LANGS) * len(PAGES)
    assert all(path.stat().st_size > 5_000 for path in written)
