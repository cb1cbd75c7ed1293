"""6. Every field that reaches a page is escaped everywhere; unsafe URLs and raw HTML are neutralised."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest

from newshub.urls import scheme_of
from tests import images as photos
from tests.conftest import MakeSite, run_cli

from .helpers import GOOD, article, broken_build, no_traceback

P = '<script>alert(1)</script> "><img src=x onerror=alert(1)> {{7*7}}'


def q(label: str) -> str:
    """A YAML single-quoted scalar: `label` followed by every payload."""
    return "'" + f"{label} {P}".replace("'", "''") + "'"


BODY = "Body text {{7*7}} and {% raw %} and {# x #}.\n"
FILES: dict[str, str | bytes] = {
    "content/site.yaml": (
        f"title: {q('Site')}\ndescription: {q('Desc')}\nauthor: {q('Owner')}\nbase_url: https://hub.example.org\n"
        "languages: [en, zh]\ntimezone: UTC\n"
    ),
    "content/news/2024-04-02-evil.md": (
        f"---\ntitle: {q('Title')}\nsummary: {q('Summary')}\nauthor: {q('Author')}\ntags: [{q('Tag')}, plain]\n"
        "projects: [robot]\npartners: [acme]\nimage: 'a\"><script>.png'\n"
        f"image_alt: {q('Alt')}\n---\n\n" + BODY
    ),
    'content/news/a"><script>.png': photos.png_with_alpha(),  # a file name that is markup
    "content/news/2024-04-01-other.zh.md": f"---\ntitle: {q('ZhTitle')}\ntags: [{q('Tag')}]\nprojects: [robot]\n---\n\n" + BODY,
    "content/pages/about.md": f"---\ntitle: {q('Page')}\nsummary: {q('PageSummary')}\n---\n\n" + BODY,
    "content/pages/about.zh.md": f"---\ntitle: {q('ZhPage')}\n---\n\n" + BODY,
    "content/projects/robot.yaml": (
        f"title: {q('Project')}\nstatus: active\nsummary: {q('ProjSummary')}\narea: {q('Area')}\npartners: [acme]\nlead: acme\n"
        f"milestones:\n  - date: 2024-04-02\n    title: {q('Milestone')}\n    done: true\n"
        f"  - date: 2024-05-02\n    title:\n      en: {q('MilestoneEn')}\n      zh: {q('MilestoneZh')}\n"
        "body: 'Project body {{7*7}}'\n"
    ),
    "content/partners/acme.yaml": (
        f"name: {q('Partner')}\nkind: university\nurl: 'https://acme.example.org/?a=\"><script>'\n"
        f"location: {q('Location')}\nsummary: {q('PartnerSummary')}\n"
    ),
}
LABELS = [
    "Site", "Desc", "Owner", "Title", "Summary", "Author", "Tag", "ZhTitle", "Page", "PageSummary", "ZhPage",
    "Project", "ProjSummary", "Area", "Milestone", "MilestoneEn", "MilestoneZh", "Partner", "Location", "PartnerSummary",
]  # fmt: skip
SAFE_SCHEMES = {None, "http", "https", "mailto", "tel", "webcal"}  # webcal: the theme's calendar subscribe links


class Page(HTMLParser):
    """Every tag with its attributes, the text, and the content of each <script>."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        else:
            self.text.append(data)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    import shutil

    from tests.conftest import REPO

    root = tmp_path_factory.mktemp("xss") / "project"
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "assets", root / "assets")
    for rel, data in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data) if isinstance(data, bytes) else path.write_text(data, encoding="utf-8")
    result = run_cli(root, "build")
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    return {p.relative_to(root / "site").as_posix(): p.read_bytes() for p in sorted((root / "site").rglob("*")) if p.is_file()}


def _html(built: dict[str, bytes]) -> dict[str, str]:
    return {rel: data.decode() for rel, data in built.items() if rel.endswith(".html")}


def test_no_markup_from_fields_in_any_html(built: dict[str, bytes]) -> None:
    for rel, html in _html(built).items():
        page = Page(html)
        for tag, attrs in page.tags:
            assert tag not in ("style", "iframe", "object", "embed"), rel
            assert not (tag == "img" and attrs.get("src") == "x"), rel
            for name, value in attrs.items():
                assert not name.startswith("on"), (rel, tag, name)
                assert name != "style", (rel, tag)
                if name in ("href", "src", "action", "formaction"):
                    assert scheme_of(value or "") in SAFE_SCHEMES, (rel, value)
        for attrs, content in page.scripts:
            search = rel.endswith("search/index.html") and attrs.get("src", "").startswith("/assets/js/search.")
            assert attrs == {"type": "application/ld+json"} or search, (rel, attrs)  # data, or the search page's own script
            assert "<" not in content and "</script" not in content.lower(), rel
            if not search:
                json.loads(content)
            else:
                assert content == "", rel  # a same-origin file, nothing inline
        assert "<script>alert" not in html and "<img src=x" not in html, rel


