"""links: every internal link and #fragment on a rendered page must lead to a file the build writes
and to an element id on it, as Zola's internal link checker and htmltest require.

A page is scanned as it is rendered (in the render workers, or by the preview on request):
`Scanner.scan` resolves each `<a href>` and `<area href>` against the page and the set of output
files, and keeps what could be wrong: links to no file, and #fragments, which need the target's ids.
`LinkCheck` gathers the scans of a whole site and gives the dead links as problems, each placed at
the source line that wrote it (the Markdown or YAML file, else the template) by `locate`.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from .assemble import item_url
from .config import SiteConfig
from .errors import Problem
from .model import Article, Page, Route
from .schedule import Publishing, publish_time
from .urls import output_file

_HREF = re.compile(rb'<(?:a|area)\s(?:[^>]*?\s)?href="([^"]*)"', re.IGNORECASE)
# Any 'id="..."' after white space: in a tag, or (rarely) written as text, which can only hide a
# dead #fragment. Searched as a literal and the space checked after: ten times faster than '\sid='.
_ID = re.compile(rb'id="([^"]*)"')
_SPACE = frozenset(b" \t\n\r\f")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
NO_TARGET = {"", "top"}  # '#' and '#top' scroll to the top of any page (HTML, "scroll to the fragment")
LEVELS = ("error", "warning")  # site.yaml dead_links


@dataclass(frozen=True, slots=True)
class PageScan:
    """What one HTML page links to that needs a second look.

    dead: hrefs (as written in the page) that lead to no output file, or to no id on the page itself;
    fragments: (href, target output file, fragment) for #fragments on other pages;
    id_list: the element ids of this page, sorted, each between NULs ('\0a\0b\0'); external:
    http(s) hrefs, kept only when asked for. A build keeps the scan of every page until all are
    rendered: one string and slots, not a frozenset and a __dict__, take a third of the memory."""

    dead: tuple[str, ...] = ()
    fragments: tuple[tuple[str, str, str], ...] = ()
    id_list: str = ""
    external: tuple[str, ...] = ()

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(self.id_list.split("\0")[1:-1])

    def has_id(self, fragment: str) -> bool:
        return "\0" not in fragment and f"\0{fragment}\0" in self.id_list


def page_ids(page: bytes) -> frozenset[str]:
    """The element ids of an HTML page, entity-decoded."""
    found = (m.group(1).decode("utf-8", "replace") for m in _ID.finditer(page) if page[m.start() - 1] in _SPACE)
    return frozenset(html.unescape(i) if "&" in i else i for i in found)


class Scanner:
    """Resolves the links of pages of one site.

    `known(file)` says whether an output file ('news/x/index.html') exists; `base_url` is the site's
    (links to it are internal); `external` keeps http(s) links to other sites for `check --external`."""

    def __init__(self, known: Callable[[str], bool], base_url: str, external: bool = False) -> None:
        self.known = known
        parts = urlsplit(base_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.base_path = parts.path.rstrip("/")
        self.external = external
        self._targets: dict[str, str | None] = {}  # site path -> output file, or None for none

    def target(self, path: str) -> str | None:
        """The output file a resolved site path (percent-encoded, with the base path) leads to, or None.
        A folder without its slash ('/news') counts: static hosts redirect it to '/news/'."""
        found = self._targets.get(path, "")
        if found != "":
            return found
        rel = unquote(path)
        if self.base_path:
            rel = rel[len(self.base_path) :] if rel == self.base_path or rel.startswith(self.base_path + "/") else "\0"
        file: str | None = output_file(rel or "/")
        if rel == "\0" or not self.known(file or ""):
            folder = output_file(rel.rstrip("/") + "/") if rel != "\0" and not rel.endswith("/") else None
            file = folder if folder is not None and self.known(folder) else None
        self._targets[path] = file
        return file

    def scan(self, url: str, page: bytes) -> PageScan:
        """The links of the page at site path `url` (without the base path) that need a second look."""
        ids = page_ids(page)
        here = self.base_path + url
        dead: list[str] = []
        fragments: list[tuple[str, str, str]] = []
        external: list[str] = []
        for raw in dict.fromkeys(_HREF.findall(page)):
            link = raw.decode("utf-8", "replace")
            link = html.unescape(link) if "&" in link else link
            if link.startswith("/") and not link.startswith("//") and "/." not in link:
                resolved = link  # a site path, the most common link: no need to resolve it
            elif link.startswith("#"):
                resolved = here + link
            elif link.startswith("//") or _SCHEME.match(link):
                if not link.startswith(self.origin + "/") and link != self.origin:
                    if self.external and link.startswith(("http://", "https://", "//")):
                        external.append(urljoin(self.origin + here, link))
                    continue
                resolved = link[len(self.origin) :] or "/"
            else:
                resolved = urljoin(here, link)
            path, _, fragment = resolved.partition("#")
            path = path.split("?", 1)[0]
            file = self.target(path)
            if file is None:
                dead.append(link)
                continue
            fragment = unquote(fragment)
            if fragment in NO_TARGET:
                continue
            if file == output_file(url):
                if fragment not in ids:
                    dead.append(link)
            elif file.endswith(".html"):
                fragments.append((link, file, fragment))
        kept = sorted(i for i in ids if "\0" not in i)  # no link can lead to one with a NUL (has_id)
        id_list = "\0" + "\0".join(kept) + "\0" if kept else ""
        return PageScan(tuple(dead), tuple(fragments), id_list, tuple(external))


@dataclass(frozen=True)
class LinkCheck:
    """The scans of a site's pages (output file -> scan), and the problems they add up to."""

    scans: Mapping[str, PageScan]

    def dead(self, files: Iterable[str] | None = None) -> list[tuple[str, str]]:
        """(page file, href) for every dead link; a #fragment to a page not scanned is not judged.
        `files`: look only at these pages' links (those with dead links or #fragments, if known)."""
        found: list[tuple[str, str]] = []
        for file in self.scans if files is None else files:
            scan = self.scans[file]
            if scan.dead:  # most pages have no dead link: no generator made for them (the preview asks after every save)
                found.extend((file, link) for link in scan.dead)
            for link, target, fragment in scan.fragments:
                if (page := self.scans.get(target)) is not None and not page.has_id(fragment):
                    found.append((file, link))
        return found

    def problems(self, locator: Locator) -> list[Problem]:
        """Every dead link of the scanned pages, placed where it was written."""
        return sorted({locator.problem(file, link, self.ids_of) for file, link in self.dead()})

    def ids_of(self, file: str) -> frozenset[str]:
        scan = self.scans.get(file)
        return scan.ids if scan is not None else frozenset()

    def external_places(self, locator: Locator) -> dict[str, list[tuple[str, int]]]:
        """External URL -> the (path, line) places that link to it."""
        found: dict[str, list[tuple[str, int]]] = {}
        for file, scan in self.scans.items():
            for url in scan.external:
                path, line, _, _ = locator.where(file, url)
                found.setdefault(url, []).append((path, line))
        return {url: sorted(set(places)) for url, places in sorted(found.items())}


