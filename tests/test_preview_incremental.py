"""The preview's incremental build equals a fresh full build after any sequence of edits.

Seeded random sequences of edits, additions, deletions, renames, broken and fixed files, template,
asset and site.yaml changes are applied to a mini-site on disk; after each step the preview (fed
only the paths that changed, as the watcher would) must serve byte for byte what load_site +
render_site produce from scratch, or stop with the same problems.
"""

from __future__ import annotations

import os
import random
from dataclasses import replace
from pathlib import Path

import pytest

from newshub.assets import load_assets
from newshub.errors import BuildError, Problem
from newshub.incremental import Preview
from newshub.pipeline import Options, Report, build, load_site, render_site
from newshub.watch import Batch, classify_path

from .conftest import MINIMAL_CONFIG, MakeSite, tree

TAGS = ["health", "robots", "data", "ai", "ethics"]
PROJECTS = ["alpha", "beta", "gamma"]
PARTNERS = ["hospital", "campus"]
WORDS = ["the", "quick", "hospital", "study", "shows", "new", "results", "for", "patients", "and", "partners", "in", "every", "season"]


def project_yaml(rng: random.Random, pid: str) -> str:
    status = rng.choice(["planned", "signed", "active", "completed"])
    partners = rng.sample(PARTNERS, rng.randint(0, 2))
    return f"title:\n  en: Project {pid} {rng.choice(WORDS)}\n  zh: 项目 {pid}\nstatus: {status}\npartners: [{', '.join(partners)}]\n"


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


def fresh(options: Options) -> tuple[dict[str, bytes] | None, list[Problem]]:
    """A full build from scratch, kept in memory."""
    report = Report()
    try:
        site = load_site(options, report)
        return render_site(site, options.root, load_assets(options.root), report), []
    except BuildError as exc:
        return None, exc.problems


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
        # Like an editor that saves through a temporary file and a rename (atomic).
        path = self.root / rel
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)

    def step(self) -> list[str]:
        rng = self.rng
        news = self.news()
        if self.broken and rng.random() < 0.5:
            rel, text = self.broken.popitem()
            self.write(rel, text)
            return [rel]
        kinds = ["body", "body", "body", "title", "article", "add", "delete", "rename", "break", "dangling"]
        choice = rng.choice([*kinds, "project", "page", "template", "asset", "config"])
        if choice in ("body", "title", "article", "break", "dangling") and news:
            rel = rng.choice(news)
            text = self.read(rel)
            if choice == "body":
                self.write(rel, edit_body(text, rng))
            elif choice == "title":
                self.write(rel, edit_title(text, rng))
            elif choice == "article":
                self.write(rel, article(rng))
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
    batch = Batch()
    for rel in paths:
        classify_path(rel, False, batch)
    return batch


def assert_same(preview: Preview, options: Options, step: str) -> None:
    expected, problems = fresh(options)
    if expected is None:
        assert preview.errors == sorted(set(problems)), step
    else:
        assert preview.errors == [], step
        got = preview.render_everything()
        assert got.keys() == expected.keys(), step
        different = [name for name in expected if got[name] != expected[name]]
        assert not different, f"{step}: {different[:5]}"


@pytest.mark.parametrize("seed", range(4))
def test_random_edits_equal_a_fresh_build(make_site: MakeSite, seed: int) -> None:
    rng = random.Random(seed)
    root = make_site(start_files(rng))
    options = Options(root=root, drafts=seed % 2 == 0, base_url="http://127.0.0.1:8000", cache=False, jobs=1)
    preview = Preview(options)
    preview.load()
    assert_same(preview, options, "start")
    steps = Sequence(root, rng)
    for n in range(30):
        touched = steps.step()
        preview.apply(batch_of(touched))
        assert_same(preview, options, f"step {n}: {touched}")


def test_a_text_edit_re_renders_only_the_pages_that_show_the_article(make_site: MakeSite) -> None:
    rng = random.Random(7)
    root = make_site(start_files(rng))
    options = Options(root=root, drafts=True, base_url="http://127.0.0.1:8000", cache=False, jobs=1)
    preview = Preview(options)
    preview.load()
    preview.render_everything()
    rel = "content/news/2024-05-03-story-2.md"
    (root / rel).write_text(edit_body((root / rel).read_text(encoding="utf-8"), rng), encoding="utf-8")
    site_before = preview.site
    assert preview.apply(batch_of([rel]))
    assert preview.site is not None and site_before is not None and preview.site.routes is site_before.routes  # swapped, not assembled
    pending = set(preview.pending)
    assert "news/story-2/index.html" in pending
    assert "partners/index.html" not in pending and "404.html" not in pending and "sitemap.xml" not in pending
    assert not any(f.startswith("zh/news/") for f in pending)
    assert len(pending) < len(preview.routes) // 2
    assert_same(preview, options, "after the edit")


