"""discover: which files are content, in a stable order; everything else is skipped with a reason."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from newshub import discover as discover_module
from newshub.discover import discover, is_scratch, listing, read_source, section_of
from newshub.errors import Problem


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_content_files_in_a_stable_order_with_their_bytes(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "content/news/b.md": "b",
            "content/news/a.zh.md": "a",
            "content/projects/p.yaml": "p",
            "content/partners/x.yaml": "x",
            "content/pages/about.md": "about",
            "content/site.yaml": "s",
        },
    )
    sources, warnings, errors = discover(tmp_path)
    assert [(s.rel, s.section, s.data) for s in sources] == [
        ("content/news/a.zh.md", "news", b"a"),
        ("content/news/b.md", "news", b"b"),
        ("content/pages/about.md", "pages", b"about"),
        ("content/partners/x.yaml", "partners", b"x"),
        ("content/projects/p.yaml", "projects", b"p"),
    ]
    assert warnings == [] and errors == []


def test_wrong_extensions_are_warned_about_and_scratch_files_are_silent(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "content/news/notes.txt": "",
            "content/projects/p.yml": "",
            "content/news/.a.md.swp": "",
            "content/news/a.md~": "",
            "content/news/#a.md#": "",
            "content/news/.hidden.md": "",
        },
    )
    sources, warnings, _ = discover(tmp_path)
    assert sources == []
    assert [str(w) for w in warnings] == [
        "content/news/notes.txt: ignored: only .md files are read in content/news/",
        "content/projects/p.yml: ignored: rename it to end in .yaml",
    ]


@pytest.mark.parametrize("name", [".a.md.swp", "a.md~", "#a.md#", "a.md.bak", "a.md.tmp", "a.md___jb_tmp___", ".goutputstream-XYZ1"])
def test_editor_scratch_names(name: str) -> None:
    assert is_scratch(name)


def test_section_of() -> None:
    assert section_of("content/news/a.md") == "news"
    assert section_of("content/projects/p.yaml") == "projects"
    assert section_of("content/news/a.yaml") is None
    assert section_of("content/news/sub/a.md") is None
    assert section_of("content/site.yaml") is None
    assert section_of("templates/news/a.md") is None


def test_a_file_where_a_section_folder_belongs_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, {"content/news": "I meant to be a folder\n", "content/pages/about.md": "---\ntitle: A\n---\n"})
    sources, _, errors = discover(tmp_path)
    assert [s.rel for s in sources] == ["content/pages/about.md"]
    assert [str(e) for e in errors] == ["content/news: is not a folder; move it aside and create content/news/"]


@pytest.mark.parametrize("links_refused_at_open", [True, False], ids=["O_NOFOLLOW", "no O_NOFOLLOW (Windows)"])
@pytest.mark.parametrize("swap", ["none", "outside", "inside", "loop", "bundle outside", "gone", "folder", "pipe"])
def test_a_file_is_judged_again_when_it_is_read_after_being_listed(
    tmp_path: Path, swap: str, links_refused_at_open: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A build reads each file minutes after listing it: whatever was put in its place since is
    # judged as it is opened (a link is followed only within the project, and only to a regular
    # file), never read blindly, and the bytes read are the file's, untranslated.
    if not links_refused_at_open:
        monkeypatch.setattr(discover_module, "_NOFOLLOW", 0)
        monkeypatch.setattr(discover_module, "_FLAGS", discover_module._FLAGS & ~os.O_NOFOLLOW)
    root, outside = tmp_path / "site", tmp_path / "secret.md"
    outside.write_text("TOKEN=hunter2", encoding="utf-8")
    write(root, {"content/news/a.md": "a", "content/news/kept.md": "kept", "content/pages/b/index.md": "b"})
    (root / "content/news/kept.md").write_bytes(b"kept\r\n\x1a")
    entries, _, _ = listing(root)
    assert [(e.rel, e.linked) for e in entries] == [
        ("content/news/a.md", False),
        ("content/news/kept.md", False),
        ("content/pages/b/index.md", False),
    ]
    news, bundle = root / "content/news/a.md", root / "content/pages/b"
    if swap == "bundle outside":
        shutil.rmtree(bundle)
        (tmp_path / "elsewhere").mkdir()
        (tmp_path / "elsewhere/index.md").write_text("TOKEN=hunter2", encoding="utf-8")
        bundle.symlink_to(tmp_path / "elsewhere")
    elif swap != "none":
        news.unlink()
    if swap in ("outside", "inside", "loop"):
        news.symlink_to({"outside": outside, "inside": root / "content/news/kept.md", "loop": news}[swap])
    elif swap == "folder":
        news.mkdir()
    elif swap == "pipe":
        os.mkfifo(news)
    found = [read_source(root.resolve(), entry) for entry in entries]
    said = [f.message if isinstance(f, Problem) else f.data for f in found]
    first = {
        "none": b"a",
        "outside": "is a symbolic link to a file outside the project; copy the file into content/news/",
        "inside": b"kept\r\n\x1a",
        "loop": "is a symbolic link that leads round in a loop; replace it with the file",
        "gone": "cannot read: No such file or directory",
        "folder": "is not a regular file; save the text as an ordinary file",
        "pipe": "is not a regular file; save the text as an ordinary file",
    }
    if swap == "bundle outside":
        assert said == [b"a", b"kept\r\n\x1a", "is a symbolic link to a file outside the project; copy the file into content/pages/b/"]
    else:
        assert said == [first[swap], b"kept\r\n\x1a", b"b"]


@pytest.mark.parametrize("size", [0, 1, 4096, 65536, 8 * 1024 * 1024 + 3])
def test_a_source_is_read_whole_whatever_its_size(tmp_path: Path, size: int) -> None:
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    path = tmp_path / "content/news/a.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    (entry,) = listing(tmp_path)[0]
    found = read_source(tmp_path.resolve(), entry)
    assert not isinstance(found, Problem) and found.data == data


def test_a_source_that_grows_after_it_was_opened_is_read_to_its_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "content/news/a.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"a" * 100)
    real_fstat = os.fstat

    def fstat_then_append(fd: int) -> os.stat_result:
        info = real_fstat(fd)
        with path.open("ab") as file:  # an editor still writing: the size known is already short
            file.write(b"b" * 70000)
        return info

    monkeypatch.setattr(discover_module.os, "fstat", fstat_then_append)
    (entry,) = listing(tmp_path)[0]
    found = read_source(tmp_path.resolve(), entry)
    assert not isinstance(found, Problem) and found.data == b"a" * 100 + b"b" * 70000
