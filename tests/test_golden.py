"""The golden site: tests/sites/basic/ built with the repository's theme equals tests/golden/basic/.

After an intended change to the output (a template, the CSS, the renderer), refresh it with
`python -m tests.refresh_golden` and review the diff.
"""

from __future__ import annotations

import difflib
import io
from pathlib import Path

import feedparser
from PIL import Image

from .conftest import tree
from .htmltools import broken_references
from .refresh_golden import GOLDEN, NOT_OURS, build_golden_site

REFRESH = "python -m tests.refresh_golden"


def describe_difference(expected: dict[str, bytes], actual: dict[str, bytes], limit: int = 60) -> str:
    """Missing, extra and changed files, then a unified diff of the first changed one."""
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    changed = sorted(rel for rel in set(expected) & set(actual) if expected[rel] != actual[rel])
    lines = [f"the build differs from tests/golden/basic/; if the change is intended, run: {REFRESH}"]
    for label, names in (("missing from the build", missing), ("not in the golden tree", extra), ("changed", changed)):
        if names:
            lines.append(f"{label} ({len(names)}): {', '.join(names[:10])}{' ...' if len(names) > 10 else ''}")
    if changed:
        first = changed[0]
        diff = difflib.unified_diff(
            expected[first].decode("utf-8", "replace").splitlines(),
            actual[first].decode("utf-8", "replace").splitlines(),
            f"golden/basic/{first}",
            f"build/{first}",
            lineterm="",
        )
        shown = list(diff)
        lines.extend(shown[:limit])
        if len(shown) > limit:
            lines.append(f"... {len(shown) - limit} more diff lines")
    return "\n".join(lines)


def comparable(files: dict[str, bytes]) -> dict[str, bytes]:
    """`files` with each published image as its format, mode and size: its bytes are the encoder's
    (Pillow's libjpeg, libwebp, libavif), which a new wheel may change without any change of ours.
    The search index is left out for the same reason (refresh_golden.NOT_OURS)."""
    shown = {rel: data for rel, data in files.items() if not rel.startswith(f"{NOT_OURS}/")}
    for rel, data in list(shown.items()):
        if rel.startswith("images/"):
            with Image.open(io.BytesIO(data)) as image:
                shown[rel] = f"{image.format} {image.mode} {image.size}".encode()
    return shown


def test_basic_site_matches_the_golden_tree(tmp_path: Path) -> None:
    out = build_golden_site("basic", tmp_path)
    expected, actual = comparable(tree(GOLDEN / "basic")), comparable(tree(out))
    assert expected, f"tests/golden/basic/ is empty; create it with: {REFRESH}"
    if expected != actual:
        raise AssertionError(describe_difference(expected, actual))


def test_the_difference_report_is_readable() -> None:
    expected = {"a.html": b"one\ntwo\n", "gone.html": b"x"}
    actual = {"a.html": b"one\nTWO\n", "new.html": b"y"}
    report = describe_difference(expected, actual)
    assert "missing from the build (1): gone.html" in report
    assert "not in the golden tree (1): new.html" in report
    assert "changed (1): a.html" in report
    assert "-two\n+TWO" in report
    assert REFRESH in report


def test_golden_site_is_complete_and_consistent() -> None:
    golden = GOLDEN / "basic"
    files = set(tree(golden))
    # drafts stay out; pagination, translations, tags and project feeds are in
    assert not any("unpublished" in rel for rel in files)
    assert {"news/page/2/index.html", "zh/news/agreement/index.html", "zh/tags/合作协议/index.html"} <= files
    assert "news/page/3/index.html" not in files  # two articles, one per page
    assert "zh/news/page/2/index.html" not in files
    assert broken_references(golden, "https://basic.example.org") == []
    for feed_file in ("feed.xml", "zh/feed.xml", "projects/robot/feed.xml", "zh/projects/robot/feed.xml"):
        feed = feedparser.parse((golden / feed_file).read_bytes())
        assert feed.bozo == 0, (feed_file, feed.get("bozo_exception"))
        assert feed.entries