def test_template_change_re_renders_without_parsing(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_site(start_files(random.Random(3)))
    options = Options(root=root, drafts=True, base_url="http://127.0.0.1:8000", cache=False, jobs=1)
    preview = Preview(options)
    preview.load()
    preview.render_everything()
    import newshub.incremental as incremental

    def no_parse(*args: object) -> object:
        raise AssertionError("a template change must not parse Markdown")

    monkeypatch.setattr(incremental, "parse", no_parse)  # a tripwire, not a stand-in: nothing may call it
    path = root / "templates/base.html"
    path.write_text(path.read_text(encoding="utf-8").replace("</main>", "</main><!-- t -->"), encoding="utf-8")
    assert preview.apply(Batch(templates=True))
    assert set(preview.pending) == set(preview.routes)
    assert b"<!-- t -->" in (preview.get("index.html") or b"")


def test_asset_change_only_copies_an_asset_no_page_names(make_site: MakeSite) -> None:
    root = make_site(start_files(random.Random(4)))
    options = Options(root=root, drafts=True, base_url="http://127.0.0.1:8000", cache=False, jobs=1)
    preview = Preview(options)
    preview.load()
    preview.render_everything()
    (root / "assets/img").mkdir()
    (root / "assets/img/logo.svg").write_text("<svg/>", encoding="utf-8")
    assert preview.apply(Batch(assets=True))
    assert not preview.pending
    assert any(name.startswith("assets/img/logo.") for name in preview.files)
    assert_same(preview, options, "added asset")
    css = root / "assets/css/site.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* x */\n", encoding="utf-8")
    assert preview.apply(Batch(assets=True))
    assert set(preview.pending) == set(preview.routes)  # every page names the stylesheet's new hash
    assert_same(preview, options, "changed stylesheet")


def test_first_build_failure_then_fix(make_site: MakeSite) -> None:
    files = start_files(random.Random(5))
    files["content/news/broken.md"] = "---\ntitle: [oops\ndate: 2024-05-01\n---\nText.\n"
    root = make_site(files)
    options = Options(root=root, drafts=True, base_url="http://127.0.0.1:8000", cache=False, jobs=1)
    preview = Preview(options)
    preview.load()
    assert preview.site is None and preview.errors and preview.errors[0].path == "content/news/broken.md"
    (root / "content/news/broken.md").write_text("---\ntitle: Fixed\ndate: 2024-05-01\n---\nText.\n", encoding="utf-8")
    assert preview.apply(batch_of(["content/news/broken.md"]))
    assert_same(preview, options, "fixed")


def test_site_yaml_broken_at_start_then_fixed(make_site: MakeSite) -> None:
    root = make_site({**start_files(random.Random(6)), "content/site.yaml": "title: [\n"})
    options = Options(root=root, drafts=True, base_url="http://127.0.0.1:8000", cache=False, jobs=1)
    preview = Preview(options)
    preview.load()
    assert preview.errors and preview.errors[0].path == "content/site.yaml"
    (root / "content/site.yaml").write_text(MINIMAL_CONFIG, encoding="utf-8")
    assert preview.apply(batch_of(["content/site.yaml"]))
    assert_same(preview, replace(options), "fixed site.yaml")


def test_served_files_equal_what_build_writes(make_site: MakeSite, tmp_path: Path) -> None:
    rng = random.Random(21)
    root = make_site(start_files(rng))
    options = Options(root=root, drafts=True, base_url="http://127.0.0.1:8000", cache=False, jobs=1)
    preview = Preview(options)
    preview.load()
    steps = Sequence(root, rng)
    for _ in range(8):
        preview.apply(batch_of(steps.step()))
    for rel, good in steps.broken.items():
        (root / rel).write_text(good, encoding="utf-8")
        preview.apply(batch_of([rel]))
    out = tmp_path / "out"
    build(replace(options, output=out))
    assert preview.errors == []
    assert preview.render_everything() == tree(out)
