"""write: the output folder becomes exactly the new site, or stays exactly as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newshub.errors import BuildError
from newshub.pipeline import Options, build
from newshub.write import SiteWriter, refuse_unsafe_output, write_site

from ..conftest import MakeSite, tree


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "content").mkdir()
    return tmp_path


def test_first_write_creates_the_folder(root: Path) -> None:
    assert write_site(root, root / "site", {"index.html": b"home", "news/a/index.html": b"a"}) == 2
    assert tree(root / "site") == {"index.html": b"home", "news/a/index.html": b"a"}
    assert oct((root / "site").stat().st_mode & 0o777) == oct(0o755)


def test_stale_files_and_empty_folders_are_removed(root: Path) -> None:
    out = root / "site"
    write_site(root, out, {"index.html": b"1", "news/old/index.html": b"old", "news/keep/index.html": b"k"})
    write_site(root, out, {"index.html": b"2", "news/keep/index.html": b"k"})
    assert tree(out) == {"index.html": b"2", "news/keep/index.html": b"k"}
    assert not (out / "news/old").exists()
    assert [p.name for p in root.iterdir() if p.name.startswith(".site")] == []  # no staging folder left


def test_unchanged_files_are_not_rewritten(root: Path) -> None:
    out = root / "site"
    write_site(root, out, {"a.html": b"same", "b.html": b"old"})
    os.utime(out / "a.html", ns=(1_000_000_000, 1_000_000_000))
    inode = (out / "a.html").stat().st_ino
    assert write_site(root, out, {"a.html": b"same", "b.html": b"new"}) == 1
    assert (out / "a.html").stat().st_mtime_ns == 1_000_000_000 and (out / "a.html").stat().st_ino == inode


def test_retained_top_level_names_survive(root: Path) -> None:
    out = root / "site"
    out.mkdir()
    (out / "CNAME").write_text("hub.example.org")
    (out / ".git").mkdir()
    (out / ".git/HEAD").write_text("ref")
    (out / "junk.html").write_text("x")
    write_site(root, out, {"index.html": b"i"}, retain=(".git", "CNAME"))
    assert sorted(tree(out)) == [".git/HEAD", "CNAME", "index.html"]


def test_a_failed_build_leaves_the_previous_site_untouched(make_site: MakeSite) -> None:
    project = make_site({"content/news/2024-01-01-a.md": "---\ntitle: A\n---\nText.\n"})
    build(Options(root=project, cache=False, jobs=1))
    out = project / "site"
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}

    (project / "content/news/2024-01-02-b.md").write_text("---\ntitle: B\ntags: [late]\n---\nText.\n")  # a new page...
    base = project / "templates/tag.html"
    base.write_text(base.read_text().replace("news_list(articles", "news_list(nope"))  # ...and a template that fails late
    with pytest.raises(BuildError):
        build(Options(root=project, cache=False, jobs=1))
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in project.iterdir()) == ["assets", "content", "site", "templates"]


def test_writer_abort_discards_staged_files(root: Path) -> None:
    out = root / "site"
    write_site(root, out, {"index.html": b"old"})
    writer = SiteWriter(root, out)
    writer.put("index.html", b"new")
    writer.put("extra.html", b"x")
    writer.abort()
    assert tree(out) == {"index.html": b"old"}
    assert not writer.tmp.exists()


@pytest.mark.parametrize("rel", ["../escape.html", "a/../../escape.html", "/etc/passwd", "a/../../../x"])
def test_never_writes_outside_the_output_folder(root: Path, rel: str) -> None:
    out = root / "site"
    with pytest.raises(BuildError, match="escapes the output folder"):
        write_site(root, out, {"index.html": b"i", rel: b"evil"})
    assert not (root / "escape.html").exists() and not (root.parent / "escape.html").exists()
    assert not out.exists()
    assert [p.name for p in root.iterdir()] == ["content"]


def test_a_symlinked_folder_in_the_output_is_not_followed(root: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside")
    out = root / "site"
    write_site(root, out, {"index.html": b"i"})
    (out / "news").symlink_to(outside, target_is_directory=True)
    write_site(root, out, {"index.html": b"i", "news/a/index.html": b"a"})
    assert list(outside.iterdir()) == []
    assert (out / "news").is_dir() and not (out / "news").is_symlink()
    assert (out / "news/a/index.html").read_bytes() == b"a"


@pytest.mark.parametrize("name", [".", "content", "content/site", "templates", "assets/out"])
def test_refuses_folders_that_hold_sources(root: Path, name: str) -> None:
    with pytest.raises(BuildError, match="refusing to build into"):
        refuse_unsafe_output(root, root / name)


def test_refuses_the_home_folder_and_a_file(root: Path) -> None:
    with pytest.raises(BuildError):
        refuse_unsafe_output(root, Path.home())
    (root / "file").write_text("x")
    with pytest.raises(BuildError, match="not a folder"):
        refuse_unsafe_output(root, root / "file")
    refuse_unsafe_output(root, root / "site")  # the default is fine
    refuse_unsafe_output(root, root.parent / "elsewhere")
