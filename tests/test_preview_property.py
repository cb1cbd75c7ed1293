"""The preview is the build, for any theme: random themes whose base, list and article templates read
random parts of `site`, and random sequences of edits, adds, deletes, renames, broken files and
fixes. After each step every file the running preview serves over HTTP equals what
`build --drafts --base-url <preview URL>` writes (less the injected reload script); when the build
fails, the preview reports the same problems."""

from __future__ import annotations

import http.client
import random
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

from newshub.errors import BuildError
from newshub.pipeline import Options, build
from newshub.serve import PreviewServer
from newshub.watch import Batch

from .conftest import MakeSite, tree
from .preview_server import free_port

# Expressions over `site` a theme might show (the example: an article count in the footer).
PROBES = [
    "{{ site.articles|length }}",
    "{{ site.articles[0].title if site.articles else '' }}",
    "{% for a in site.articles %}{{ a.summary }}|{% endfor %}",
    "{% for a in site.articles %}{{ a.body|length }},{% endfor %}",
    "{% for a in site.articles %}{{ a.tags|join('+') }};{% endfor %}",
    "{{ site.news[lang]|length }}",
    "{{ site.news[lang][-1].date.isoformat() if site.news[lang] else '' }}",
    "{% for slug, (name, items) in site.tags[lang].items() %}{{ name }}={{ items|length }} {% endfor %}",
    "{{ site.pages|map(attribute='title')|join(', ') }}",
    "{% for p in site.projects.values() %}{{ loc(p.title) }}:{{ p.status }} {% endfor %}",
    "{{ site.partners.values()|map(attribute='kind')|join(' ') }}",
    "{% for a in site.articles if a.draft %}{{ a.slug }} {% endfor %}",
    "{{ site.translations|length }}",
    "{{ site.routes|length }}",
    "{% for key, items in site.project_news.items() %}{{ key[1] }}{{ items|length }} {% endfor %}",
    "{% for a in site.articles %}{{ a.minutes }}{% endfor %}",
]
TITLES = ["Signing", "Robot news", "数字医学", "Forecast model", "Open day"]
WORDS = ["agreement", "hospital", "university", "robot", "model", "acupoint", "research", "合作", "医院", "研究"]


def random_theme(rng: random.Random, root: Path) -> None:
    """Insert random probes into base.html (every page), news.html (lists) and article.html."""
    for name, anchor in (("base.html", "</footer>"), ("news.html", "{% block main %}"), ("article.html", "{% block main %}")):
        path = root / "templates" / name
        text = path.read_text(encoding="utf-8")
        probes = "".join(f'<p class="probe">{probe}</p>' for probe in rng.sample(PROBES, rng.randint(1, 4)))
        assert anchor in text, (name, anchor)
        text = text.replace(anchor, f"{probes}{anchor}" if anchor.startswith("</") else f"{anchor}{probes}", 1)
        path.write_text(text, encoding="utf-8")


def article(rng: random.Random, title: str | None = None) -> str:
    tags = rng.sample(["AI", "robotics", "TCM", "中医"], rng.randint(0, 2))
    front = f"title: {title or rng.choice(TITLES)}\ntags: [{', '.join(tags)}]\n"
    if rng.random() < 0.3:
        front += "projects: [robot]\n"
    if rng.random() < 0.2:
        front += "draft: true\n"
    body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 30)))
    return f"---\n{front}---\n\n{body}\n"


