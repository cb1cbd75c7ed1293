"""Markdown to safe HTML: Python-Markdown, then link checks, then an allowlist sanitiser.

Anything the author wrote that does not reach the reader (an unsafe link, raw HTML outside the
allowlist) is reported as a positioned warning instead of vanishing silently.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from urllib.parse import urlsplit

import markdown
import nh3
from markdown.extensions.toc import slugify_unicode
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor

from .config import HtmlPolicy
from .errors import Problem, fail
from .urls import href, is_safe_link, scheme_of

MAX_NESTING = 40  # deeper block nesting is refused: Python-Markdown recurses per level
_NESTING = re.compile(rf"^(?:[ \t]*>){{{MAX_NESTING + 1}}}", re.M)
_DEEP_LIST = re.compile(rf"^(?:    |\t){{{MAX_NESTING}}}[ \t]*(?:[-*+]|\d+\.)\s", re.M)
_PLACEHOLDER = re.compile("\x02wzxhzdk:\\d+\x03")
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][\w-]*)([^>]*)>")
_ATTR = re.compile(r"""([^\s=/>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
_ALIGN = re.compile(r"text-align:\s*(left|right|center)")
_WORDS = re.compile(r"[A-Za-z0-9\u00C0-\u024F]+(?:['’-][A-Za-z0-9]+)*")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

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


def reading_minutes(words: int) -> int:
    return max(1, round(words / 220))


def _line_of(source: str, needle: str, offset: int) -> int:
    at = source.find(needle)
    return offset + (source.count("\n", 0, at) + 1 if at >= 0 else 1)


class _Inspect(Treeprocessor):
    """Neutralises unsafe links, encodes URLs, maps table alignment to classes (CSP forbids style)."""

    def __init__(self, md: markdown.Markdown, owner: MarkdownRenderer) -> None:
        super().__init__(md)
        self.owner = owner

    def run(self, root: etree.Element) -> None:
        for el in root.iter():
            for attr in ("href", "src"):
                url = el.get(attr)
                if url is None:
                    continue
                if not is_safe_link(url):
                    del el.attrib[attr]
                    self.owner.warn(url, f"link to '{url[:60]}' removed: the {scheme_of(url)}: scheme is not allowed, use https://")
                    continue
                if url.startswith("/") and not url.startswith("//"):
                    url = self.owner.base_path + url
                el.set(attr, href(url))
            style = el.get("style")
            if style is not None:
                del el.attrib["style"]
                match = _ALIGN.search(style)
                if match:
                    el.set("class", f"align-{match.group(1)}")
            if el.tag == "img":
                el.set("loading", "lazy")
        first = next((el for el in root if el.tag == "p"), None)
        text = "".join(first.itertext()) if first is not None else ""
        self.owner.first_paragraph = " ".join(_PLACEHOLDER.sub("", text).split())


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

    def __init__(self, policy: HtmlPolicy, base_path: str = "") -> None:
        self.policy = policy
        self.base_path = base_path
        self._md = markdown.Markdown(
            extensions=["tables", "footnotes", "toc", "attr_list", "fenced_code", "sane_lists"],
            extension_configs={
                "toc": {"permalink": "#", "permalink_title": "Link to this section", "slugify": slugify_unicode},
                "footnotes": {"BACKLINK_TITLE": "Back to reference %d"},
            },
            output_format="html",
        )
        self._md.treeprocessors.register(_Inspect(self._md, self), "newshub-inspect", 1)
        self._md.postprocessors.register(_ReportRawHtml(self._md, self), "newshub-raw", 40)
        self._attrs = {tag: set(_TAG_ATTRS.get(tag, ())) for tag in policy.tags}
        self._attrs["*"] = set(_GLOBAL_ATTRS)
        self._tags = set(policy.tags)
        self.warnings: list[Problem] = []
        self.first_paragraph = ""
        self.raw_inspected = False
        self._rel = ""
        self._source = ""
        self._offset = 0

    def warn(self, needle: str, message: str) -> None:
        self.warnings.append(Problem(self._rel, _line_of(self._source, needle, self._offset), message))

    def inspect_raw(self, raw: str) -> None:
        for match in _TAG.finditer(raw):
            closing, tag, attrs = match.group(1), match.group(2).lower(), match.group(3)
            if tag not in self._tags:
                if not closing:
                    self.warn(
                        match.group(0), f"raw HTML <{tag}> is not allowed and was removed; allow it in site.yaml html.tags if it is needed"
                    )
                continue
            for name, value in _ATTR.findall(attrs):
                name = name.lower()
                value = value.strip("\"'")
                allowed = name in self._attrs["*"] or name in self._attrs.get(tag, ())
                if not allowed:
                    self.warn(match.group(0), f"attribute '{name}' on <{tag}> is not allowed and was removed")
                elif name in ("href", "src") and not self._url_ok(tag, value):
                    self.warn(match.group(0), f"<{tag} {name}='{value[:60]}'> is not allowed and was removed")

    def _url_ok(self, tag: str, url: str) -> bool:
        if tag == "iframe":
            parts = urlsplit(url)
            return parts.scheme == "https" and parts.hostname in self.policy.iframe_hosts
        return is_safe_link(url)

    def _filter(self, tag: str, attr: str, value: str) -> str | None:
        if attr in ("href", "src") and not self._url_ok(tag, value):
            return None
        return value

    def render(self, source: str, rel: str, offset: int = 0) -> Rendered:
        """`offset` is the number of file lines before `source`, for warning positions."""
        if _NESTING.search(source) or _DEEP_LIST.search(source):
            raise fail(rel, 0, f"the Markdown nests more than {MAX_NESTING} levels deep; flatten it")
        self.warnings = []
        self.first_paragraph = ""
        self.raw_inspected = False
        self._rel, self._source, self._offset = rel, source, offset
        try:
            converted = self._md.reset().convert(source)
        except RecursionError:
            raise fail(rel, 0, "the Markdown is nested too deeply to render; flatten it") from None
        toc = tuple(TocEntry(t["level"], t["id"], t["name"]) for t in _flatten(self._md.toc_tokens))  # type: ignore[attr-defined]
        clean = nh3.clean(
            converted,
            tags=self._tags,
            clean_content_tags={"script", "style"},
            attributes=self._attrs,
            attribute_filter=self._filter,
            link_rel=None,
            url_schemes={"http", "https", "mailto", "tel"},
            strip_comments=True,
        )
        words = len(_WORDS.findall(source)) + len(_CJK.findall(source)) // 2
        return Rendered(clean, toc, self.first_paragraph, words, tuple(self.warnings))


def _flatten(tokens: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    out = []
    for token in tokens:
        out.append(token)
        out.extend(_flatten(token["children"]))
    return out
