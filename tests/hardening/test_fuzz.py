"""10. Fuzzing the readers: only newshub's BuildError may escape, and every problem names its file."""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newshub.config import DEFAULT_HTML_TAGS, HtmlPolicy, SiteConfig
from newshub.discover import Source
from newshub.errors import BuildError
from newshub.frontmatter import split
from newshub.markdown import MarkdownRenderer
from newshub.parse import parse
from newshub.source import CONTROL, decode
from newshub.urls import is_safe_link, safe_external_url, slug_problem, slugify

FUZZ = settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
REL = "content/news/fuzz.md"
CONFIG = SiteConfig(
    title={"en": "T"}, base_url="https://x.org", languages=("en", "zh"), per_page=10, timezone="Asia/Shanghai",
    description={}, author="", retain=(), html=HtmlPolicy(DEFAULT_HTML_TAGS, ()),
)  # fmt: skip
RENDERER = MarkdownRenderer(CONFIG.html)

# Pieces that real front matter, YAML records and Markdown are made of, to reach deep paths fast.
FRAGMENTS = st.sampled_from(
    [
        "---", "...", "title: ", "date: ", "2024-02-30", "2024-04-02T09:30:00+08:00", "tags: [", "]", "- ", "  ", "\t",
        "draft: yes", "slug: ../x", "lang: zh", "name:", "  en: ", "  zh: ", "kind: other", "status: active", "milestones:",
        "  - date: 2024-01-01", "    title: x", "    done: true", "url: javascript:x", "image: /a.png", "!!python/object:os.system",
        "&a", "*a", "<<: *a", "{", "}", "? ", ": ", "'", '"', "#", "|", ">", "%YAML 1.1", "\ufeff", "\r", "\r\n", "\x00",
        "[", "](", "<script>", "<iframe src=https://x>", "{{7*7}}", "\u0301", "é", "中文", "no", "2024", "~", "null",
    ]
)  # fmt: skip
SHAPED = st.lists(st.one_of(FRAGMENTS, st.text(max_size=8)), max_size=40).map("".join)
LINED = st.lists(st.one_of(FRAGMENTS, st.text(max_size=8)), max_size=30).map("\n".join)
TEXT = st.one_of(st.text(max_size=300), SHAPED, LINED)


def _problem_paths(error: BuildError) -> set[str]:
    return {p.path for p in error.problems}


@FUZZ
@given(st.binary(max_size=400) | TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_decode(data: bytes) -> None:
    try:
        text = decode(data, REL)
    except BuildError as exc:
        assert _problem_paths(exc) == {REL}
        return
    assert "\r" not in text and not text.startswith("\ufeff") and "\x00" not in text
    assert CONTROL.search(text) is None  # nothing that XML feeds cannot carry


@FUZZ
@given(TEXT)
def test_front_matter_split(text: str) -> None:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        parts = split(text, REL)
    except BuildError as exc:
        assert _problem_paths(exc) == {REL}
        assert all(p.line >= 0 for p in exc.problems)
        return
    assert parts.body_offset >= 2


@FUZZ
@given(st.sampled_from(["news", "pages", "projects", "partners"]), st.one_of(TEXT, LINED.map(lambda t: "---\n" + t + "\n---\n" + t)))
def test_parse_any_text(section: str, text: str) -> None:
    ext = ".md" if section in ("news", "pages") else ".yaml"
    rel = f"content/{section}/fuzz{ext}"
    parsed = parse(Source(rel, section, text.encode("utf-8", "surrogatepass")), CONFIG, RENDERER)  # never raises
    assert parsed.item is not None or parsed.problems  # an item with problems serves only the cross-file check
    for problem in (*parsed.problems, *parsed.warnings):
        assert problem.path == rel and problem.line >= 0 and problem.message
    if parsed.item is not None and not parsed.problems:
        assert slug_problem(getattr(parsed.item, "slug", "ok")) is None


@FUZZ
@given(st.text(max_size=60))
def test_slugify_gives_safe_slugs(text: str) -> None:
    slug = slugify(text)
    why = slug_problem(slug) if slug else None
    assert why is None or "reserved device name" in why, (text, slug)  # check.py reports those tags
    assert not set(slug) & set("/\\.%?#\x00 ")
    assert slugify(slug) == slug


@FUZZ
@given(st.text(max_size=40))
def test_slug_problem_refuses_every_unsafe_slug(slug: str) -> None:
    if slug_problem(slug) is None:
        assert slug and slug == unicodedata.normalize("NFC", slug)
        assert not set(slug) & set("/\\%?#\x00 \t\n")
        assert not slug.startswith(".") and not slug.endswith(".") and ".." not in slug  # dots only between words
        assert slug.split(".")[0].lower() not in ("con", "nul", "aux", "prn")


@FUZZ
@given(
    st.one_of(
        st.text(max_size=40), st.sampled_from(["javascript", "vbscript", "data", "JaVaScRiPt", "&#106;avascript"]).map(lambda s: s + ":x")
    )
)
def test_links_never_let_a_script_scheme_through(url: str) -> None:
    from newshub.urls import scheme_of

    if is_safe_link(url):
        assert scheme_of(url) in (None, "http", "https", "mailto", "tel")
    if safe_external_url(url) is not None:
        assert scheme_of(url) in (None, "http", "https")


MARKDOWN = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "[", "]", "(", ")", "![", "<", ">", "*", "_", "`", "```", "#", "- ", "1. ", "> ", "|", "---", "\n", "\n\n", "    ",
                "[^1]", "[^1]: ", "{: .x }", "<script>", "</script>", "<img src=x onerror=alert(1)>", "<a href='javascript:x'>",
                "javascript:", "&#106;", "data:text/html,", "<iframe src=https://evil.example>", "<style>", "onclick=", "<!--", "-->",
                "<div>", "</div>", "<table>", "<svg onload=alert(1)>", "<math>", "&", "\\", "http://x.org", "<http://x.org>",
                "\n## ", "\n### ", "&lt;", "&#60;",
            ]
        ),
        st.text(max_size=6),
    ),
    max_size=60,
).map("".join)  # fmt: skip


@FUZZ
@given(MARKDOWN)
def test_markdown_output_is_always_sanitised(text: str) -> None:
    import re

    try:
        rendered = RENDERER.render(text, REL, 4)
    except BuildError as exc:
        assert _problem_paths(exc) == {REL}
        return
    html = rendered.html.lower()
    assert "<script" not in html and "<style" not in html and "<svg" not in html and "<math" not in html
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", html)
    for url in re.findall(r'(?:href|src)="([^"]*)"', html):
        assert is_safe_link(url), url
    for warning in rendered.warnings:
        assert warning.path == REL and warning.line >= 5
    for entry in rendered.toc:  # shown with |safe in the table of contents
        assert "<" not in entry.name and '"' not in entry.id and "<" not in entry.id


@FUZZ
@given(TEXT)
def test_site_yaml_any_text(text: str) -> None:
    import tempfile
    from pathlib import Path

    from newshub.config import load_config

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "content").mkdir()
        (root / "content/site.yaml").write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            config = load_config(root)
        except BuildError as exc:
            assert _problem_paths(exc) == {"content/site.yaml"}
            return
        assert config.languages and config.base_url.startswith("http")