def unpublished(items: Iterable[object], config: SiteConfig, publishing: Publishing) -> dict[str, str]:
    """Site path -> why it is not published ('a draft', 'scheduled for ...'), for the articles and
    pages a build leaves out: a link to one is dead now, and the message should say why."""
    found: dict[str, str] = {}
    for item in items:
        if isinstance(item, Article | Page) and not publishing.listed(item) and not publishing.withdrawn(item):
            when = publish_time(item)
            why = "that page is a draft" if item.draft else f"that page is scheduled for {when.isoformat() if when else '?'}"
            found[item_url(config, item)] = why
    return found


class Locator:
    """Turns a dead link of a page into a Problem at the line that wrote it: the page's own source
    file (Markdown or YAML) when the link is written there, else the template line, else the page's
    source or template with the page named."""

    def __init__(
        self,
        root: Path,
        routes: Mapping[str, Route],
        scanner: Scanner,
        unpublished: Callable[[], Mapping[str, str]] = dict,
        templates: str = "templates",
    ) -> None:
        self.root = root
        self._unpublished = unpublished  # site path -> why it is not published; asked only for a dead link
        self._left: Mapping[str, str] | None = None
        self.routes = routes
        self.scanner = scanner
        self.templates = templates
        self._texts: dict[str, list[str]] = {}
        self._urls: list[str] | None = None

    def _lines(self, rel: str) -> list[str]:
        if rel not in self._texts:
            try:
                self._texts[rel] = (self.root / rel).read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                self._texts[rel] = []
        return self._texts[rel]

    def _find(self, rel: str, needles: Iterable[str]) -> tuple[int, str]:
        """(line, form found) of the first needle written in file `rel`; (0, '') when none is.
        Each form is looked for as Markdown or HTML writes a link first, then anywhere: a link is
        placed at its line, not at an earlier line that mentions the address in prose."""
        lines = self._lines(rel)
        for needle in needles:
            for shape in (f"]({needle}", f"]: {needle}", f'="{needle}', f"<{needle}>", needle):
                for number, line in enumerate(lines, 1):
                    if shape in line:
                        return number, needle
        return 0, ""

    def _needles(self, link: str) -> list[str]:
        """How the link may have been written: as the page has it, without the site's origin and base path, decoded."""
        forms = [link]
        if link.startswith(self.scanner.origin):
            forms.append(link[len(self.scanner.origin) :])
        base = self.scanner.base_path
        forms += [form[len(base) :] for form in list(forms) if base and form.startswith(base + "/")]
        forms += [unquote(form) for form in list(forms)]
        return list(dict.fromkeys(f for f in forms if f))

    @staticmethod
    def _tails(link: str) -> list[str]:
        """What a template that builds the address with an expression still writes literally:
        `{{ url(prefix ~ 'abuot/') }}` has 'abuot/', `{{ url(x) }}#part` has '#part'."""
        path, hash_mark, fragment = unquote(link).partition("#")
        last = path.rstrip("/").rsplit("/", 1)[-1]
        tails = (
            [f"'{last}/'", f'"{last}/"', f"{last}/'", f'{last}/"']
            if last and path.endswith("/")
            else [f"{last}'", f'{last}"']
            if last
            else []
        )
        return [*(["#" + fragment] if hash_mark and fragment else []), *tails]  # the fragment is the more telling

    def where(self, file: str, link: str) -> tuple[str, int, str, str]:
        """(path, line, what to add to the message, the link as written there) for a dead link on output file `file`."""
        route = self.routes.get(file)
        needles = self._needles(link)
        if route is not None and route.source and (found := self._find(route.source, needles))[0]:
            return route.source, found[0], "", found[1]
        folder = self.root / self.templates
        templates = [p.relative_to(self.root).as_posix() for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")]
        for needle in [*needles, *self._tails(link)]:  # the most telling first, in whichever template has it
            for rel in templates if folder.is_dir() else ():
                line, _ = self._find(rel, [needle])
                if line:
                    return rel, line, "", link
        return f"{self.templates}/", 0, " (made by a template or a field)", link

    def problem(self, file: str, link: str, ids_of: Callable[[str], frozenset[str]]) -> Problem:
        """The dead `link` of output file `file`, with why and what to link instead; `ids_of` gives a page's ids."""
        path, line, on, written = self.where(file, link)
        route = self.routes.get(file)
        here = self.scanner.base_path + (route.url if route is not None else "/" + file)
        resolved = urljoin(self.scanner.origin + here, link)
        page, _, fragment = resolved.partition("#")
        site_path = urlsplit(page).path
        # The editor wrote '/about/' on a site under /hub: answer in the same form.
        bare = bool(self.scanner.base_path) and written.startswith("/") and not written.startswith(self.scanner.base_path + "/")
        shown = (lambda url: url[len(self.scanner.base_path) :] if url.startswith(self.scanner.base_path + "/") else url) if bare else str
        target = self.scanner.target(site_path)
        if target is None:
            why = "no page or file of the site has this URL"
            name = site_path.rsplit("/", 1)[-1]
            rel = unquote(site_path)[len(self.scanner.base_path) :]
            if why_left := self._left_out().get(rel):
                hint = f"; {why_left}: it is not published yet"
            elif rel.startswith("/assets/"):
                hint = "; files in assets/ are published under names with a content hash, which templates get from asset('...')"
            elif "." in name and not name.endswith(".html"):  # a file: a photo or document not found
                hint = "; check the file name, or put the file next to the page or in assets/"
            elif close := self._closest(site_path):
                hint = f"; did you mean '{shown(close)}'?"
            else:
                hint = "; check the spelling, or create the page"
        else:
            ids = ids_of(target)
            own = target == file and route is not None and path == route.source  # else a template line, shared by pages
            name = "this page" if own else shown(self._url_of(target))
            why = f"{name} has no element with id '{unquote(fragment)}'"
            near = difflib.get_close_matches(unquote(fragment), sorted(ids), n=1, cutoff=0.6)
            hint = f"; did you mean '#{near[0]}'?" if near else "; link to a heading's id (see the table of contents) or drop the '#...'"
        return Problem(path, line, f"dead link '{written}'{on}: {why}{hint}")

    def _left_out(self) -> Mapping[str, str]:
        if self._left is None:
            self._left = self._unpublished()
        return self._left

    def _url_of(self, file: str) -> str:
        route = self.routes.get(file)
        return self.scanner.base_path + (route.url if route is not None else "/" + file)

    def _closest(self, path: str) -> str | None:
        if self._urls is None:
            self._urls = sorted(self.scanner.base_path + route.url for route in self.routes.values())
        close = difflib.get_close_matches(unquote(path), self._urls, n=1, cutoff=0.8)
        return close[0] if close else None
