"""Whole-site invariants for a built output folder: each checker returns a list of readable problems.

    xml_problems(out)           every .xml file is well-formed XML
    control_char_problems(out)  no C0 control character (but TAB, LF, CR) and no DEL in any text file
    url_problems(out)           every URL the output carries is an RFC 3986 URI-reference

Not a test module: tests/test_invariants.py runs these on real sites and on small faulty folders.
"""

from __future__ import annotations

import ipaddress
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from .htmltools import PageParser

# Text output a static site carries; other files (images, fonts) are binary and may hold any byte.
TEXT_SUFFIXES = {".html", ".htm", ".xml", ".txt", ".json", ".css", ".js", ".mjs", ".svg", ".webmanifest", ".map"}

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
# Elements whose text is a URI: Atom's id, icon, logo and a person's uri (RFC 4287), the sitemap's loc.
XML_URL_ELEMENTS = {f"{ATOM}id", f"{ATOM}icon", f"{ATOM}logo", f"{ATOM}uri", f"{SITEMAP}loc"}
# Attributes whose value is a URI in Atom (link href, generator uri, category scheme) and the sitemap (xhtml:link href).
XML_URL_ATTRIBUTES = {"href", "uri", "scheme", XML_BASE}

# <meta property|name> whose content is a URL (Open Graph, Twitter cards); other metas holding an
# absolute or root-relative URL are already among PageParser.refs.
META_URL_KEYS = {"og:url", "og:image", "og:video", "og:audio", "twitter:image", "twitter:url", "twitter:player"}
# schema.org properties whose string values are URLs; the theme emits "url" (templates/article.html).
JSON_LD_URL_KEYS = {"@context", "@id", "url", "image", "logo", "mainEntityOfPage", "sameAs", "contentUrl", "thumbnailUrl", "embedUrl"}
# HTML URL attributes PageParser does not collect.
EXTRA_URL_ATTRS = {"cite", "formaction", "xlink:href"}

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A numeric character reference to the same characters is as invalid in XML 1.0 and a parse error in HTML.
CONTROL_REF = re.compile(r"&#(?:[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]|7[fF])|0*(?:[0-8]|1[1-2]|1[4-9]|2[0-9]|3[01]|127));")


def text_files(out: Path, suffixes: set[str] = TEXT_SUFFIXES) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)


def rel(out: Path, path: Path) -> str:
    return path.relative_to(out).as_posix()


def excerpt(text: str, index: int, width: int = 30) -> str:
    """The text around `index`, repr'd so control characters show as escapes."""
    return repr(text[max(0, index - width) : index + width])


# --- XML -----------------------------------------------------------------------------------------


def xml_problems(out: Path) -> list[str]:
    """Every .xml file (feeds, sitemap) that xml.etree.ElementTree cannot parse, with the line it stops at."""
    problems = []
    for path in text_files(out, {".xml"}):
        data = path.read_bytes()
        try:
            ET.fromstring(data)
        except ET.ParseError as error:
            line, column = error.position
            text = data.decode("utf-8", "replace").split("\n")[line - 1] if line else ""
            problems.append(f"{rel(out, path)}:{line}: {error}: {excerpt(text, column)}")
    return problems


# --- control characters --------------------------------------------------------------------------


def control_char_problems(out: Path) -> list[str]:
    """Each C0 control character but TAB, LF and CR, and each DEL, in a text file, as file:line: U+XXXX.

    Character references to them (&#2;) count too: XML 1.0 forbids them and HTML calls them parse errors."""
    problems = []
    for path in text_files(out):
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(f"{rel(out, path)}: not UTF-8: {error}")
            continue
        # split("\n"), not splitlines(): splitlines() also breaks at some of the very characters sought.
        for number, line in enumerate(text.split("\n"), 1):
            for match in CONTROL.finditer(line):
                problems.append(f"{rel(out, path)}:{number}: U+{ord(match[0]):04X} in {excerpt(line, match.start())}")
            for match in CONTROL_REF.finditer(line):
                code = int(match[0][3:-1], 16) if match[0][2] in "xX" else int(match[0][2:-1])
                problems.append(f"{rel(out, path)}:{number}: U+{code:04X} as {match[0]} in {excerpt(line, match.start())}")
    return problems


# --- URLs: the RFC 3986 grammar ------------------------------------------------------------------

