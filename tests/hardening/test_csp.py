"""7. A strict Content-Security-Policy: shipped in deploy/, honoured by every built page.

The browser test serves the built sample site with the headers of deploy/_headers (through a tiny
Python server, so it runs without nginx) and asserts Chromium reports no violation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import REPO

from .deployed import headers_file, static_server

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CHROMIUM_ARGS += ["--disable-component-update", "--disable-sync", "--no-first-run"]
POLICY = {
    "default-src": "'self'", "script-src": "'self' 'wasm-unsafe-eval'", "style-src": "'self'", "img-src": "'self' https: data:",
    "frame-src": "'none'", "object-src": "'none'", "base-uri": "'self'", "form-action": "'self'", "frame-ancestors": "'none'",
}  # fmt: skip


def _directives(csp: str) -> dict[str, str]:
    return {part.split(None, 1)[0]: part.split(None, 1)[1] for part in (p.strip() for p in csp.split(";")) if part}


def test_headers_file_is_strict() -> None:
    rules = headers_file()
    every = rules["/*"]
    directives = _directives(every["Content-Security-Policy"])
    assert {k: directives[k] for k in POLICY} == POLICY
    assert every["X-Content-Type-Options"] == "nosniff"
    assert every["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert rules["/assets/*"] == rules["/images/*"] == {"Cache-Control": "public, max-age=31536000, immutable"}


def test_nginx_snippet_has_the_same_policy() -> None:
    conf = (REPO / "deploy" / "nginx.conf").read_text()
    [csp] = re.findall(r'set \$newshub_csp "([^"]+)";', conf)
    assert csp == headers_file()["/*"]["Content-Security-Policy"]
    # every location repeats it (nginx drops inherited add_header lines): pages, assets, calendars
    assert conf.count("add_header Content-Security-Policy $newshub_csp always;") == len(re.findall(r"^location ", conf, re.M)) == 3


class _Inline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and "src" not in found and found.get("type") != "application/ld+json":
            self.problems.append(f"inline <script> {found}")
        if tag == "style":
            self.problems.append("<style>")
        if "style" in found:
            self.problems.append(f"style= on <{tag}>")
        self.problems.extend(f"{name}= on <{tag}>" for name in found if name.startswith("on"))


def test_no_inline_script_or_style_in_any_built_page(sample_site: Path) -> None:
    pages = sorted(sample_site.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        parser = _Inline()
        parser.feed(page.read_text())
        assert parser.problems == [], page


# --- the browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(headless=True, executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""
PAGES = [
    "/", "/news/", "/news/hospital-universities-agreement/", "/zh/news/hospital-universities-agreement/", "/projects/",
    "/projects/ai-tcm-research/", "/partners/", "/partners/shanghai-7th-hospital/", "/tags/", "/about/", "/zh/", "/404.html",
]  # fmt: skip


@pytest.mark.browser
def test_pages_run_under_the_shipped_csp(sample_site: Path, browser: object) -> None:
    with static_server(sample_site) as port:
        page = browser.new_page()  # type: ignore[attr-defined]
        page.set_default_timeout(15_000)
        console: list[str] = []
        page.on("console", lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None)
        page.add_init_script(LISTEN)
        for path in PAGES:
            response = page.goto(f"http://127.0.0.1:{port}{path}", wait_until="load")
            assert response is not None and response.status == 200, path
            assert "script-src 'self' 'wasm-unsafe-eval'" in response.headers["content-security-policy"]
            page.wait_for_timeout(50)  # violation events are queued as tasks
            assert page.evaluate("window.__csp") == [], path
            # The stylesheet applied: the header has the theme's colour, the body no default margin.
            header = page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor")
            assert header == "rgb(11, 79, 124)", path
            assert page.evaluate("getComputedStyle(document.body).marginTop") == "0px", path
        assert console == []
        # The check itself works: an inline style is reported.
        page.goto(f"http://127.0.0.1:{port}/", wait_until="load")
        page.evaluate("() => { const s = document.createElement('script'); s.textContent = '1'; document.body.append(s); }")
        page.wait_for_timeout(100)
        assert page.evaluate("window.__csp") != []
        page.close()
