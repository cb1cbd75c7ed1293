"""The command line as a user runs it: a real process in a copy of the sample project."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from .conftest import REPO, run_cli, tree
from .htmltools import broken_references

ARTICLE = "content/news/2024-04-02-hospital-universities-agreement.md"
SUMMARY = re.compile(r"^Built (\d+) pages in \d+\.\d\d s into \S+/ \((\d+) files written\)$", re.M)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the repository's sample project: content/, templates/, assets/."""
    root = tmp_path / "hub"
    root.mkdir()
    for name in ("content", "templates", "assets"):
        shutil.copytree(REPO / name, root / name)
    return root


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Bytes and mtime of every file, and every folder's mtime: a failed build must change neither."""
    state: dict[str, tuple[bytes, int]] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        state[rel] = (path.read_bytes() if path.is_file() else b"<dir>", path.stat().st_mtime_ns)
    return state


def top_level(root: Path) -> set[str]:
    return {p.name for p in root.iterdir()}


def assert_clean_failure(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "Build failed: 1 problem; the output folder was left as it was" in result.stderr


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def _break_yaml(text: str) -> tuple[str, str, str]:
    broken = text.replace(
        "tags: [agreement, artificial intelligence, traditional chinese medicine]", "tags: [agreement, artificial intelligence"
    )
    return (
        broken,
        "tags: [agreement, artificial intelligence\n",
        "the list opened on this line is not closed with ']' before line 7; add ']' after its last item",
    )


def _drop_title(text: str) -> tuple[str, str, str]:
    broken = re.sub(r"^title: .*\n", "", text, count=1, flags=re.M)
    return broken, "summary: >-", "missing required field 'title' in article front matter; add a line such as 'title: "


def _impossible_date(text: str) -> tuple[str, str, str]:
    broken = text.replace("tags: [agreement,", "date: 2024-02-30\ntags: [agreement,", 1)
    return broken, "date: 2024-02-30", "date: invalid date '2024-02-30'"


def _unknown_project(text: str) -> tuple[str, str, str]:
    broken = text.replace("acupoint-robot]", "acupoint-robott]", 1)
    return broken, "projects: [", "unknown project 'acupoint-robott': there is no content/projects/acupoint-robott.yaml"


@pytest.mark.parametrize("breaker", [_break_yaml, _drop_title, _impossible_date, _unknown_project], ids=lambda f: f.__name__.strip("_"))
def test_a_broken_file_is_reported_at_its_line_and_leaves_the_site_untouched(project: Path, breaker) -> None:  # type: ignore[no-untyped-def]
    good = run_cli(project)
    assert good.returncode == 0, good.stderr
    files, before, entries = tree(project / "site"), snapshot(project / "site"), top_level(project)
    assert "index.html" in files

    source = project / ARTICLE
    broken, needle, message = breaker(source.read_text(encoding="utf-8"))
    assert broken != source.read_text(encoding="utf-8")
    source.write_text(broken, encoding="utf-8")
    result = run_cli(project)

    assert_clean_failure(result)
    assert f"{ARTICLE}:{line_of(broken, needle)}: {message}" in result.stderr
    assert str(project) not in result.stderr  # paths are relative to the project
    assert tree(project / "site") == files  # byte for byte
    assert snapshot(project / "site") == before  # and every mtime
    assert top_level(project) == entries  # no staging folder left behind


def test_a_broken_project_file_is_reported_with_its_line(project: Path) -> None:
    assert run_cli(project).returncode == 0
    before = snapshot(project / "site")
    path = project / "content/projects/acupoint-robot.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: active", "status: activ"), encoding="utf-8")
    result = run_cli(project, "build")
    assert_clean_failure(result)
    assert (
        "content/projects/acupoint-robot.yaml:11: status_history: status: 'activ' is not allowed; did you mean 'active'?" in result.stderr
    )
    assert snapshot(project / "site") == before


def test_every_problem_of_every_file_is_reported_in_one_run(project: Path) -> None:
    (project / "content/news/a.md").write_text("---\ntitle: A\n---\nNo date.\n", encoding="utf-8")
    (project / "content/partners/b.yaml").write_text("name: B\nkind: school\n", encoding="utf-8")
    result = run_cli(project)
    assert result.returncode == 1
    assert "content/news/a.md:1: missing required field 'date'" in result.stderr
    assert "content/partners/b.yaml:2: kind: 'school' is not allowed" in result.stderr
    assert "Build failed: 2 problems" in result.stderr
    assert not (project / "site").exists()


def test_build_prints_the_summary_line(project: Path) -> None:
    result = run_cli(project)
    assert result.returncode == 0, result.stderr
    match = SUMMARY.search(result.stdout)
    assert match, result.stdout
    files = tree(project / "site")
    pages = [rel for rel in files if not rel.startswith(("assets/", "pagefind/"))]  # the search index is no page
    assert int(match.group(1)) == len(pages) > 40
    assert int(match.group(2)) == len(files)
    again = run_cli(project)
    assert SUMMARY.search(again.stdout) and SUMMARY.search(again.stdout).group(2) == "0"  # type: ignore[union-attr]
    assert run_cli(project, "-q").stdout == ""


