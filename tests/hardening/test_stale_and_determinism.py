"""8. Stale output goes, retained files stay. 9. Builds are byte-identical whatever the machine."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, MakeSite, run_cli, tree

from .helpers import GOOD, article, good_site

# --- 8. stale output and retention ----------------------------------------------------------------


def test_deleted_and_renamed_items_disappear(make_site: MakeSite) -> None:
    root = good_site(make_site, {"content/news/old.md": article("title: Old\ndate: 2024-01-01\ntags: [gone]\n")})
    site = root / "site"
    assert (site / "news/old/index.html").is_file() and (site / "tags/gone/index.html").is_file()
    (root / "content/news/old.md").unlink()
    (root / "content/pages/about.md").rename(root / "content/pages/contact.md")
    (root / "content/partners/acme.yaml").rename(root / "content/partners/acme-u.yaml")
    for rel in ("content/news/2024-04-02-good.md", "content/projects/robot.yaml"):
        path = root / rel
        path.write_text(path.read_text().replace("acme", "acme-u"))
    result = run_cli(root, "build")
    assert result.returncode == 0, result.stderr
    files = set(tree(site))
    assert not {"news/old/index.html", "tags/gone/index.html", "about/index.html", "partners/acme/index.html"} & files
    assert not (site / "news/old").exists() and not (site / "tags/gone").exists() and not (site / "about").exists()
    assert {"contact/index.html", "partners/acme-u/index.html"} <= files
    fresh = make_site({rel: (root / rel).read_bytes() for rel in _content(root)}, name="fresh")
    assert run_cli(fresh, "build").returncode == 0
    assert tree(site) == tree(fresh / "site")  # exactly what a clean build gives


def _content(root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in (root / "content").rglob("*") if p.is_file()]


def test_default_retained_files_survive(make_site: MakeSite) -> None:
    root = good_site(make_site)
    site = root / "site"
    (site / "CNAME").write_text("hub.example.org\n")
    (site / ".git").mkdir()
    (site / ".git/HEAD").write_text("ref: refs/heads/main\n")
    (site / ".well-known").mkdir()
    (site / ".well-known/security.txt").write_text("Contact: mailto:x@example.org\n")
    (site / "stray.html").write_text("old")
    (site / "news/stray").mkdir()
    (site / "news/stray/index.html").write_text("old")
    (root / "content/news/b.md").write_text(article("title: B\ndate: 2024-01-01\n"))
    assert run_cli(root, "build").returncode == 0
    assert (site / "CNAME").read_text() == "hub.example.org\n"
    assert (site / ".git/HEAD").is_file() and (site / ".well-known/security.txt").is_file()
    assert not (site / "stray.html").exists() and not (site / "news/stray").exists()


def test_configured_retain(make_site: MakeSite) -> None:
    config = GOOD["content/site.yaml"] + "retain: [keep.txt, downloads]\n"
    root = good_site(make_site, {"content/site.yaml": config})
    site = root / "site"
    (site / "keep.txt").write_text("k")
    (site / "downloads").mkdir()
    (site / "downloads/a.pdf").write_bytes(b"%PDF")
    (site / "CNAME").write_text("x")  # not retained any more: the list replaces the default
    (root / "content/news/b.md").write_text(article("title: B\ndate: 2024-01-01\n"))
    assert run_cli(root, "build").returncode == 0
    assert (site / "keep.txt").is_file() and (site / "downloads/a.pdf").is_file()
    assert not (site / "CNAME").exists()


# --- 9. determinism -------------------------------------------------------------------------------

FILES = {
    **GOOD,
    "content/news/2024-03-01-b.md": article("title: B\ndate: 2024-03-01T10:00:00\ntags: [zeta, Alpha, 中文]\n"),
    "content/news/2024-03-01-a.md": article("title: A\ndate: 2024-03-01T10:00:00\ntags: [alpha, beta]\n"),
    "content/news/2024-03-01-a.zh.md": article("title: 甲\ndate: 2024-03-01\n"),
    "content/news/c.md": article("title: C\ndate: 2024-03-01T02:00:00Z\n"),
    "content/projects/arm.yaml": "title: Arm\nstatus: planned\npartners: [acme, beta]\n",
    "content/partners/beta.yaml": "name: Beta\nkind: company\n",
    "content/site.yaml": GOOD["content/site.yaml"].replace("languages: [en]", "languages: [en, zh]"),
}


def _build(root: Path, env: dict[str, str]) -> dict[str, bytes]:
    shutil.rmtree(root / "site", ignore_errors=True)
    result = run_cli(root, "build", "--no-cache", env={**os.environ, **env})
    assert result.returncode == 0, result.stderr
    return tree(root / "site")


def test_byte_identical_across_environments(make_site: MakeSite) -> None:
    one = make_site(FILES, name="one")
    # The same files created in the reverse order, with shuffled modification times.
    two = make_site(dict(reversed(list(FILES.items()))), name="two")
    rng = random.Random(7)
    for path in two.rglob("*"):
        if path.is_file():
            stamp = rng.randrange(1_000_000_000, 1_700_000_000)
            os.utime(path, (stamp, stamp))
    first = _build(one, {"PYTHONHASHSEED": "1", "TZ": "UTC", "LC_ALL": "C", "LANG": "C", "SOURCE_DATE_EPOCH": "1700000000"})
    second = _build(
        two,
        {"PYTHONHASHSEED": "987", "TZ": "Pacific/Auckland", "LC_ALL": "C.UTF-8", "LANG": "zh_CN.UTF-8", "SOURCE_DATE_EPOCH": "1700000000"},
    )
    assert first == second
    third = _build(one, {"PYTHONHASHSEED": "random", "TZ": "America/Los_Angeles", "LC_ALL": "C.UTF-8", "SOURCE_DATE_EPOCH": "1700000000"})
    assert first == third


def test_timestamps_come_from_content_not_the_clock(make_site: MakeSite) -> None:
    root = make_site(FILES)
    # Two build times after every item's date: SOURCE_DATE_EPOCH decides what is published (a
    # later-dated item is scheduled, tests/test_schedule.py), never a timestamp of the output.
    first = _build(root, {"SOURCE_DATE_EPOCH": "1800000000"})
    second = _build(root, {"SOURCE_DATE_EPOCH": "2000000000"})
    assert first == second
    assert b"<updated>2024-04-02T00:00:00+08:00</updated>" in first["feed.xml"]


@pytest.mark.parametrize(("epoch", "stamp"), [("1700000000", b"2023-11-14T22:13:20+00:00"), (None, b"1970-01-01T00:00:00+00:00")])
def test_empty_site_uses_source_date_epoch(make_site: MakeSite, epoch: str | None, stamp: bytes) -> None:
    root = make_site({"content/site.yaml": GOOD["content/site.yaml"]})
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    if epoch:
        env["SOURCE_DATE_EPOCH"] = epoch
    result = run_cli(root, "build", "--no-cache", env=env)
    assert result.returncode == 0, result.stderr
    assert b"<updated>" + stamp + b"</updated>" in (root / "site/feed.xml").read_bytes()


def test_bad_source_date_epoch_is_a_clear_error(make_site: MakeSite) -> None:
    root = make_site({"content/site.yaml": GOOD["content/site.yaml"]})
    result = run_cli(root, "build", "--no-cache", env={**os.environ, "SOURCE_DATE_EPOCH": "yesterday"})
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    assert (
        result.stderr.splitlines()[0]
        == "SOURCE_DATE_EPOCH: 'yesterday' is not a whole number of seconds since 1970 (and before the year 10000);"
        " unset it or fix it"
    )


BUILD_MODULES = [
    "config", "discover", "source", "frontmatter", "yamlnodes", "schema", "parse", "markdown", "assemble", "check",
    "render", "write", "pipeline", "assets", "cache", "parallel", "i18n", "catalog", "translations", "urls", "model", "errors",
]  # fmt: skip


@pytest.mark.parametrize("module", BUILD_MODULES)
def test_no_clock_in_the_build(module: str) -> None:
    """The build never reads the clock (only `new` and the preview may); durations use perf_counter."""
    text = (REPO / "newshub" / f"{module}.py").read_text()
    for call in ("datetime.now(", "date.today(", "time.time(", "utcnow(", "time.localtime(", "time.gmtime(", "time.ctime("):
        assert call not in text, (module, call)