def test_fields_appear_literally(built: dict[str, bytes]) -> None:
    pages = _html(built)
    shown = {label for html in pages.values() for label in LABELS if f"{label} {P}" in "".join(Page(html).text)}
    # Every label reaches visible text or an attribute; the attribute ones are checked below.
    attrs = "".join(str(a) for html in pages.values() for _, a in Page(html).tags)
    missing = [label for label in LABELS if label not in shown and f"{label} {P}" not in attrs]
    assert missing == []
    article = Page(pages["news/evil/index.html"])
    assert f"Title {P}" in "".join(article.text)
    title = re.search(r"<title>(.*?)</title>", pages["news/evil/index.html"], re.S)
    assert title is not None and "<" not in title.group(1)


def test_templates_are_not_evaluated(built: dict[str, bytes]) -> None:
    every = b"".join(built[rel] for rel in built if not rel.startswith(("assets/", "images/", "pagefind/"))).decode()
    assert "{{7*7}}" in every and "{% raw %}" in every
    assert not re.search(r"(?<![0-9a-f])49(?![0-9a-f])", every)


def test_json_ld_is_valid_json_with_the_literal_values(built: dict[str, bytes]) -> None:
    page = Page(built["news/evil/index.html"].decode())
    [(_attrs, content)] = page.scripts
    data = json.loads(content)
    assert data["headline"] == f"Title {P}" and data["description"] == f"Summary {P}"
    assert "<" not in content


@pytest.mark.parametrize("rel", ["feed.xml", "zh/feed.xml", "projects/robot/feed.xml", "zh/projects/robot/feed.xml", "sitemap.xml"])
def test_feeds_and_sitemap_are_well_formed_and_escaped(built: dict[str, bytes], rel: str) -> None:
    raw = built[rel].decode()
    ET.fromstring(built[rel])  # well-formed XML
    assert "<script" not in raw and "<img" not in raw
    if rel == "sitemap.xml":
        return
    feed = feedparser.parse(built[rel])
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title.endswith(f"Site {P}")
    assert feed.entries


def test_main_feed_entries(built: dict[str, bytes]) -> None:
    feed = feedparser.parse(built["feed.xml"])
    [entry] = feed.entries
    assert entry.title == f"Title {P}"
    assert entry.author == f"Author {P}"
    assert feed.feed.subtitle == f"Desc {P}"
    assert {t.term for t in entry.tags} == {f"Tag {P}", "plain"}
    root = ET.fromstring(built["feed.xml"])
    ns = "{http://www.w3.org/2005/Atom}"
    assert root.findtext(f"{ns}entry/{ns}title") == f"Title {P}"
    assert root.findtext(f"{ns}entry/{ns}summary") == f"Summary {P}"


# --- unsafe URLs --------------------------------------------------------------------------------

# What the warnings about removed markup advise.
LINKS = "use an address that starts with https://, mailto: or tel:, or a path on this site that starts with /"
SCRIPTS = "scripts cannot run in content (the site's Content-Security-Policy blocks them); a script belongs in the theme's assets/"
STYLES = "styles cannot be set in content (the site's Content-Security-Policy blocks them); use the theme's stylesheet in assets/css/"

URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "&#106;avascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
]


def _assert_clean(root: Path) -> None:
    for path in (root / "site").rglob("*.html"):
        for _tag, attrs in Page(path.read_text()).tags:
            for name in ("href", "src"):
                assert scheme_of(attrs.get(name) or "") in SAFE_SCHEMES, (path, attrs)


@pytest.mark.parametrize("url", URLS)
def test_unsafe_markdown_links_and_images_are_removed_with_a_warning(make_site: MakeSite, url: str) -> None:
    body = f'A [link]({url}) here.\n\n![picture]({url})\n\n<a href="{url}">raw</a>\n'
    root = make_site({**GOOD, "content/news/a.md": article("title: x\ndate: 2024-01-01\n", body)})
    result = run_cli(root, "build")
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    scheme = scheme_of(url)
    warnings = result.stderr.splitlines()
    assert f"warning: content/news/a.md:6: link to '{url}' removed: the {scheme}: scheme is not allowed; {LINKS}" in warnings
    assert f"warning: content/news/a.md:8: link to '{url}' removed: the {scheme}: scheme is not allowed; {LINKS}" in warnings
    assert f"warning: content/news/a.md:10: <a href='{url}'> is not allowed and was removed; {LINKS}" in warnings
    _assert_clean(root)
    html = (root / "site/news/a/index.html").read_text()
    assert "alert" not in html and "msgbox" not in html and "PHNjcmlwdD4" not in html


@pytest.mark.parametrize("url", [*URLS, "//evil.example.com/x", "java\tscript:alert(1)"])
def test_unsafe_url_fields_are_errors(make_site: MakeSite, url: str) -> None:
    yaml_url = json.dumps(url)
    errors = broken_build(
        make_site,
        {
            "content/partners/acme.yaml": f"name: A\nkind: university\nurl: {yaml_url}\n",
            "content/news/a.md": article(f"title: x\ndate: 2024-01-01\nimage: {yaml_url}\n"),
        },
    )
    assert errors[0].startswith(f"content/news/a.md:4: image: '{url.strip()}': ")  # not a file of the project
    assert errors[1:] == [
        f"content/partners/acme.yaml:3: url: '{url.strip()}' is not a link that can be published; write a web address starting with"
        " https:// (https://www.example.org/) or a path on this site starting with / (/about/)",
    ]


