"""Shared fixtures: inline mini-sites built in a temporary folder (after Hugo's integration tests)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

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
