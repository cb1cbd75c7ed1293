"""Build the golden test site, and refresh its expected output.

    python -m tests.refresh_golden

tests/sites/basic/ holds only content/; the build uses the repository's templates/ and assets/,
so a theme change changes the golden output: run this command, review `git diff tests/golden`,
and commit the result with the theme change.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SITES = REPO / "tests" / "sites"
GOLDEN = REPO / "tests" / "golden"
# The search index: Pagefind's files (its script, WebAssembly and binary index chunks), which a new
# Pagefind changes without any change of ours; tests/test_search.py checks what the index holds.
NOT_OURS = "pagefind"
SOURCE_DATE_EPOCH = "1712000000"  # 2024-04-01: only an empty site would use it, but it keeps builds stable


@contextmanager
def _epoch() -> Iterator[None]:
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = SOURCE_DATE_EPOCH
    try:
        yield
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


def build_golden_site(name: str, workdir: Path) -> Path:
    """Build tests/sites/<name>/ with the repository's theme in `workdir`; returns the output folder."""
    from newshub.pipeline import Options, build

    root = workdir / name
    shutil.copytree(SITES / name, root)
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "assets", root / "assets")
    out = workdir / f"{name}-out"
    with _epoch():
        build(Options(root=root, output=out, cache=False, jobs=1))
    return out


def refresh(name: str = "basic") -> Path:
    target = GOLDEN / name
    with tempfile.TemporaryDirectory() as tmp:
        out = build_golden_site(name, Path(tmp))
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(out, target, ignore=lambda folder, names: [n for n in names if Path(folder) == out and n == NOT_OURS])
    return target


def main() -> int:
    for name in sys.argv[1:] or ["basic"]:
        target = refresh(name)
        count = sum(1 for p in target.rglob("*") if p.is_file())
        print(f"Refreshed {target.relative_to(REPO).as_posix()}/ ({count} files); review it with: git diff --stat tests/golden")
    return 0


if __name__ == "__main__":
    sys.exit(main())
