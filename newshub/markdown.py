"""Markdown to safe HTML: Python-Markdown, then link checks, then an allowlist sanitiser.

Anything the author wrote that does not reach the reader (an unsafe link, raw HTML outside the
allowlist) is reported as a positioned warning instead of vanishing silently.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import markdown
import nh3
from markdown.extensions.toc import slugify_unicode
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE

from . import htmladvice, images
from .config import HtmlPolicy
from .discover import is_image
from .errors import Problem, fail
from .text import first_text, join_breaks
from .urls import href, is_safe_link, scheme_of

MAX_NESTING = 40  # deeper block nesting is refused: Python-Markdown recurses per level
_NESTING = re.compile(rf"^(?:[ \t]*>){{{MAX_NESTING + 1}}}", re.M)
_DEEP_LIST = re.compile(rf"^(?:    |\t){{{MAX_NESTING}}}[ \t]*(?:[-*+]|\d+\.)\s", re.M)
# Python-Markdown's link, image and inline-HTML patterns scan forward from every '[', '(' or '<'
# to its partner (or the end of the block): 100,000 unclosed '[' took hours. We estimate that scan
# length before converting and refuse a file whose total would take more than a few seconds.
MAX_RESCAN = 20_000_000  # characters rescanned; about 3 s of Python-Markdown
_BLOCKS = re.compile(r"\n[ \t]*\n")
_PAIRS = tuple((opener, closer, re.compile(re.escape(opener) + "|" + re.escape(closer))) for opener, closer in ("[]", "()", "<>"))
_EMPTY_IFRAME = re.compile(r"<iframe(?![^>]*\ssrc=)[^>]*>.*?</iframe>", re.S)  # nh3's output: src removed by _filter
_VERBATIM = {"pre", "code", "script", "style", "kbd", "samp"}
_URL_ATTRS = ("href", "src", "cite")
# Removed with their content unless allowed: fallback text of embeds is not meant to be read.
_FALLBACK_CONTENT = {"script", "style", "iframe", "video", "audio", "object", "noscript", "template", "canvas"}
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][\w-]*)([^>]*)>")
_ATTR = re.compile(r"""([^\s=/>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
_ALIGN = re.compile(r"text-align:\s*(left|right|center)")
_WORDS = re.compile(r"[A-Za-z0-9\u00C0-\u024F]+(?:['’-][A-Za-z0-9]+)*")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# The titles of heading anchors and footnote back-links are in the page's language, but a body is
# parsed (and cached) once for every language that shows it: it carries these stand-ins, which
# render.Renderer replaces with the catalog's `heading_link` and `footnote_back` for each page.
HEADING_LINK = "newshub:heading-link"
FOOTNOTE_BACK = "newshub:footnote-back"
# Python-Markdown puts a heading's anchor inside the heading, where screen readers read its "#" as
# part of the heading's name ("Why medicine and engineering#"). It is moved after the heading, in a
# wrapper that shows them side by side; its "#" is hidden from screen readers and its title (the
# catalog's `heading_link`) is its name.
_ANCHORED = re.compile(
    rf'<(h[1-6])\b([^>]*)>((?:(?!</h[1-6]>).)*?)<a class="headerlink" href="([^"]*)" title="{HEADING_LINK}">#</a></\1>', re.S
)
_ANCHOR_AFTER = (
    rf'<div class="heading"><\1\2>\3</\1><a class="headerlink" href="\4" title="{HEADING_LINK}"><span aria-hidden="true">#</span></a></div>'
)
_IMG = re.compile(r"(<p>)?<img\b([^>]*)>(</p>)?")  # in nh3's output: attributes are name="value", escaped

# Python-Markdown's extensions, and for the optional ones what a source must contain for them to
# do anything: without it a document converts to the same HTML without the extension, and about
# 12% sooner (each extension's processors run over every block and element of every document).
# Loaded in this order always: processors of equal priority run in the order they were added.
_EXTENSIONS = ("tables", "footnotes", "toc", "attr_list", "fenced_code", "sane_lists")
# fenced_code reads a fence's attributes (```python hl_lines="1") through attr_list when it is loaded.
_TRIGGERS = {"tables": ("|",), "footnotes": ("[^",), "attr_list": ("{", "```", "~~~"), "fenced_code": ("```", "~~~")}

# Attributes Markdown itself emits, plus what editors need in raw HTML.
_GLOBAL_ATTRS = {"id", "class", "title", "lang", "dir"}
_TAG_ATTRS = {
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading", "decoding"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed"},
    "time": {"datetime"},
    "iframe": {"src", "width", "height", "allowfullscreen", "loading"},
    "blockquote": {"cite"},
    "q": {"cite"},
}


@dataclass(frozen=True)
class TocEntry:
    level: int
    id: str
    name: str  # already HTML-escaped by Python-Markdown


@dataclass(frozen=True)
class Rendered:
    html: str
    toc: tuple[TocEntry, ...]
    first_paragraph: str  # plain text
    words: int  # for reading time: Latin words plus CJK characters / 2
    warnings: tuple[Problem, ...]
    errors: tuple[Problem, ...] = ()


def reading_minutes(words: int) -> int:
    return max(1, round(words / 220))


def _rescan_cost(block: str) -> int:
    """How many characters the inline patterns would scan in `block`: for every opener, the
    distance to the closer that matches it, or to the end of the block when none does."""
    cost = 0
    for opener, _closer, pattern in _PAIRS:
        if opener not in block:
            continue
        stack: list[int] = []
        for match in pattern.finditer(block):
            if match.group() == opener:
                stack.append(match.start())
            elif stack:
                cost += match.start() - stack.pop()
        cost += sum(len(block) - at for at in stack)
    return cost


def _too_slow(source: str) -> int:
    """0 if `source` renders in reasonable time, else the 1-based line of its worst block."""
    total, worst, worst_at, start = 0, 0, 0, 0
    for gap in (*_BLOCKS.finditer(source), None):
        end = gap.start() if gap else len(source)
        block = source[start:end]
        cost = _rescan_cost(block)
        total += cost
        if cost > worst:
            worst, worst_at = cost, start + len(block) - len(block.lstrip())  # where its text starts
        if gap:
            start = gap.end()
    return source.count("\n", 0, worst_at) + 1 if total > MAX_RESCAN else 0


def _line_of(source: str, needle: str, offset: int, after: int = -1) -> tuple[int, int]:
    """(file line, index) of the first `needle` after index `after`, else of the first one."""
    at = source.find(needle, after + 1)
    if at < 0:
        at = source.find(needle)
    return offset + (source.count("\n", 0, at) + 1 if at >= 0 else 1), at


class _Inspect(Treeprocessor):
    """Neutralises unsafe links, encodes URLs, maps table alignment to classes (CSP forbids style)."""

    def __init__(self, md: markdown.Markdown, owner: MarkdownRenderer) -> None:
        super().__init__(md)
        self.owner = owner

    def run(self, root: etree.Element) -> None:
        for el in root.iter():
            for attr in _URL_ATTRS:
                url = el.get(attr)
                if url is None:
                    continue
                if AMP_SUBSTITUTE in url:  # an e-mail autolink, obfuscated as entities: the real address
                    url = html.unescape(url.replace(AMP_SUBSTITUTE, "&"))
                if not is_safe_link(url):
                    del el.attrib[attr]
                    self.owner.warn(url, f"link to '{url[:60]}' removed: the {scheme_of(url)}: scheme is not allowed; {htmladvice.LINKS}")
                    continue
                el.set(attr, url)  # the sanitiser's filter encodes it and adds the base path
            style = el.get("style")
            if style is not None:
                del el.attrib["style"]
                match = _ALIGN.search(style)
                if match:
                    el.set("class", f"align-{match.group(1)}")
            if el.tag == "img" and el.get("src") is not None:
                alt = el.get("alt", "")
                if alt == "-":  # the author's word that the image is decorative
                    el.set("alt", "")
                elif not alt.strip():
                    src = el.get("src", "")
                    self.owner.error(
                        src, f"image '{src}' has no alt text: describe it in ![...]({src}), or write ![-]({src}) if it is only decoration"
                    )
        _join_segment_breaks(root)


def _join_segment_breaks(root: etree.Element) -> None:
    """Remove line breaks between Chinese (or other wide) characters in running text, as CSS Text 3
    does and Chromium does not (see text.py). Code keeps its lines; a break just before or after an
    inline element such as <em> is judged by the characters on both sides of it."""
    slots: list[tuple[etree.Element, str]] = []

    def walk(el: etree.Element, verbatim: bool) -> None:
        verbatim = verbatim or el.tag in _VERBATIM
        if not verbatim and el.text and not el.text.isspace():
            slots.append((el, "text"))
        for child in el:
            walk(child, verbatim)
            if not verbatim and child.tail and not child.tail.isspace():
                slots.append((child, "tail"))

    walk(root, False)
    values = [getattr(el, attr) for el, attr in slots]
    for i, (el, attr) in enumerate(slots):
        if "\n" in values[i]:
            before = values[i - 1][-1:] if i else ""
            after = values[i + 1][:1] if i + 1 < len(values) else ""
            setattr(el, attr, join_breaks(values[i], before, after))


class _ReportRawHtml(Postprocessor):
    """Runs before raw HTML is put back, to report what the sanitiser is about to drop."""

    def __init__(self, md: markdown.Markdown, owner: MarkdownRenderer) -> None:
        super().__init__(md)
        self.owner = owner

    def run(self, text: str) -> str:
        # toc also runs postprocessors over each heading; inspect the stash once per document.
        if not self.owner.raw_inspected:
            self.owner.raw_inspected = True
            for raw in self.md.htmlStash.rawHtmlBlocks:
                self.owner.inspect_raw(str(raw))
        return text


class MarkdownRenderer:
    """One configured Markdown converter; not thread-safe, so one per process or thread."""

    reads_body = True  # False: parse() reads a source's front matter only (frontmatter.header)

    def __init__(self, policy: HtmlPolicy, base_path: str = "", root: Path | None = None, seen: images.Seen | None = None) -> None:
        """`root`: the project folder images are read from (None leaves every image as written);
        `seen`: what is known of its images already (images.ImageStore)."""
        self.policy = policy
        self.base_path = base_path
        self.images = images.ImageStore(root, seen) if root is not None else None
        self.used: dict[str, str] = {}  # image file -> its digest, for every image consulted (parse's deps)
        self.errors: list[Problem] = []
        self._sources: dict[str, str | None] = {}  # an <img> src as output -> the image file it names
        self._converters: dict[tuple[str, ...], markdown.Markdown] = {}  # by the optional extensions it has
        self._md = self._converter("")
        self._attrs = {tag: set(_TAG_ATTRS.get(tag, ())) for tag in policy.tags}
        self._attrs["*"] = set(_GLOBAL_ATTRS)
        self._tags = set(policy.tags)
        self.warnings: list[Problem] = []
        self.raw_inspected = False
        self._rel = ""
        self._source = ""
        self._offset = 0
        self._found: dict[str, int] = {}  # where warn() last found each needle

    def _converter(self, source: str) -> markdown.Markdown:
        """A Markdown converter with the optional extensions `source` can trigger (made once each)."""
        wanted = tuple(name for name in _EXTENSIONS if any(mark in source for mark in _TRIGGERS.get(name, ("",))))
        md = self._converters.get(wanted)
        if md is None:
            md = markdown.Markdown(
                extensions=list(wanted),
                extension_configs={
                    "toc": {"permalink": "#", "permalink_title": HEADING_LINK, "slugify": slugify_unicode},
                    "footnotes": {"BACKLINK_TITLE": FOOTNOTE_BACK + " %d"},
                },
                output_format="html",
            )
            md.treeprocessors.register(_Inspect(md, self), "newshub-inspect", 1)
            md.postprocessors.register(_ReportRawHtml(md, self), "newshub-raw", 40)
            self._converters[wanted] = md
        return md

    def warn(self, needle: str, message: str) -> None:
        # The same URL or tag twice in a file: the second warning names the second occurrence.
        line, self._found[needle] = _line_of(self._source, needle, self._offset, self._found.get(needle, -1))
        self.warnings.append(Problem(self._rel, line, message))

    def error(self, needle: str, message: str) -> None:
        line, self._found[needle] = _line_of(self._source, needle, self._offset, self._found.get(needle, -1))
        self.errors.append(Problem(self._rel, line, message))

    def picture(self, src: str, rel: str) -> images.Picture | str | None:
        """The Picture an image reference in `rel` names (recorded in `used`), what is wrong with
        it, or None for an image newshub does not publish (one on another site)."""
        if self.images is None:
            return None
        path = images.resolve(src, rel)
        if path is None:
            return None
        found = self.images.get(path, "" if src.startswith("/assets/") else images.where_to_put(src, rel))
        self.used[path] = found.digest if isinstance(found, images.Picture) else ""
        return found

    def _pictures(self, html_text: str, eager: bool) -> str:
        """Every <img> of a page's own images as a sized, responsive <picture>; an image with a
        title and alone in its paragraph as a <figure> with that caption."""

        def replace(match: re.Match[str]) -> str:
            nonlocal eager
            attrs = {name.lower(): html.unescape(value.strip('"')) for name, value in _ATTR.findall(match.group(2))}
            shown = self._sources.get(attrs.get("src", ""))
            if not attrs.get("alt", "x").strip() and attrs.get("alt") != "":  # alt=" ": neither a description nor alt=""
                attrs.pop("alt")
            if "alt" not in attrs:
                src = shown or attrs.get("src", "<img")
                self.error(src, f'<img src="{src}"> has no alt: describe the image in alt="...", or write alt="" if it is only decoration')
            found = self.picture(shown, self._rel) if shown else None
            if isinstance(found, str):
                self.error(shown or "", f"image '{shown}': {found}")
                return match.group(0)
            if found is None:  # an image on another site: its size is unknown, its loading is ours
                lazy, eager = "" if eager or "loading" in attrs else ' loading="lazy" decoding="async"', False
                return match.group(0).replace("<img", "<img" + lazy, 1)
            title = attrs.pop("title", "")
            extra = "".join(f' {k}="{html.escape(v)}"' for k, v in attrs.items() if k in ("id", "class", "lang", "dir"))
            shown_eager = attrs.get("loading", "eager" if eager else "lazy") != "lazy"  # the author's choice stands
            width = int(attrs["width"]) if re.fullmatch(r"[0-9]{1,5}", attrs.get("width", "")) and int(attrs["width"]) > 0 else None
            tag = images.markup(found, html.escape(attrs.get("alt", "")), self.base_path, shown_eager, extra, width=width)
            eager = False
            if match.group(1) and match.group(3):
                return f"<figure>{tag}<figcaption>{html.escape(title)}</figcaption></figure>" if title else f"<p>{tag}</p>"
            return f"{match.group(1) or ''}{tag}{match.group(3) or ''}"

        return _IMG.sub(replace, html_text) if "<img" in html_text else html_text

    def inspect_raw(self, raw: str) -> None:
        for match in _TAG.finditer(raw):
            closing, tag, attrs = match.group(1), match.group(2).lower(), match.group(3)
            found = {name.lower(): value.strip("\"'") for name, value in _ATTR.findall(attrs)}
            if tag not in self._tags:
                if not closing:
                    advice = htmladvice.tag_removed(tag, found.get("src", ""))
                    self.warn(match.group(0), f"raw HTML <{tag}> is not allowed and was removed; {advice}")
                continue
            kept = self._attrs["*"] | self._attrs.get(tag, set())
            for name, value in found.items():
                if name not in kept:
                    advice = htmladvice.attribute_removed(name, kept)
                    self.warn(match.group(0), f"attribute '{name}' on <{tag}> is not allowed and was removed; {advice}")
                elif name in _URL_ATTRS and not self._url_ok(tag, value):
                    advice = htmladvice.iframe_refused(value) if tag == "iframe" else htmladvice.LINKS
                    self.warn(match.group(0), f"<{tag} {name}='{value[:60]}'> is not allowed and was removed; {advice}")

    def _url_ok(self, tag: str, url: str) -> bool:
        if tag == "iframe":
            parts = urlsplit(url)
            return parts.scheme == "https" and parts.hostname in self.policy.iframe_hosts
        return is_safe_link(url)

    def _filter(self, tag: str, attr: str, value: str) -> str | None:
        """Every URL of the output, from Markdown or raw HTML alike: refused if unsafe, else a site
        path gets the base path, and the whole is encoded ('{% link x %}' becomes a valid URL)."""
        if attr not in _URL_ATTRS:
            return value
        if not self._url_ok(tag, value):
            return None
        original = value
        if value.startswith("/") and not value.startswith("//"):
            value = self.base_path + value
        if tag == "a" and attr == "href" and is_image(original):  # a link to a photo ('full size'): its published file
            found = self.picture(original, self._rel)
            if isinstance(found, images.Picture):
                value = self.base_path + found.url
        value = href(value)
        if tag == "img" and attr == "src":
            self._sources[value] = original
        return value

    def render(self, source: str, rel: str, offset: int = 0, eager: bool = True) -> Rendered:
        """`offset` is the number of file lines before `source`, for warning positions; `eager`:
        the page's first image loads at once (no featured image above it)."""
        if _NESTING.search(source) or _DEEP_LIST.search(source):
            raise fail(rel, 0, f"the Markdown nests more than {MAX_NESTING} levels deep; flatten it")
        slow = _too_slow(source)
        if slow:
            raise fail(
                rel,
                offset + slow,
                "this paragraph has too many unclosed or deeply nested '[', '(' or '<' to render; escape them as \\[ \\( \\< or split it",
            )
        self.warnings, self.errors, self._sources = [], [], {}
        self.raw_inspected = False
        self._rel, self._source, self._offset = rel, source, offset
        self._found = {}
        try:
            self._md = self._converter(source)
            converted = self._md.reset().convert(source)
        except RecursionError:
            raise fail(rel, 0, "the Markdown is nested too deeply to render; flatten it") from None
        toc = tuple(TocEntry(t["level"], t["id"], t["name"]) for t in _flatten(self._md.toc_tokens))  # type: ignore[attr-defined]
        clean = nh3.clean(
            converted,
            tags=self._tags,
            clean_content_tags=_FALLBACK_CONTENT - self._tags,
            attributes=self._attrs,
            attribute_filter=self._filter,
            link_rel=None,
            url_schemes={"http", "https", "mailto", "tel"},
            strip_comments=True,
        )
        clean = _EMPTY_IFRAME.sub("", clean)  # an iframe whose src was refused is dropped whole
        clean = self._pictures(clean, eager)
        clean = _ANCHORED.sub(_ANCHOR_AFTER, clean)
        words = len(_WORDS.findall(source)) + len(_CJK.findall(source)) // 2
        # A heading's raw HTML is seen twice (in the body and in the table of contents): report it once.
        return Rendered(clean, toc, first_text(clean), words, tuple(dict.fromkeys(self.warnings)), tuple(dict.fromkeys(self.errors)))


class FrontMatterOnly(MarkdownRenderer):
    """Renders no Markdown at all: items parsed with it have an empty body, summary and table of
    contents. The preview starts from such items and parses each body fully before it is shown,
    so what only the body can get wrong (a control character, bytes that are not UTF-8, a file
    over the size limit) is found then, as any other fault of a body is."""

    reads_body = False

    def render(self, source: str, rel: str, offset: int = 0, eager: bool = True) -> Rendered:
        return Rendered("", (), "", 0, ())


def _flatten(tokens: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    out = []
    for token in tokens:
        out.append(token)
        out.extend(_flatten(token["children"]))
    return out