# --- raw HTML allowlist -------------------------------------------------------------------------

RAW = """\
<table><thead><tr><th scope="col">H</th></tr></thead><tbody><tr><td colspan="2">cell</td></tr></tbody></table>

<figure><img src="/assets/img/pic.png" alt="a pic"><figcaption>Caption</figcaption></figure>

<iframe src="https://www.youtube-nocookie.com/embed/abc" width="560" height="315"></iframe>

<iframe src="https://evil.example.com/embed/abc"></iframe>

<script>alert(2)</script>

<style>body { display: none }</style>

<p onclick="alert(3)" style="color: red" class="note">para</p>

<details><summary>More</summary><video src="https://x.example.org/v.mp4"></video></details>
"""


def test_raw_html_passes_the_configured_allowlist(make_site: MakeSite) -> None:
    config = GOOD["content/site.yaml"] + "html:\n  tags: [video]\n  iframe_hosts: [www.youtube-nocookie.com]\n"
    files = {**GOOD, "content/site.yaml": config, "content/news/a.md": article("title: x\ndate: 2024-01-01\n", RAW)}
    root = make_site({**files, "assets/img/pic.png": photos.png_with_alpha(300, 200)})
    result = run_cli(root, "build")
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    html = (root / "site/news/a/index.html").read_text()
    body = html[html.index('<div class="prose">') : html.index("</article>")]
    assert '<td colspan="2">cell</td>' in body and '<th scope="col">H</th>' in body
    figure = r'<figure><picture>.*?<img src="/images/\w+/pic\.png"[^>]*alt="a pic"[^>]*></picture><figcaption>Caption</figcaption></figure>'
    assert re.search(figure, body), body
    assert '<iframe src="https://www.youtube-nocookie.com/embed/abc" width="560" height="315"></iframe>' in body
    assert "evil.example.com" not in body and body.count("<iframe") == 1
    assert "<script" not in body and "alert" not in body and "<style" not in body and "display" not in body
    assert '<p class="note">para</p>' in body
    assert "<video" in body
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        "warning: content/news/a.md:12: <iframe src='https://evil.example.com/embed/abc'> is not allowed and was removed;"
        " list evil.example.com in site.yaml html.iframe_hosts if you trust it, and in frame-src of the Content-Security-Policy in deploy/",
        f"warning: content/news/a.md:14: raw HTML <script> is not allowed and was removed; {SCRIPTS}",
        f"warning: content/news/a.md:16: raw HTML <style> is not allowed and was removed; {STYLES}",
        f"warning: content/news/a.md:18: attribute 'onclick' on <p> is not allowed and was removed; {SCRIPTS}",
        "warning: content/news/a.md:18: attribute 'style' on <p> is not allowed and was removed; give the element a class and style"
        " that in the theme's stylesheet in assets/css/ (the site's Content-Security-Policy blocks inline styles)",
        "warning: content/news/a.md:20: attribute 'src' on <video> is not allowed and was removed;"
        " only class, dir, id, lang, title are kept on this tag; no setting adds others",
    ]


def test_iframes_are_refused_without_configured_hosts(make_site: MakeSite) -> None:
    body = '<iframe src="https://www.youtube-nocookie.com/embed/abc"></iframe>\n'
    root = make_site({**GOOD, "content/news/a.md": article("title: x\ndate: 2024-01-01\n", body)})
    result = run_cli(root, "build")
    assert result.returncode == 0
    assert "<iframe" not in (root / "site/news/a/index.html").read_text()
    assert (
        "warning: content/news/a.md:6: raw HTML <iframe> is not allowed and was removed; list www.youtube-nocookie.com in site.yaml"
        " html.iframe_hosts if you trust it, and in frame-src of the Content-Security-Policy in deploy/" in (result.stderr.splitlines())
    )


def test_other_tags_name_the_setting_that_allows_them(make_site: MakeSite) -> None:
    body = '<form action="/x"><input name="q"></form>\n\n<iframe src="http://maps.example.org/embed"></iframe>\n'
    root = make_site({**GOOD, "content/news/a.md": article("title: x\ndate: 2024-01-01\n", body)})
    result = run_cli(root, "build")
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("warning:")] == [
        "warning: content/news/a.md:6: raw HTML <form> is not allowed and was removed;"
        " allow it in site.yaml html.tags if it is needed ('tags: [form]' under 'html:')",
        "warning: content/news/a.md:6: raw HTML <input> is not allowed and was removed;"
        " allow it in site.yaml html.tags if it is needed ('tags: [input]' under 'html:')",
        "warning: content/news/a.md:8: raw HTML <iframe> is not allowed and was removed;"
        " write its address with https://, and list maps.example.org in site.yaml html.iframe_hosts if you trust it",
    ]