# RFC 3986, Appendix A, rule by rule (ASCII only: newshub percent-encodes everything else).
UNRESERVED = r"A-Za-z0-9\-._~"
SUB_DELIMS = r"!$&'()*+,;="
PCT_ENCODED = r"%[0-9A-Fa-f]{2}"
PCHAR = rf"(?:[{UNRESERVED}{SUB_DELIMS}:@]|{PCT_ENCODED})"
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+\-.]*")
USERINFO = re.compile(rf"(?:[{UNRESERVED}{SUB_DELIMS}:]|{PCT_ENCODED})*")
REG_NAME = re.compile(rf"(?:[{UNRESERVED}{SUB_DELIMS}]|{PCT_ENCODED})*")
IPV_FUTURE = re.compile(rf"v[0-9A-Fa-f]+\.[{UNRESERVED}{SUB_DELIMS}:]+")
PORT = re.compile(r"[0-9]*")
# authority = [ userinfo "@" ] host [ ":" port ]: an IP literal is bracketed, a reg-name holds no ':'.
AUTHORITY = re.compile(r"(?:([^@]*)@)?(\[[^\]]*\]|[^:\[\]]*)(?::(.*))?", re.DOTALL)
PATH = re.compile(rf"(?:{PCHAR}|/)*")  # path-abempty / path-absolute / path-rootless / path-noscheme / path-empty
QUERY_OR_FRAGMENT = re.compile(rf"(?:{PCHAR}|[/?])*")
# Appendix B: splits any string into scheme, authority, path, query and fragment (validating nothing).
SPLIT = re.compile(r"(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?", re.DOTALL)
ALLOWED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%")


def host_error(host: str) -> str | None:
    """host = IP-literal / IPv4address / reg-name (RFC 3986 section 3.2.2); an IPv4 address is also a valid reg-name."""
    if host.startswith("["):
        literal = host[1:-1]
        if IPV_FUTURE.fullmatch(literal) or ("%" not in literal and is_ipv6(literal)):  # no zone ids (RFC 6874) in RFC 3986
            return None
        return f"bad IP literal {host!r}"
    return None if REG_NAME.fullmatch(host) else f"bad host {host!r}"


def is_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def url_error(url: str) -> str | None:
    """Why `url` is not a URI-reference (RFC 3986 section 4.1: URI / relative-ref), or None when it is one.

    Follows the ABNF of RFC 3986 section 3 and Appendix A: scheme (3.1), authority (3.2: userinfo,
    host, port), path (3.3), query (3.4), fragment (3.5), and percent-encoding (2.1: '%' HEXDIG HEXDIG).
    One rule the grammar leaves out is added: an http or https URI must name a host (RFC 9110 4.2).
    The rfc3986 package does not serve here: its parser percent-encodes what it finds invalid, so
    '%7B%%20link' or 'a b' come out valid."""
    for index, char in enumerate(url):
        if char not in ALLOWED:
            return f"character {char!r} (U+{ord(char):04X}) at {index} is not allowed"
    if bad := re.search(r"%(?![0-9A-Fa-f]{2})", url):
        return f"'%' at {bad.start()} is not followed by two hex digits"
    match = SPLIT.fullmatch(url)
    assert match is not None  # every string matches Appendix B's expression
    scheme, authority, path, query, fragment = match.groups()
    if scheme is not None and not SCHEME.fullmatch(scheme):
        # Appendix B reads text before the first ':' as a scheme; a relative-ref cannot have that ':' either (path-noscheme).
        return f"malformed scheme {scheme!r}"
    if scheme is None and ":" in path.partition("/")[0]:
        return f"':' in the first segment of relative path {path!r} (path-noscheme)"
    host = ""
    if authority is not None:
        parts = AUTHORITY.fullmatch(authority)
        if parts is None:
            return f"bad authority {authority!r}"
        userinfo, host, port = parts.groups()
        if userinfo is not None and not USERINFO.fullmatch(userinfo):
            return f"bad userinfo {userinfo!r}"
        if error := host_error(host):
            return error
        if port is not None and not PORT.fullmatch(port):
            return f"bad port {port!r}"
    if scheme is not None and scheme.lower() in ("http", "https") and not host:
        return f"{scheme} URL without a host"
    if not PATH.fullmatch(path):
        return f"bad path {path!r}"
    if query is not None and not QUERY_OR_FRAGMENT.fullmatch(query):
        return f"bad query {query!r}"
    if fragment is not None and not QUERY_OR_FRAGMENT.fullmatch(fragment):
        return f"bad fragment {fragment!r}"
    return None


# --- URLs: where the output carries them ---------------------------------------------------------


