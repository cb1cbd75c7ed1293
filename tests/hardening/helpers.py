"""Shared pieces of the hardening suite: a small valid site, and a runner that breaks it.

Every bad-input case goes through `broken_build`: a good build first, then the bad file, then the
real CLI; it asserts exit status 1, no traceback, and the previous site/ byte for byte unchanged.
"""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.conftest import REPO, MakeSite, run_cli, tree, write_files

SITE_YAML = """\
title: Test Hub
base_url: https://hub.example.org
languages: [en]
timezone: Asia/Shanghai
"""

ARTICLE = """\
---
title: Good news
date: 2024-04-02
tags: [agreement]
projects: [robot]
partners: [acme]
---

A first paragraph with a [link](/projects/robot/).
"""

PROJECT = """\
title: Robot
status: active
partners: [acme]
milestones:
  - date: 2024-04-02
    title: Signed
    done: true
"""

PARTNER = """\
name: Acme University
kind: university
url: https://acme.example.org
"""

PAGE = """\
---
title: About
---

About us.
"""

GOOD: dict[str, str | bytes] = {
    "content/site.yaml": SITE_YAML,
    "content/news/2024-04-02-good.md": ARTICLE,
    "content/projects/robot.yaml": PROJECT,
    "content/partners/acme.yaml": PARTNER,
    "content/pages/about.md": PAGE,
}


_PREBUILT: list[Path] = []


def _prebuilt() -> Path:
    """GOOD built once per test session; tests copy it instead of building it again."""
    if not _PREBUILT:
        base = Path(tempfile.mkdtemp(prefix="newshub-good-"))
        atexit.register(shutil.rmtree, base, True)
        root = base / "project"
        shutil.copytree(REPO / "templates", root / "templates")
        shutil.copytree(REPO / "assets", root / "assets")
        for rel, data in GOOD.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(str(data), encoding="utf-8")
        result = run_cli(root, "build")
        assert result.returncode == 0, result.stderr
        _PREBUILT.append(root)
    return _PREBUILT[0]


def good_site(make_site: MakeSite, extra: dict[str, str | bytes] | None = None, name: str = "project") -> Path:
    """A project with a successful build in site/."""
    if not extra:
        root = make_site({}, theme=False, name=name)
        shutil.copytree(_prebuilt(), root, dirs_exist_ok=True, symlinks=True)
        return root
    root = make_site({**GOOD, **extra}, name=name)
    result = run_cli(root, "build")
    assert result.returncode == 0, result.stderr
    return root


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stderr


def errors_of(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The `path:line: message` lines of a failed run (not warnings, not the summary)."""
    return [line for line in result.stderr.splitlines() if line and not line.startswith(("warning: ", "Build failed", "Check failed"))]


def broken_build(
    make_site: MakeSite,
    bad: dict[str, str | bytes],
    *args: str,
    remove: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    name: str = "project",
) -> list[str]:
    """Build GOOD, add `bad` (and delete `remove`), build again: it must fail cleanly. Its error lines."""
    root = good_site(make_site, name=name)
    before = tree(root / "site")
    write_files(root, bad)
    for rel in remove:
        (root / rel).unlink()
    result = run_cli(root, "build", *args, env=env)
    no_traceback(result)
    assert result.returncode == 1, result.stdout + result.stderr
    assert tree(root / "site") == before, "a failed build changed site/"
    assert result.stderr.rstrip().splitlines()[-1].startswith("Build failed:")
    return errors_of(result)


def article(front: str, body: str = "Text.\n") -> str:
    return f"---\n{front}---\n\n{body}"
