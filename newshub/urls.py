"""Slugs, site paths and link safety: the one place that decides what a URL may be."""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from urllib.parse import quote, urljoin

# Names a file system or the site itself already uses; a slug may not take them.
_WINDOWS = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
RESERVED_TOP = {
    "news",
    "projects",
    "partners",
    "tags",
    "assets",
    "images",
    "search",
    "pagefind",  # the search index
    "feed.xml",
    "sitemap.xml",
    "robots.txt",
    "404",
    "404.html",
    "index",
}
_SLUG = re.compile(r"^[^\W_][\w-]*(?:\.[\w-]+)*$")  # dots between words: 'newshub-2.1.1-released'
_URL_SAFE = "!$%&'()*+,/:;=?@~"  # RFC 3986 sub-delims, ':', '@', '/', '?', and '%' of existing escapes
_AUTHORITY = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")
# A start tag of sanitised HTML (quoted attribute values may hold '>'), and a link attribute in it.
# Text never holds a raw '<', so an example in a code block is never taken for a link.
_START_TAG = re.compile(r"""<[A-Za-z][\w-]*(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*\s*/?>""")
_LINK_ATTR = re.compile(r'(\s(?:href|src|cite)=")([^"]*)(")')
_SRCSET = re.compile(r'(\ssrcset=")([^"]*)(")')  # 'url 480w, url 960w' (HTML: image candidate strings)
_BARE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# '+' and '#' that end a word name something ('C++', 'C#'); dropped, they would merge with 'C'.
_SYMBOLS = ((re.compile(r"(?<=[^\W_+])\+(?![^\W_])|(?<=\+)\+"), " plus "), (re.compile(r"(?<=[^\W_])#(?![^\W_])"), " sharp "))
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
SAFE_SCHEMES = {"http", "https", "mailto", "tel"}


@functools.lru_cache(maxsize=65536)  # the same few hundred tags on every article and page
def slugify(text: str) -> str:
    """Lower-case words joined by hyphens; letters of any script are kept (Chinese tags stay Chinese).

    'C++' gives 'c-plus-plus' and 'C#' 'c-sharp' (a '#' before a word, '#AI', is only punctuation);
    other punctuation separates words. Dots are separators too: 'Node.js' gives 'node-js'."""
    text = unicodedata.normalize("NFKC", text).lower()
    for pattern, word in _SYMBOLS:
        text = pattern.sub(word, text)
    words = re.findall(r"[^\W_]+", text)
    return "-".join(words)


@functools.lru_cache(maxsize=65536)
def term_key(name: str) -> str:
    """What makes two taxonomy terms the same term: 'AI', 'ai' and its full-width form are one term (as in Hugo),
    'AI' and 'AI!' are two, which check() refuses when they would share one URL."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def shown(text: str) -> str:
    """`text` for an error message: control characters (a NUL, a tab) as escapes, not raw bytes."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


@functools.lru_cache(maxsize=65536)
def slug_problem(slug: str) -> str | None:
    """Why `slug` cannot name a page, or None when it can."""
    if not slug:
        return "the slug is empty"
    if unicodedata.normalize("NFC", slug) != slug:
        return f"slug '{shown(slug)}' is not in Unicode NFC form; retype it"
    if not _SLUG.match(slug):
        return (
            f"slug '{shown(slug)}' may hold only letters, digits, hyphens and dots between them"
            " (no '/', '\\', '%', spaces, or a dot at either end)"
        )
    if slug.split(".")[0].lower() in _WINDOWS:  # Windows reserves 'con' and 'con.2' alike
        return f"slug '{slug}' is a reserved device name on Windows; choose another"
    return None


def page_url(*parts: str) -> str:
    """Site-relative pretty URL: page_url('zh', 'news', 'x') -> '/zh/news/x/'."""
    inner = "/".join(p.strip("/") for p in parts if p)
    return f"/{inner}/" if inner else "/"


def output_file(url: str) -> str:
    """Relative output path for a site URL: '/news/x/' -> 'news/x/index.html'."""
    rel = url.lstrip("/")
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    return rel


def href(url: str) -> str:
    """Percent-encode what HTML attributes and URL parsers do not accept, keep what is already encoded.

    The result is an RFC 3986 URI reference: a '%' that does not start a '%XX' escape becomes '%25'
    (section 2.1), so '{% link x %}' from a Jekyll post or '50%off' is valid; '[' and ']' are kept only
    around an IPv6 host (3.2.2); a '#' after the first, which starts the fragment, is encoded (3.5)."""
    url = _BARE_PERCENT.sub("%25", url)
    authority = _AUTHORITY.match(url)
    head = authority.group() if authority else ""
    rest, hash_mark, fragment = url[len(head) :].partition("#")
    return quote(head, safe=_URL_SAFE + "[]") + quote(rest, safe=_URL_SAFE) + hash_mark + quote(fragment, safe=_URL_SAFE)


def absolute_links(fragment: str, base: str) -> str:
    """`fragment` (sanitised HTML, attributes in double quotes) with every href, src and srcset resolved
    against `base`, the absolute URL of the page it comes from. Feed readers show an entry away from
    its page and many ignore xml:base, so '../first/' and '#details' must already lead where they
    lead on the page (as Hugo's absURL does for feeds)."""

    def resolve(match: re.Match[str]) -> str:
        url = urljoin(base, html.unescape(match.group(2)))
        return f"{match.group(1)}{html.escape(url)}{match.group(3)}"

    def resolve_set(match: re.Match[str]) -> str:
        candidates = [c.strip().split(" ", 1) for c in html.unescape(match.group(2)).split(", ")]
        joined = ", ".join(" ".join([urljoin(base, c[0]), *c[1:]]) for c in candidates)
        return f"{match.group(1)}{html.escape(joined)}{match.group(3)}"

    return _START_TAG.sub(lambda tag: _SRCSET.sub(resolve_set, _LINK_ATTR.sub(resolve, tag.group())), fragment)


def scheme_of(url: str) -> str | None:
    """The scheme a browser would see, after entities, case and hidden characters are undone."""
    cleaned = _INVISIBLE.sub("", html.unescape(url)).lower()
    match = _SCHEME.match(cleaned)
    return match.group(1) if match else None


def is_safe_link(url: str) -> bool:
    scheme = scheme_of(url)
    return scheme is None or scheme in SAFE_SCHEMES


def safe_external_url(url: str) -> str | None:
    """An http(s) URL or a site path ('/x', not '//x') for YAML URL fields; None if unsafe."""
    scheme = scheme_of(url)
    if scheme in ("http", "https") and "//" in url:
        return url
    if scheme is None and url.startswith("/") and not url.startswith("//"):
        return url
    return None