def test_check_validates_and_writes_nothing(project: Path) -> None:
    before = snapshot(project)
    result = run_cli(project, "check")
    assert result.returncode == 0, result.stderr
    assert "no problems" in result.stdout
    assert snapshot(project) == before

    (project / "templates/home.html").write_text("{% if %}\n", encoding="utf-8")
    before = snapshot(project)
    result = run_cli(project, "check")
    assert result.returncode == 1
    assert "templates/home.html:1: template error" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(project) == before


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_root_that_is_not_there_is_named_not_a_traceback(tmp_path: Path, command: str) -> None:
    # Both keep articles' bodies in a temporary file, made in the project (check) or beside the
    # output (build): where that folder cannot be written, elsewhere, and the real problem is said.
    result = run_cli(tmp_path, command, "--root", str(tmp_path / "missing"))
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "content/site.yaml: not found; create it with at least 'title:' and 'base_url:'"
    assert "Traceback" not in result.stderr


def test_new_news_scaffolds_a_dated_draft_that_builds(project: Path) -> None:
    before = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()  # the site's zone, not the machine's
    result = run_cli(project, "new", "news", "Board meeting in May")
    after = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    assert result.returncode == 0, result.stderr
    (created,) = (project / "content/news").glob("*-board-meeting-in-may.md")
    assert created.name[:10] in (before, after)
    rel = created.relative_to(project).as_posix()
    assert f"Created {rel}" in result.stdout
    text = (project / rel).read_text(encoding="utf-8")
    assert text.startswith('---\ntitle: "Board meeting in May"\n') and "draft: true" in text

    assert run_cli(project).returncode == 0
    assert not (project / "site/news/board-meeting-in-may").exists()  # a draft
    drafts = run_cli(project, "--drafts", "--output", "preview")
    assert drafts.returncode == 0, drafts.stderr
    page = (project / "preview/news/board-meeting-in-may/index.html").read_text(encoding="utf-8")
    assert "Board meeting in May" in page and 'class="badge draft"' in page

    again = run_cli(project, "new", "news", "Board meeting in May")
    assert again.returncode == 1 and "already exists" in again.stderr


def test_new_page_and_translation(project: Path) -> None:
    assert run_cli(project, "new", "page", "Contact us").returncode == 0
    assert (project / "content/pages/contact-us.md").is_file()
    assert run_cli(project, "new", "page", "Contact us", "--lang", "zh").returncode == 0
    assert (project / "content/pages/contact-us.zh.md").is_file()
    tricky = 'He said "yes": 100% — 中文 #1'  # quotes, a colon and '#' must survive the YAML
    assert run_cli(project, "new", "news", tricky).returncode == 0
    result = run_cli(project, "--drafts")
    assert result.returncode == 0, result.stderr
    assert (project / "site/contact-us/index.html").is_file()
    assert (project / "site/zh/contact-us/index.html").is_file()
    page = project / "site/news/he-said-yes-100-中文-1/index.html"
    assert "He said &#34;yes&#34;: 100% — 中文 #1" in page.read_text(encoding="utf-8")


def test_output_and_base_url_options(project: Path) -> None:
    result = run_cli(project, "build", "--output", "public", "--base-url", "https://staging.example.net/hub/")
    assert result.returncode == 0, result.stderr
    assert not (project / "site").exists()
    out = project / "public"
    home = (out / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://staging.example.net/hub/">' in home
    assert 'href="/hub/news/"' in home and "partnerships.example.org" not in home
    assert "<loc>https://staging.example.net/hub/projects/</loc>" in (out / "sitemap.xml").read_text(encoding="utf-8")
    assert broken_references(out, "https://staging.example.net/hub") == []


def test_build_py_module_and_console_script_are_the_same_program(project: Path) -> None:
    script = shutil.which("newshub")
    if script is None:
        pytest.skip("the newshub console script is not installed (pip install -e .)")
    commands = {
        "build-py": [sys.executable, str(REPO / "build.py")],
        "module": [sys.executable, "-m", "newshub"],
        "script": [script],
    }
    outputs = []
    for name, command in commands.items():
        result = subprocess.run([*command, "--output", name, "--no-cache"], cwd=project, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, (name, result.stderr)
        assert SUMMARY.search(result.stdout), (name, result.stdout)
        outputs.append(tree(project / name))
    assert outputs[0] == outputs[1] == outputs[2]
    version = subprocess.run([script, "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("newshub ")


def test_root_option_builds_another_folder(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli(elsewhere, "--root", str(project))
    assert result.returncode == 0, result.stderr
    assert (project / "site/index.html").is_file()
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("output", [".", "..", "content", "content/site", "templates"])
def test_refuses_an_output_folder_that_would_destroy_sources(project: Path, output: str) -> None:
    before = snapshot(project / "content")
    result = run_cli(project, "--output", output)
    assert result.returncode == 1
    assert "refusing to build into" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert snapshot(project / "content") == before
    assert not (project / "site").exists()


def test_a_broken_site_yaml_reports_every_problem(project: Path) -> None:
    (project / "content/site.yaml").write_text("title: T\nbase_url: ftp://x\nper_page: 0\ntimezon: UTC\n", encoding="utf-8")
    result = run_cli(project)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "content/site.yaml:2: base_url: 'ftp://x' must start with https:// or http://" in result.stderr
    assert "content/site.yaml:3: per_page: write a whole number of at least 1, not '0'" in result.stderr
    assert "content/site.yaml:4: unknown key 'timezon' in site.yaml; did you mean 'timezone'?" in result.stderr
    assert not (project / "site").exists()
