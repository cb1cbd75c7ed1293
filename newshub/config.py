"""load_config: content/site.yaml into a frozen SiteConfig."""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import schema as s
from .errors import Problems, fail
from .source import decode, read_text
from .urls import scheme_of
from .yamlnodes import SequenceNode, compose, line_of

CONFIG_FILE = "content/site.yaml"

# Raw HTML in Markdown passes this allowlist (nh3); site.yaml may add to it.
DEFAULT_HTML_TAGS = (
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del",
    "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time",
    "tr", "u", "ul", "var",
)  # fmt: skip


@dataclass(frozen=True)
class HtmlPolicy:
    tags: tuple[str, ...]
    iframe_hosts: tuple[str, ...]  # iframes are allowed only from these https hosts


@dataclass(frozen=True)
class SiteConfig:
    title: dict[str, str]
    base_url: str  # no trailing slash
    languages: tuple[str, ...]
    per_page: int
    timezone: str
    description: dict[str, str]
    author: str
    retain: tuple[str, ...]
    html: HtmlPolicy
    feed_limit: int = 50  # entries in each Atom feed: the latest articles (Hugo's rssLimit)
    dead_links: str = "error"  # or "warning": what a link to no page or id is (links.LEVELS)
    search: bool = True  # a search page per language and its Pagefind index; False: neither
    # The line of each language in site.yaml, for problems about one (a language without a catalog).
    language_lines: tuple[int, ...] = field(default=(), compare=False, repr=False)

    @property
    def default_language(self) -> str:
        return self.languages[0]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _languages(node: Any, reading: s.Reading) -> tuple[str, ...]:
    langs = s.text_list(node, reading)
    for lang in langs:
        if not lang.isalpha() or not lang.islower() or len(lang) > 3:
            raise s.Invalid(f"'{lang}' is not a language code; write codes such as en, zh")
    if not langs:
        raise s.Invalid("list at least one language")
    return langs


def _timezone(node: Any, reading: s.Reading) -> str:
    name = s.text(node, reading)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise s.Invalid(f"unknown time zone '{name}'; write an IANA name such as Asia/Shanghai") from None
    return name


_UNSAFE_BASE = re.compile(r"[\s\"'<>;{}\\]")  # nginx's _redirects.conf and HTML attributes take the base path as is


def _base_url(node: Any, reading: s.Reading) -> str:
    value = s.text(node, reading)
    if scheme_of(value) not in ("http", "https"):
        raise s.Invalid(f"'{value}' must start with https:// or http://")
    if _UNSAFE_BASE.search(value):
        raise s.Invalid(f"'{value}' holds a space, quote, ';' or brace, which links and server files cannot carry; remove it")
    return value.rstrip("/")


_HTML = s.Schema(
    "html allowlist",
    {"tags": s.Field(s.text_list, default=()), "iframe_hosts": s.Field(s.text_list, default=())},
)

SITE = s.Schema(
    "site.yaml",
    {
        "title": s.Field(s.localized, required=True, example="Partnership News"),
        "base_url": s.Field(_base_url, required=True, example="https://news.example.org"),
        "languages": s.Field(_languages, default=("en",)),
        "per_page": s.Field(s.positive_int, default=10),
        "timezone": s.Field(_timezone, default="UTC"),
        "description": s.Field(s.localized, default=None),
        "author": s.Field(s.text, default=""),
        "retain": s.Field(s.text_list, default=(".git", "CNAME", ".well-known")),
        "html": s.Field(s.mapping_of(_HTML), default=None),
        "feed_limit": s.Field(s.positive_int, default=50),
        "dead_links": s.Field(s.one_of(("error", "warning")), default="error"),
        "search": s.Field(s.boolean, default=True),
    },
)


def check_source_date_epoch() -> None:
    """SOURCE_DATE_EPOCH (reproducible builds) must be a whole number when set; render reads it."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    # ASCII digits only ('²' is a digit to str.isdigit), and a time before the year 10000.
    if value is not None and not (value.strip().isascii() and value.strip().isdigit() and int(value) < 253402300800):
        why = "is not a whole number of seconds since 1970 (and before the year 10000); unset it or fix it"
        raise fail("SOURCE_DATE_EPOCH", 0, f"'{value}' {why}")


def load_config(root: Path, base_url: str | None = None, data: bytes | None = None) -> SiteConfig:
    """site.yaml of the project at `root` (or its bytes, `data`, already read); BuildError when wrong."""
    check_source_date_epoch()
    if base_url is not None and (scheme_of(base_url) not in ("http", "https") or "//" not in base_url or _UNSAFE_BASE.search(base_url)):
        raise fail("--base-url", 0, f"'{base_url}' must be an absolute http(s) URL such as https://staging.example.org")
    path = root / CONFIG_FILE
    if data is None and not path.is_file():
        raise fail(CONFIG_FILE, 0, "not found; create it with at least 'title:' and 'base_url:'")
    text = read_text(path, CONFIG_FILE) if data is None else decode(data, CONFIG_FILE)
    problems = Problems()
    # Languages are needed to read localized fields, so read them first on their own.
    node = compose(text, CONFIG_FILE)
    langs: tuple[str, ...] = ("en",)
    lines: tuple[int, ...] = ()
    if node is not None:
        for key_node, value_node in node.value:
            if key_node.value == "languages":
                items = value_node.value if isinstance(value_node, SequenceNode) else []
                lines = tuple(line_of(item, 0) for item in items) or (line_of(key_node, 0),)
                with contextlib.suppress(s.Invalid):  # reported by the full read below
                    langs = _languages(value_node, s.Reading(("en",), CONFIG_FILE, 0))
    values, _ = s.read(SITE, node, s.Reading(langs, CONFIG_FILE, 0), problems)
    problems.raise_if_any()
    html = values["html"] or {"tags": (), "iframe_hosts": ()}
    return SiteConfig(
        title=values["title"],
        base_url=(base_url or values["base_url"]).rstrip("/"),
        languages=values["languages"],
        per_page=values["per_page"],
        timezone=values["timezone"],
        description=values["description"] or {},
        author=values["author"],
        retain=values["retain"],
        feed_limit=values["feed_limit"],
        dead_links=values["dead_links"],
        search=values["search"],
        language_lines=lines,
        html=HtmlPolicy(
            tags=tuple(sorted(set(DEFAULT_HTML_TAGS) | set(html["tags"]) | ({"iframe"} if html["iframe_hosts"] else set()))),
            iframe_hosts=tuple(html["iframe_hosts"]),
        ),
    )