class Editor:
    """Random steps on a project's content, as an editor makes them; each returns the paths touched."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root, self.rng = root, rng
        self.broken: dict[str, str] = {}  # rel -> its good text
        self.count = 0

    def news(self) -> list[str]:
        return sorted(f"content/news/{p.name}" for p in (self.root / "content/news").glob("*.md"))

    def write(self, rel: str, text: str) -> None:
        (self.root / rel).write_text(text, encoding="utf-8")

    def step(self) -> list[str]:
        rng, news = self.rng, self.news()
        if self.broken and rng.random() < 0.5:
            rel, good = self.broken.popitem()
            self.write(rel, good)
            return [rel]
        choice = rng.choice(["body", "title", "add", "delete", "rename", "break", "translate", "project"] if news else ["add"])
        if choice == "add":
            self.count += 1
            rel = f"content/news/2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}-new-{self.count}.md"
            self.write(rel, article(rng))
            return [rel]
        rel = rng.choice(news)
        text = (self.root / rel).read_text(encoding="utf-8")
        if choice == "body":
            self.write(rel, text.rstrip("\n") + f" {rng.choice(WORDS)}\n")
        elif choice == "title":
            self.write(rel, re.sub(r"(?m)^title: .*$", f"title: {rng.choice(TITLES)} {rng.randint(1, 99)}", text, count=1))
        elif choice == "delete":
            (self.root / rel).unlink()
        elif choice == "rename":
            new = rel.replace(".md", "-moved.md") if ".zh." not in rel else rel.replace(".zh.md", "-moved.zh.md")
            (self.root / rel).rename(self.root / new)
            return [rel, new]
        elif choice == "break":
            self.broken[rel] = text
            self.write(rel, text.replace("title:", rng.choice(["titel:", "title: [unclosed\nx:"]), 1))
        elif choice == "translate" and ".zh." not in rel:
            zh = rel.replace(".md", ".zh.md")
            self.write(zh, article(rng, "译文"))
            return [zh]
        elif choice == "project":
            status = rng.choice(["active", "paused", "completed", "bogus"])
            self.write("content/projects/robot.yaml", f"title: Robot\nstatus: {status}\npartners: [uni]\n")
            if status == "bogus":
                self.broken["content/projects/robot.yaml"] = "title: Robot\nstatus: active\npartners: [uni]\n"
            return ["content/projects/robot.yaml"]
        return [rel]


@contextmanager
def preview(root: Path) -> Iterator[PreviewServer]:
    """The real preview server, in this process, on a free port: watcher, renderer thread and all."""
    server = PreviewServer(Options(root=root, drafts=True, cache=False, jobs=1), "127.0.0.1", free_port())
    server.load()
    server.start()
    thread = threading.Thread(target=server.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop()


def served(server: PreviewServer, files: list[str]) -> dict[str, bytes]:
    """Each file as a browser gets it over HTTP, less the reload script the preview adds to pages."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    found = {}
    try:
        for rel in files:
            path = quote("/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel))
            conn.request("GET", path, headers={"Host": f"127.0.0.1:{server.port}"})
            response = conn.getresponse()
            body = response.read()
            assert response.status == 200, (rel, response.status)
            found[rel] = re.sub(rb'<script src="/__newshub__/reload.js"[^>]*></script>', b"", body)
    finally:
        conn.close()
    return found


def expected(root: Path, out: Path, url: str) -> tuple[dict[str, bytes] | None, list[str]]:
    try:
        build(Options(root=root, output=out, drafts=True, base_url=url, cache=False, jobs=1))
    except BuildError as exc:
        return None, sorted(str(p) for p in exc.problems)
    return tree(out), []


START = {
    "content/projects/robot.yaml": "title: Robot\nstatus: active\npartners: [uni]\n",
    "content/partners/uni.yaml": "name: Uni\nkind: university\n",
    "content/pages/about.md": "---\ntitle: About\n---\n\nAbout us.\n",
}


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(6))
def test_the_preview_serves_what_build_writes_for_any_theme(make_site: MakeSite, tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    files = {**START, **{f"content/news/2024-0{i + 1}-0{i + 1}-story-{i}.md": article(rng) for i in range(5)}}
    root = make_site(files)
    random_theme(rng, root)
    editor = Editor(root, rng)
    with preview(root) as server:
        for step in range(12):
            touched = editor.step()
            server.apply(Batch(content=set(touched)))  # what the watcher reports; it may report them too
            good, problems = expected(root, tmp_path / f"out-{step}", server.url)
            where = f"seed {seed}, step {step}: {touched}"
            if good is None:
                assert sorted(str(p) for p in server.build.errors) == problems, where
                continue
            assert server.build.errors == [], where
            assert sorted(server.build.output()) == sorted(good), where
            assert served(server, sorted(good)) == good, where