class UrlParser(PageParser):
    """PageParser's references plus URL-valued <meta> content, the other URL attributes and JSON-LD blocks.

    Attribute values reach handle_starttag with their character references already decoded."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []  # (where, url)
        self.json_ld: list[str] = []
        self._ld: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        super().handle_starttag(tag, attrs)
        values = {name: value or "" for name, value in attrs}
        key = values.get("property") or values.get("name") or ""
        if tag == "meta" and "content" in values and (key in META_URL_KEYS or key.endswith((":url", ":secure_url"))):
            self.urls.append((f"<meta {key} content>", values["content"]))
        for name in EXTRA_URL_ATTRS & values.keys():
            self.urls.append((f"<{tag} {name}>", values[name]))
        if tag == "script" and values.get("type", "").lower() == "application/ld+json":
            self._ld = []

    def handle_endtag(self, tag: str) -> None:
        super().handle_endtag(tag)
        if tag == "script" and self._ld is not None:
            self.json_ld.append("".join(self._ld))
            self._ld = None

    def handle_data(self, data: str) -> None:
        super().handle_data(data)
        if self._ld is not None:
            self._ld.append(data)


def json_ld_urls(value: object, path: str = "$") -> Iterator[tuple[str, str]]:
    """Every string under a URL-valued key (JSON_LD_URL_KEYS) anywhere in a JSON-LD document, with its path."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in JSON_LD_URL_KEYS:
                yield from ((f"{path}.{key}{sub}", url) for sub, url in strings(item))
            yield from json_ld_urls(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from json_ld_urls(item, f"{path}[{index}]")


def strings(value: object, path: str = "") -> Iterator[tuple[str, str]]:
    """A string, or the strings of a list ("sameAs": [...]); objects under URL keys are walked by json_ld_urls."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings(item, f"{path}[{index}]")


def html_urls(markup: str) -> Iterator[tuple[str, str]]:
    """Every URL of an HTML document or fragment, with where it stands."""
    parser = UrlParser()
    parser.feed(markup)
    parser.close()
    yield from ((f"<{tag} {attr}>", url) for tag, attr, url in parser.refs)
    yield from parser.urls
    for block in parser.json_ld:
        try:
            data = json.loads(block)
        except ValueError as error:
            yield f"JSON-LD that does not parse ({error})", ""
            continue
        yield from ((f"JSON-LD {where}", url) for where, url in json_ld_urls(data))


def xml_urls(root: ET.Element) -> Iterator[tuple[str, str]]:
    """Every URL of an Atom feed or sitemap, and of the HTML an Atom <content type="html"> carries."""
    for element in root.iter():
        name = element.tag.replace(ATOM, "atom:").replace(SITEMAP, "").replace(XHTML, "xhtml:")
        for attribute in XML_URL_ATTRIBUTES & element.attrib.keys():
            yield f"<{name} {attribute.replace(XML_BASE, 'xml:base')}>", element.attrib[attribute]
        if element.tag in XML_URL_ELEMENTS:
            yield f"<{name}>", element.text or ""
        if element.tag == f"{ATOM}content" and element.get("type") == "html":
            yield from ((f"<atom:content> {where}", url) for where, url in html_urls(element.text or ""))


def robots_urls(text: str) -> Iterator[tuple[str, str]]:
    for line in text.split("\n"):
        field, colon, value = line.partition(":")
        if colon and field.strip().lower() == "sitemap":
            yield "Sitemap:", value.strip()


def url_problems(out: Path) -> list[str]:
    """Every URL in the output that is not an RFC 3986 URI-reference, as 'file: where 'url': why'.

    HTML: PageParser's references (href, src, srcset, action, poster, data, URL-like <meta content>),
    cite/formaction/xlink:href, Open Graph and Twitter <meta> URLs and JSON-LD. XML: Atom and sitemap
    URI attributes and elements, and the HTML inside Atom content. robots.txt: its Sitemap: lines.
    XML that does not parse is left to xml_problems."""
    problems = []
    for path in text_files(out, {".html", ".htm", ".xml", ".txt"}):
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".xml":
            try:
                found: Iterator[tuple[str, str]] = xml_urls(ET.fromstring(path.read_bytes()))
            except ET.ParseError:
                continue
        elif path.suffix == ".txt":
            found = robots_urls(text) if path.name == "robots.txt" else iter(())
        else:
            found = html_urls(text)
        for where, url in dict.fromkeys(found):  # one report for a URL repeated in the same place
            if where.startswith("JSON-LD that does not parse"):
                problems.append(f"{rel(out, path)}: {where}")
            elif error := url_error(url):
                problems.append(f"{rel(out, path)}: {where} {url!r}: {error}")
    return problems
