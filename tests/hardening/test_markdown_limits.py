"""4. Pathological Markdown finishes quickly or fails that one file with a clear error."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.conftest import MakeSite, tree
from tests.preview_server import running

from .helpers import GOOD, article, good_site, no_traceback

FRONT = "title: x\ndate: 2024-01-01\n"
NESTED = "content/news/a.md: the Markdown nests more than 40 levels deep; flatten it"
TOO_DEEP = "content/news/a.md: the Markdown is nested too deeply to render; flatten it"
SLOW = (
    "content/news/a.md:6: this paragraph has too many unclosed or deeply nested '[', '(' or '<' to render; "
    "escape them as \\[ \\( \\< or split it"
)
LIMIT = 60  # seconds: a case that takes longer is a hang


def build(root: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newshub", "build"], cwd=root, capture_output=True, text=True, timeout=LIMIT)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (">" * 10_000 + " deep\n", NESTED),
        ("> " * 10_000 + "deep\n", NESTED),
        ("".join("    " * i + "- x\n" for i in range(100)), NESTED),
        ("- " * 10_000 + "x\n", TOO_DEEP),
        ("[" * 100_000 + "\n", SLOW),
        ("![" * 50_000 + "\n", SLOW),
        ("[a](" * 30_000 + "\n", SLOW),
        ("[" * 20_000 + "]" * 20_000 + "\n", SLOW),
        ("<a " * 30_000 + "\n", SLOW),
        ("x [ y\n" * 20_000, SLOW),
        ("*" * 100_000 + "\n", None),
        ("_a " * 50_000 + "\n", None),
        ("`" * 100_000 + "\n", None),
        ("<div>" * 20_000 + "\n", None),
        ("&" * 100_000 + "\n", None),
    ],
    ids=[
        "quote-10k",
        "spaced-quote-10k",
        "indented-list",
        "list-10k",
        "bracket-100k",
        "image-50k",
        "link-paren-30k",
        "balanced-brackets",
        "inline-html-30k",
        "stray-brackets",
        "star-100k",
        "underscore",
        "backtick-100k",
        "div-20k",
        "amp-100k",
    ],
)
def test_pathological_markdown(make_site: MakeSite, body: str, error: str | None) -> None:
    root = good_site(make_site)
    before = tree(root / "site")
    (root / "content/news/a.md").write_text(article(FRONT, body))
    started = time.monotonic()
    result = build(root)
    assert time.monotonic() - started < LIMIT
    no_traceback(result)
    if error is None:
        assert result.returncode == 0, result.stderr[-2000:]
        assert (root / "site/news/a/index.html").is_file()
    else:
        assert result.returncode == 1
        assert result.stderr.splitlines()[0] == error
        assert tree(root / "site") == before


def test_only_the_bad_file_is_reported(make_site: MakeSite) -> None:
    root = good_site(make_site, {"content/news/b.md": article(FRONT, "Fine.\n")})
    (root / "content/news/a.md").write_text(article(FRONT, "[" * 100_000 + "\n"))
    result = build(root)
    assert result.returncode == 1
    assert [line for line in result.stderr.splitlines() if line.startswith("content/")] == [SLOW]


@pytest.mark.slow
def test_five_megabyte_article(make_site: MakeSite) -> None:
    paragraph = "Lorem ipsum dolor sit amet, *consectetur* adipiscing [elit](https://example.org/x) sed do.\n\n"
    body = "## Heading\n\n" + paragraph * (5 * 1024 * 1024 // len(paragraph))
    root = make_site({**GOOD, "content/news/big.md": article(FRONT, body)})
    started = time.monotonic()
    result = build(root)
    assert time.monotonic() - started < LIMIT
    assert result.returncode == 0, result.stderr
    assert (root / "site/news/big/index.html").stat().st_size > 5 * 1024 * 1024


def test_preview_server_survives_a_pathological_file(make_site: MakeSite) -> None:
    root = good_site(make_site)
    with running(root, "--no-cache") as server:
        status, _, _ = server.get("/news/good/")
        assert status == 200
        (root / "content/news/a.md").write_text(article(FRONT, "[" * 100_000 + "\n"))
        deadline = time.monotonic() + 30
        overlay = b""
        while time.monotonic() < deadline:
            status, _, overlay = server.get("/news/good/")
            assert status == 200
            if b"too many unclosed" in overlay:
                break
            time.sleep(0.2)
        assert b"too many unclosed" in overlay, "the preview never reported the file"
        (root / "content/news/a.md").write_text(article(FRONT, "Fixed.\n"))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            status, _, _ = server.get("/news/a/")
            if status == 200:
                break
            time.sleep(0.2)
        assert status == 200
