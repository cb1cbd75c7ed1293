"""Shared fixtures: inline mini-sites built in a temporary folder (after Hugo's integration tests)."""

from __future__ import annotations

import http.client
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlencode

import pytest
from hypothesis import settings
from playwright.sync_api import Browser, sync_playwright

import newshub.build as build_module
import newshub.parse as parse_module
from newshub import parallel
from newshub.build import Build
from newshub.config import SiteConfig
from newshub.discover import Source
from newshub.errors import BuildError, Problem
from newshub.markdown import FrontMatterOnly
from newshub.parse import Parsed
from newshub.pipeline import Options, build
from newshub.watch import Batch, classify_path

# Property tests explore the same examples on every run, so CI is reproducible; set
# HYPOTHESIS_PROFILE=explore locally to search with fresh random examples.
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.register_profile("explore", deadline=None, max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO = Path(__file__).resolve().parent.parent

MINIMAL_CONFIG = """\
title:
  en: Test Hub
  zh: 测试
base_url: https://hub.example.org
languages: [en, zh]
timezone: Asia/Shanghai
per_page: 2
"""

MakeSite = Callable[..., Path]
# Debian's Chromium, headless; no background networking (this machine's closed network refuses it).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
CHROMIUM_ARGS += ["--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for a test module; skipped with the reason where it is not installed."""
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    with sync_playwright() as p:
        chromium = p.chromium.launch(headless=True, executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's sample site (content/, templates/, assets/), built once for a test module."""
    out = tmp_path_factory.mktemp("sample") / "site"
    build(Options(root=REPO, output=out, cache=False, jobs=1))
    return out


@pytest.fixture(scope="module")
def port(site: Path) -> Iterator[int]:
    """`site` served over HTTP; every response carries deploy/_headers, the CSP included."""
    from .hardening.deployed import static_server  # it imports this module: not at the top

    with static_server(site) as number:
        yield number


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """make_site({"content/news/a.md": "..."}) -> project root with the repo's theme and assets.

    content/site.yaml defaults to MINIMAL_CONFIG; pass it in `files` to override. Bytes values are
    written as-is (for encoding tests).
    """

    def make(files: dict[str, str | bytes], theme: bool = True, name: str = "project") -> Path:
        root = tmp_path / name
        root.mkdir()
        if theme:
            shutil.copytree(REPO / "templates", root / "templates")
            shutil.copytree(REPO / "assets", root / "assets")
        write_files(root, {"content/site.yaml": MINIMAL_CONFIG, **files})
        return root

    return make


def theme_site(name: str, folder: Path) -> Path:
    """tests/sites/<name>/ copied into `folder` over the repository's theme and assets: a test site
    holds its content/ and, like a site that adds a language, only the theme files it adds
    (templates/i18n/fr.yaml)."""
    root = folder / name
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "assets", root / "assets")
    shutil.copytree(REPO / "tests" / "sites" / name, root, dirs_exist_ok=True)
    return root


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    """Write each file below `root` (bytes as-is, text as UTF-8), creating folders."""
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")


def run_cli(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m newshub` in `root` as a user would, capturing output."""
    return subprocess.run(
        [sys.executable, "-m", "newshub", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by relative path, for byte-for-byte comparisons."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- mini-sites that change: random edits, the preview's Build against a fresh `newshub build` ---

TAGS = ["health", "robots", "data", "ai", "ethics"]
PROJECTS = ["alpha", "beta", "gamma"]
PARTNERS = ["hospital", "campus"]
WORDS = ["the", "quick", "hospital", "study", "shows", "new", "results", "for", "patients", "and", "partners", "in", "every", "season"]
PREVIEW_URL = "http://127.0.0.1:8000"


def preview_options(root: Path, drafts: bool = True, cache: bool = False) -> Options:
    """What a test's Build is given: serial, no build cache on disk unless asked, drafts shown."""
    return Options(root=root, drafts=drafts, future=drafts, base_url=PREVIEW_URL, cache=cache, jobs=1)


def project_yaml(rng: random.Random, pid: str) -> str:
    status = rng.choice(["planned", "signed", "active", "completed"])
    partners = rng.sample(PARTNERS, rng.randint(0, 2))
    text = f"title:\n  en: Project {pid} {rng.choice(WORDS)}\n  zh: 项目 {pid}\nstatus: {status}\npartners: [{', '.join(partners)}]\n"
    # A history and milestones (calendars, feed entries, the board), from their own generator so
    # that the choices above stay what they were.
    more = random.Random(f"{pid}:{status}")
    if status != "planned" and more.random() < 0.7:
        steps = ["planned", *(["active"] if status == "completed" else []), status]
        text += "status_history:\n" + "".join(
            f"  - {{date: 2024-0{3 + i}-0{more.randint(1, 9)}, status: {s}}}\n" for i, s in enumerate(steps)
        )
    for _ in range(more.randint(0, 2)):
        text += "milestones:\n" if "milestones:" not in text else ""
        day = f"202{more.randint(4, 8)}-0{more.randint(1, 9)}-1{more.randint(0, 9)}"
        text += f"  - {{date: {day}, title: Step {more.randint(1, 9)}, done: {more.choice(['true', 'false'])}}}\n"
    return text


def partner_yaml(rng: random.Random, pid: str) -> str:
    return f"name:\n  en: Partner {pid} {rng.choice(WORDS)}\nkind: {rng.choice(['hospital', 'university'])}\n"


def article(rng: random.Random, draft_ok: bool = True) -> str:
    tags = rng.sample(TAGS, rng.randint(0, 2))
    projects = rng.sample(PROJECTS, rng.randint(0, 1))
    partners = rng.sample(PARTNERS, rng.randint(0, 1))
    day = rng.randint(1, 6)
    draft = "draft: true\n" if draft_ok and rng.random() < 0.15 else ""
    body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 30)))
    return (
        f"---\ntitle: {rng.choice(WORDS).title()} {rng.randint(1, 99)}\ndate: 2024-05-0{day}\n"
        f"tags: [{', '.join(tags)}]\nprojects: [{', '.join(projects)}]\npartners: [{', '.join(partners)}]\n{draft}---\n\n{body}.\n"
    )


def edit_body(text: str, rng: random.Random) -> str:
    head, sep, body = text.rpartition("---\n")
    return head + sep + body.rstrip("\n") + f" {rng.choice(WORDS)} {rng.randint(0, 999)}.\n"


def edit_title(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    return "\n".join(f"title: Retitled {rng.randint(0, 999)}" if line.startswith("title:") else line for line in lines)


def start_files(rng: random.Random) -> dict[str, str]:
    files = {f"content/projects/{pid}.yaml": project_yaml(rng, pid) for pid in PROJECTS}
    files.update({f"content/partners/{pid}.yaml": partner_yaml(rng, pid) for pid in PARTNERS})
    for i in range(5):
        files[f"content/news/2024-05-0{i + 1}-story-{i}.md"] = article(rng)
    files["content/news/story-1.zh.md"] = article(rng, draft_ok=False).replace("title: ", "title: 中文 ")
    files["content/pages/about.md"] = "---\ntitle: About\n---\n\nAbout us.\n"
    return files


class Sequence:
    """Random steps on a project folder; each returns the paths it touched."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root = root
        self.rng = rng
        self.broken: dict[str, str] = {}  # rel -> the good text to put back

    def news(self) -> list[str]:
        folder = self.root / "content/news"
        return sorted(f"content/news/{p.name}" for p in folder.iterdir())

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def write(self, rel: str, text: str) -> None:
        save(self.root / rel, text)

    def step(self) -> list[str]:
        rng = self.rng
        news = self.news()
        if self.broken and rng.random() < 0.5:
            rel, text = self.broken.popitem()
            self.write(rel, text)
            return [rel]
        kinds = ["body", "body", "body", "title", "article", "add", "delete", "rename", "break", "dangling", "warning"]
        choice = rng.choice([*kinds, "project", "page", "template", "asset", "config"])
        if choice in ("body", "title", "article", "break", "dangling", "warning") and news:
            rel = rng.choice(news)
            text = self.read(rel)
            if choice == "body":
                self.write(rel, edit_body(text, rng))
            elif choice == "title":
                self.write(rel, edit_title(text, rng))
            elif choice == "article":
                self.write(rel, article(rng))
            elif choice == "warning":  # raw HTML the sanitiser drops: a warning, not an error
                self.write(rel, text.rstrip("\n") + f"\n\n<script>alert({rng.randint(0, 99)})</script>\n")
            elif choice == "dangling":
                self.broken.setdefault(rel, text)
                self.write(rel, text.replace("projects: [", "projects: [nowhere, ", 1))
            else:
                self.broken.setdefault(rel, text)
                self.write(rel, text.replace("title:", "title: [unclosed", 1))
            return [rel]
        if choice == "add" or not news:
            rel = f"content/news/2024-05-0{rng.randint(1, 6)}-new-{rng.randint(0, 9999)}.md"
            self.write(rel, article(rng))
            return [rel]
        if choice == "delete":
            rel = rng.choice(news)
            if rel in self.broken:
                return []
            (self.root / rel).unlink()
            return [rel]
        if choice == "rename":
            rel = rng.choice(news)
            if rel in self.broken:
                return []
            new = f"content/news/renamed-{rng.randint(0, 9999)}.md"
            os.replace(self.root / rel, self.root / new)
            return [rel, new]
        if choice == "project":
            pid = rng.choice(PROJECTS)
            rel = f"content/projects/{pid}.yaml"
            self.write(rel, project_yaml(rng, pid))
            return [rel]
        if choice == "page":
            self.write("content/pages/about.md", f"---\ntitle: About {rng.randint(0, 9)}\n---\n\n{rng.choice(WORDS)}.\n")
            return ["content/pages/about.md"]
        if choice == "template":
            rel = "templates/article.html"
            text = self.read(rel)
            marker = f"<!-- edit {rng.randint(0, 9999)} -->"
            self.write(rel, text.replace("{% block main %}", "{% block main %}" + marker, 1))
            return [rel]
        if choice == "asset":
            rel = "assets/css/site.css"
            self.write(rel, self.read(rel) + f"\n/* {rng.randint(0, 9999)} */\n")
            return [rel]
        per_page = rng.randint(1, 4)
        self.write("content/site.yaml", MINIMAL_CONFIG.replace("per_page: 2", f"per_page: {per_page}"))
        return ["content/site.yaml"]


def batch_of(paths: list[str]) -> Batch:
    """The batch the watcher would give for these changed paths."""
    batch = Batch()
    for rel in paths:
        classify_path(rel, False, batch)
    return batch


def apply_batch(project: Build, batch: Batch) -> bool:
    """A batch applied as `newshub serve` applies the watcher's."""
    return project.take(batch)


@dataclass
class Fresh:
    """What `newshub build` does from scratch (no cache) with the project as it is now."""

    files: dict[str, bytes] | None  # None: the build stopped
    problems: list[Problem]
    warnings: list[Problem]


def fresh(options: Options) -> Fresh:
    """A real `newshub build` of the project into a folder beside it, read back from disk."""
    out = options.root.parent / f"{options.root.name}-fresh-build"
    report = None
    try:
        report = build(replace(options, output=out, cache=False, jobs=1, progress=False))
    except BuildError as exc:
        return Fresh(None, exc.problems, [])
    return Fresh(tree(out), [], sorted(set(report.warnings)))


def assert_same(project: Build, options: Options, step: str) -> Fresh:
    """The Build, once a cold start's bodies are in, is what a fresh build writes, file for file
    and warning for warning, or stops with the same errors."""
    project.finish_loading()
    assert project.background is None, step
    expected = fresh(options)
    if expected.files is None:
        assert project.errors == sorted(set(expected.problems)), step
        return expected
    assert project.errors == [], step
    got = project.everything()
    assert project.errors == [], f"{step}: a page failed to render: {project.errors}"
    assert sorted(got) == sorted(expected.files), step
    assert sorted(project.output()) == sorted(expected.files), step
    different = [name for name in expected.files if got[name] != expected.files[name]]
    assert not different, f"{step}: {different[:5]}"
    assert project.warnings == expected.warnings, step
    return expected


class Parses:
    """Every call of parse() that Build makes (its own, and the background parse's when it runs in
    this process): (source path, True for a full parse, False for front matter only)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[str, bool]] = []
        self.counting = True
        original = parse_module.parse

        def counting(source: Source, config: SiteConfig, renderer: object) -> Parsed:
            if self.counting:
                self.calls.append((source.rel, not isinstance(renderer, FrontMatterOnly)))
            return original(source, config, renderer)  # type: ignore[arg-type]

        monkeypatch.setattr(build_module, "parse", counting)
        monkeypatch.setattr(parallel, "parse", counting)

    def full(self) -> set[str]:
        """The files parsed in full so far."""
        return {rel for rel, full in self.calls if full}

    def clear(self) -> None:
        self.calls.clear()

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Not counted: the parses of a fresh build made to compare with."""
        self.counting = False
        try:
            yield
        finally:
            self.counting = True


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Parses:
    return Parses(monkeypatch)


# --- the real server: pages, their reload tokens, and their event streams ----------------------

TOKEN = re.compile(rb'<script src="/__newshub__/reload\.js" data-build="([^"]+)" defer></script>')


def page_token(body: bytes) -> str:
    """The token reload.js would send: what the open page holds."""
    found = TOKEN.search(body)
    assert found is not None, body[-300:]
    return found.group(1).decode()


PANEL = re.compile(rb'(<link rel="stylesheet" href="/__newshub__/overlay\.css">)?<aside id="newshub-warnings".*?</aside>', re.S)


def without_script(body: bytes) -> bytes:
    """A served page as the build writes it: the reload script and the warnings panel are added
    only while serving."""
    return PANEL.sub(b"", TOKEN.sub(b"", body))


class Events:
    """/__newshub__/events for one open page, as reload.js opens it."""

    def __init__(self, port: int, path: str, token: str, timeout: float = 10.0) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        query = urlencode({"page": path, "since": token})
        self.conn.request("GET", f"/__newshub__/events?{query}", headers={"Host": f"127.0.0.1:{port}"})
        self.response = self.conn.getresponse()
        self.data = ""
        assert self.response.status == 200
        assert self.response.getheader("Content-Type") == "text/event-stream"

    def next(self) -> str | None:
        """The next message: 'keep-alive', 'reload', or None when the stream ended or nothing came
        within the timeout (after which the stream cannot be read again). A reload's data, the page
        it carries, is then in `data`, as EventSource gives it to reload.js."""
        lines: list[str] = []
        try:
            while True:
                line = self.response.readline()
                if not line:
                    return None
                if line.strip():
                    lines.append(line.decode().rstrip("\r\n"))
                elif lines:
                    break
        except (TimeoutError, OSError):
            return None
        if lines[0].startswith(":"):
            return "keep-alive"
        if lines[0] == "event: reload":
            self.data = "\n".join(line.removeprefix("data:").removeprefix(" ") for line in lines[1:])
            return "reload"
        return "\n".join(lines)

    def close(self) -> None:
        self.conn.close()


def age(root: Path, seconds: float = 60.0) -> None:
    """Date every watched file and folder back, so that the server's start finds nothing saved
    during its first build and rescans nothing: the only change it sees is the test's."""
    when = time.time() - seconds
    for name in ("content", "templates", "assets"):
        for folder, _dirs, files in os.walk(root / name):
            for entry in [*(os.path.join(folder, f) for f in files), folder]:
                os.utime(entry, (when, when))


def save(path: Path, text: str) -> None:
    """Write through a temporary file and a rename, as editors do: the watcher never sees half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
