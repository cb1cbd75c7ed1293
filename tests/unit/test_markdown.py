"""markdown: Markdown to safe HTML. Whatever the author wrote reaches the reader or is warned about."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from newshub.config import DEFAULT_HTML_TAGS, HtmlPolicy
from newshub.markdown import MAX_NESTING, MarkdownRenderer, Rendered, reading_minutes

POLICY = HtmlPolicy(tuple(sorted(DEFAULT_HTML_TAGS)), ())
RENDERER = MarkdownRenderer(POLICY)


def md(source: str, offset: int = 0, renderer: MarkdownRenderer = RENDERER) -> Rendered:
    return renderer.render(source, "content/news/a.md", offset)


def test_tables_with_alignment_as_classes_not_style() -> None:
    out = md("| Project | Field |\n|:---|---:|\n| Robot | Robotics |\n").html
    assert "<table>" in out and "<th" in out and "<td" in out
    assert 'class="align-left"' in out and 'class="align-right"' in out
    assert "style=" not in out  # a strict Content-Security-Policy forbids inline style


def test_footnotes_link_both_ways() -> None:
    out = md("Claim.[^src]\n\n[^src]: The source.\n").html
    assert 'href="#fn:src"' in out and 'id="fn:src"' in out
    assert 'href="#fnref:src"' in out and 'id="fnref:src"' in out
    assert "The source." in out


def test_toc_entries_match_heading_anchors() -> None:
    rendered = md("## Why it matters\n\ntext\n\n### Details\n\n## Why it matters\n\n## 首批 项目\n")
    ids = [entry.id for entry in rendered.toc]
    assert ids == ["why-it-matters", "details", "why-it-matters_1", "首批-项目"]
    assert [entry.level for entry in rendered.toc] == [2, 3, 2, 2]
    for ident in ids:
        assert f'id="{ident}"' in rendered.html
    assert 'class="headerlink"' in rendered.html


def test_attribute_lists() -> None:
    out = md("A note.\n{: .note #first }\n\n## Title {: #custom-id }\n").html
    assert '<p class="note" id="first">' in out or '<p id="first" class="note">' in out
    assert 'id="custom-id"' in out


def test_fenced_code_is_escaped_and_labelled() -> None:
    out = md("```python\nif a < b and c & d:\n    print('<b>')\n```\n").html
    assert '<pre><code class="language-python">' in out
    assert "a &lt; b and c &amp; d" in out and "&lt;b&gt;" in out


def test_reading_time() -> None:
    assert reading_minutes(0) == 1
    assert reading_minutes(220 * 5) == 5
    assert md(" ".join(["word"] * 660)).words == 660
    assert md("中" * 440).words == 220  # two CJK characters count as one word


def test_link_urls_are_percent_encoded() -> None:
    out = md("[a](</my page/>) [b](/tags/中医/) [c](https://example.org/a b?q=x y#frag) [d](/already%20done/)").html
    assert 'href="/my%20page/"' in out
    assert 'href="/tags/%E4%B8%AD%E5%8C%BB/"' in out
    assert 'href="https://example.org/a%20b?q=x%20y#frag"' in out
    assert 'href="/already%20done/"' in out  # never encoded twice
    assert 'src="/img/a%20b.png"' in md("![pic](</img/a b.png>)").html


def test_site_paths_get_the_base_path() -> None:
    renderer = MarkdownRenderer(POLICY, base_path="/hub")
    out = md("[a](/news/) [b](https://other.example/x) [c](#local) [d](//cdn.example/x)", renderer=renderer).html
    assert 'href="/hub/news/"' in out and 'href="https://other.example/x"' in out
    assert 'href="#local"' in out and 'href="//cdn.example/x"' in out


def test_unsafe_links_are_removed_with_a_positioned_warning() -> None:
    rendered = md("Intro.\n\n[click](javascript:alert(1)) and [ok](https://example.org)\n", offset=5)
    assert "javascript" not in rendered.html and "click" in rendered.html
    assert [(w.path, w.line) for w in rendered.warnings] == [("content/news/a.md", 8)]
    assert "javascript: scheme is not allowed" in rendered.warnings[0].message


def test_raw_html_outside_the_allowlist_is_removed_with_warnings() -> None:
    rendered = md('Text.\n\n<script>alert(1)</script>\n\n<span onclick="x()">kept</span>\n\n<marquee>moving</marquee>\n')
    assert "<script" not in rendered.html and "alert" not in rendered.html
    assert "onclick" not in rendered.html and "<span>kept</span>" in rendered.html
    assert "moving" in rendered.html and "<marquee" not in rendered.html
    lines = {w.line: w.message for w in rendered.warnings}
    assert "raw HTML <script>" in lines[3]
    assert "attribute 'onclick'" in lines[5]
    assert "raw HTML <marquee>" in lines[7]


def test_allowed_iframe_host() -> None:
    policy = HtmlPolicy(tuple(sorted({*DEFAULT_HTML_TAGS, "iframe"})), ("www.youtube-nocookie.com",))
    renderer = MarkdownRenderer(policy)
    ok = md('<iframe src="https://www.youtube-nocookie.com/embed/x"></iframe>', renderer=renderer)
    assert 'src="https://www.youtube-nocookie.com/embed/x"' in ok.html and not ok.warnings
    bad = md('<iframe src="https://evil.example/x"></iframe>', renderer=renderer)
    assert "evil" not in bad.html and bad.warnings


def test_text_that_looks_like_markup_is_kept() -> None:
    rendered = md("a < b, c > d, AT&T, x <3 y, 5 * 3 * 2, snake_case_name\n")
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered.html))
    assert text.strip() == "a < b, c > d, AT&T, x <3 y, 5 * 3 * 2, snake_case_name"
    assert not rendered.warnings


def test_first_paragraph_is_plain_text() -> None:
    rendered = md("# Title\n\nThe **first** [paragraph](/x/)\ncontinues.\n\nSecond.\n")
    assert rendered.first_paragraph == "The first paragraph continues."
    assert md("## Only a heading\n").first_paragraph == ""


def test_first_paragraph_keeps_entities_and_drops_footnote_marks() -> None:
    assert md("Signed[^1] by A &amp; B, AT&T &copy; 2024.\n\n[^1]: Note.\n").first_paragraph == "Signed by A & B, AT&T © 2024."
    assert md("Some <b>bold</b> and <span class='x'>span</span> text.\n").first_paragraph == "Some bold and span text."


def test_renderer_state_does_not_leak_between_documents() -> None:
    first = md("## A\n\n## B\n\n[x](javascript:y)\n\nText[^1].\n\n[^1]: Note.\n")
    second = md("Plain.\n")
    assert first.warnings and first.toc
    assert second.warnings == () and second.toc == () and "footnote" not in second.html


def test_too_deep_nesting_is_an_error_not_a_crash() -> None:
    from newshub.errors import BuildError

    try:
        md("> " * (MAX_NESTING + 5) + "deep\n")
    except BuildError as exc:
        assert "nests more than" in exc.problems[0].message
    else:
        raise AssertionError("deep nesting was accepted")


_WORD = re.compile(r"[a-z]+|[\u4e00-\u9fff]")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab xy中\n<>&*_#-`[]()|", max_size=60))
def test_text_never_silently_vanishes(source: str) -> None:
    rendered = md(source)
    if rendered.warnings:
        return  # what was dropped was reported
    # Tag names and numeric character references (&#xa, &#169) are markup, not text.
    expected = set(_WORD.findall(re.sub(r"</?[a-zA-Z][^<>]*>|&#(?:[xX][0-9a-fA-F]+|[0-9]+);?", " ", source)))
    shown = set(_WORD.findall(html.unescape(re.sub(r"<[^>]*>", " ", rendered.html))))
    assert expected <= shown, rendered.html


def test_email_autolinks_keep_a_working_address() -> None:
    out = md("Write to <office@example.org> or [us](mailto:us@example.org?subject=Hi there).\n").html
    assert 'href="mailto:office@example.org"' in out
    assert 'href="mailto:us@example.org?subject=Hi%20there"' in out
    assert "\x02" not in out and "%02" not in out


def test_what_a_body_says_does_not_hang_on_unrelated_text() -> None:
    """The optional extensions run only for a body that holds their trigger (markdown.py): text
    elsewhere in the body (a brace, a pipe, a footnote mark) changes neither the HTML of the rest
    nor what is said about it. A fence's attributes, for one, are read through attr_list."""
    fence = '```python hl_lines="1"\nprint(1)\n```\n'
    alone, beside = md(fence), md(fence + "\nA {brace}, a | pipe and a [^mark].\n")
    assert alone.warnings and [w.message for w in alone.warnings] == [w.message for w in beside.warnings]
    assert alone.html in beside.html
