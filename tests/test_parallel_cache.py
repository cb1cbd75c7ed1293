"""Parallel builds and the build cache give byte-identical output; no-op builds touch nothing."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest

import newshub.parallel
from newshub.cache import CACHE_DIR
from newshub.errors import BuildError
from newshub.pipeline import Options, build
from newshub.progress import Progress
from newshub.write import SiteWriter, write_site

from .conftest import MakeSite, tree


def _files(n: int = 12) -> dict[str, str]:
    files = {}
    for i in range(n):
        body = f"## Part {i}\n\nText with a [link](/news/a-{(i + 1) % n}/) and **bold**.\n\n- one\n- two\n"
        if i % 3 == 0:
            body += "\n| a | b |\n|---|---|\n| 1 | 2 |\n"
        files[f"content/news/2024-01-{i + 1:02d}-a-{i}.md"] = f"---\ntitle: Article {i}\ntags: [t{i % 3}, common]\n---\n\n{body}"
        if i % 4 == 0:
            files[f"content/news/a-{i}.zh.md"] = f"---\ntitle: 文章 {i}\ndate: 2024-01-{i + 1:02d}\n---\n\n中文正文 {i}。\n"
    files["content/pages/about.md"] = "---\ntitle: About\n---\n\nAbout us.\n"
    return files


def _build(root: Path, out: str, **kw: object) -> tuple[dict[str, bytes], int]:
    report = build(Options(root=root, output=root / out, **kw))  # type: ignore[arg-type]
    return tree(root / out), report.written


def test_parallel_output_is_identical_to_serial(make_site: MakeSite) -> None:
    root = make_site(_files())
    serial, _ = _build(root, "serial", jobs=1, cache=False)
    parallel, _ = _build(root, "parallel", jobs=2, cache=False)
    assert serial == parallel
    assert any(rel.endswith("feed.xml") for rel in serial)


def test_cached_output_is_identical_to_uncached(make_site: MakeSite) -> None:
    root = make_site(_files())
    plain, _ = _build(root, "plain", cache=False, jobs=1)
    assert not (root / CACHE_DIR).exists()
    cold, _ = _build(root, "cold", jobs=2)
    assert (root / CACHE_DIR).is_dir()
    warm, _ = _build(root, "warm", jobs=2)
    assert plain == cold == warm


def test_template_change_rerenders_without_parsing(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_site(_files())
    _build(root, "site", jobs=1)
    calls: list[str] = []
    real = newshub.parallel.parse
    monkeypatch.setattr(newshub.parallel, "parse", lambda source, *a: calls.append(source.rel) or real(source, *a))
    base = root / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("<body>", "<body>\n<!-- edited -->"), encoding="utf-8")
    after, written = _build(root, "site", jobs=1)
    assert calls == []
    assert written > 0
    assert b"<!-- edited -->" in after["index.html"]
    (root / "content" / "news" / "2024-01-01-a-0.md").write_text("---\ntitle: Changed\n---\n\nNew.\n", encoding="utf-8")
    _build(root, "site", jobs=1)
    assert calls == ["content/news/2024-01-01-a-0.md"]


def test_noop_build_rewrites_nothing(make_site: MakeSite) -> None:
    root = make_site(_files())
    first, _ = _build(root, "site")
    stats = {rel: os.stat(root / "site" / rel) for rel in first}
    for kw in ({}, {"cache": False}):
        again, written = _build(root, "site", **kw)
        assert written == 0
        assert again == first
        for rel, st in stats.items():
            now = os.stat(root / "site" / rel)
            assert (now.st_ino, now.st_mtime_ns) == (st.st_ino, st.st_mtime_ns), rel


def test_noop_build_still_validates(make_site: MakeSite) -> None:
    root = make_site(_files())
    _build(root, "site")
    (root / "content" / "news" / "broken.md").write_text("---\ntitle: No date\n---\n\nx\n", encoding="utf-8")
    with pytest.raises(BuildError):
        _build(root, "site")


def test_tampered_output_is_repaired(make_site: MakeSite) -> None:
    root = make_site(_files())
    first, _ = _build(root, "site")
    (root / "site" / "index.html").write_bytes(b"tampered")
    (root / "site" / "news" / "a-1" / "index.html").unlink()
    again, written = _build(root, "site")
    assert again == first
    assert written == 2


def _foreign(data: bytes) -> bytes:
    """A cache file as another newshub version writes it: another environment key (the first
    frame after the magic line: an 8-byte length and a MessagePack string), a correct digest."""
    magic, rest = data.split(b"\n", 1)
    length = int.from_bytes(rest[:8], "big")
    other = msgspec.msgpack.encode("another newshub")
    frames = len(other).to_bytes(8, "big") + other + rest[8 + length : -64]
    return magic + b"\n" + frames + hashlib.sha256(frames).hexdigest().encode()


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        (lambda data: b"garbage", "corrupt or foreign cache discarded"),
        (lambda data: data[: len(data) // 2], "corrupt or foreign cache discarded"),
        (_foreign, "foreign cache discarded (another newshub, Python-Markdown or nh3 version)"),
    ],
    ids=["garbage", "truncated", "foreign"],
)
def test_corrupt_or_foreign_cache_is_discarded(make_site: MakeSite, damage: Callable[[bytes], bytes], why: str) -> None:
    root = make_site(_files())
    plain, _ = _build(root, "plain", cache=False)
    _build(root, "cold")
    for path in (root / CACHE_DIR).iterdir():
        path.write_bytes(damage(path.read_bytes()))
    report = build(Options(root=root, output=root / "site"))
    assert [w.message for w in report.warnings] == [f"{why}; rebuilding it"]
    assert tree(root / "site") == plain
    report = build(Options(root=root, output=root / "site2"))  # rebuilt: trusted again
    assert not report.warnings


def test_a_theme_sees_the_same_values_from_the_cache(make_site: MakeSite) -> None:
    # The cache keeps an article's date as an instant; it comes back in the site's time zone
    # (Asia/Shanghai here), the very zone object a parse gives, not only the same offset.
    root = make_site(_files())
    article = root / "templates" / "article.html"
    text = article.read_text(encoding="utf-8")
    marker = "{{ article.date.tzname() }} {{ article.date.tzinfo.key }} {{ article.lines | dictsort }} {{ article.toc | length }}"
    article.write_text(text.replace("</article>", marker + "</article>", 1), encoding="utf-8")
    plain, _ = _build(root, "plain", cache=False)
    assert b"CST Asia/Shanghai" in plain["news/a-1/index.html"]
    _build(root, "cold")
    warm, _ = _build(root, "warm")
    assert warm == plain


def test_a_save_cut_short_leaves_no_lasting_litter(make_site: MakeSite) -> None:
    # A process killed while writing the cache (Ctrl+C on a preview, a CI timeout) leaves its
    # temporary file behind; the next save removes it once it is clearly nobody's work in progress.
    root = make_site(_files())
    (root / CACHE_DIR).mkdir()
    old, recent = root / CACHE_DIR / ".parse-killed", root / CACHE_DIR / ".state-saving"
    old.write_bytes(b"x" * 1000)
    recent.write_bytes(b"y")
    os.utime(old, (1, 1))
    older = root / CACHE_DIR / "parse.pickle"  # the format newshub wrote before: never read again
    older.write_bytes(b"x")
    build(Options(root=root, output=root / "site"))
    assert not old.exists() and recent.exists() and not older.exists()
    assert {p.name for p in (root / CACHE_DIR).iterdir()} == {".state-saving", "parse.msgpack", "state.msgpack", "stamp.json"}


def test_parse_errors_are_the_same_in_parallel(make_site: MakeSite) -> None:
    files = _files()
    files["content/news/bad-1.md"] = "---\ntitle: x\nunknown: 1\n---\n\nx\n"
    files["content/news/bad-2.md"] = "---\ndate: 2024-01-01\n---\n\nx\n"
    root = make_site(files)
    found = []
    for jobs in (1, 2):
        with pytest.raises(BuildError) as exc:
            build(Options(root=root, jobs=jobs, cache=False))
        found.append([str(p) for p in exc.value.problems])
    assert found[0] == found[1]
    assert len(found[0]) == 3


def test_progress_is_drawn_only_on_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(True, stream)
    progress.start("parse", 10)
    progress.tick(10)
    assert stream.getvalue() == ""


@pytest.mark.parametrize(
    "new",
    [[b"abc", b"def"], [b"abc", b"dXf"], [b"abc"], [b"abc", b"def", b"g"], [], [b"Xbc", b"def"]],
    ids=["same", "changed-middle", "shorter", "longer", "empty", "changed-first"],
)
def test_streamed_files_are_compared_while_made(tmp_path: Path, new: list[bytes]) -> None:
    (tmp_path / "content").mkdir()
    out = tmp_path / "site"
    write_site(tmp_path, out, {"feed.xml": b"abcdef", "keep.html": b"k"})
    before = os.stat(out / "feed.xml")
    writer = SiteWriter(tmp_path, out)
    written = writer.put_chunks("feed.xml", iter(new))
    writer.commit(["feed.xml"])
    assert (out / "feed.xml").read_bytes() == b"".join(new)
    assert written == (b"".join(new) != b"abcdef")
    assert (os.stat(out / "feed.xml").st_ino == before.st_ino) == (not written)
    assert not (out / "keep.html").exists()


def test_rebuild_replaces_files_and_folders_in_the_way(tmp_path: Path) -> None:
    # An existing output is staged flat and moved into place path by path: a file where a folder
    # is now needed, a folder where a file is, and a symlink are all replaced, nothing is followed.
    (tmp_path / "content").mkdir()
    out = tmp_path / "site"
    write_site(tmp_path, out, {"index.html": b"1", "news": b"a file", "a/b/index.html": b"dir", "same.html": b"s"})
    (out / "link").symlink_to(tmp_path / "content")
    kept = os.stat(out / "same.html").st_ino
    new = {"index.html": b"2", "news/x/index.html": b"x", "a/b": b"now a file", "link/f.html": b"f", "same.html": b"s"}
    assert write_site(tmp_path, out, new) == 4
    assert tree(out) == new
    assert not (out / "link").is_symlink() and not (tmp_path / "content" / "f.html").exists()
    assert os.stat(out / "same.html").st_ino == kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "site"]  # no staging left


def test_feeds_hold_the_latest_feed_limit_articles(make_site: MakeSite) -> None:
    files = _files()
    root = make_site(files)
    config = root / "content" / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8").rstrip("\n") + "\nfeed_limit: 3\n", encoding="utf-8")
    out, _ = _build(root, "site", jobs=1, cache=False)
    feed = out["feed.xml"].decode()
    assert feed.count("<entry>") == 3
    assert "/news/a-11/" in feed and "/news/a-9/" in feed and "/news/a-8/" not in feed  # the latest
    assert "news/a-0/index.html" in out  # only feeds are limited


def test_the_cache_file_is_the_same_however_its_entries_came(make_site: MakeSite) -> None:
    """Some parse results from the cache and one parsed again in workers, or all parsed serially:
    the same entries give the same file."""
    root = make_site(_files())
    _build(root, "site", jobs=2)
    edited = root / "content/news/2024-01-05-a-4.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Text with", "Texts with"), encoding="utf-8")
    _build(root, "site", jobs=2)
    mixed = (root / CACHE_DIR / "parse.msgpack").read_bytes()
    shutil.rmtree(root / CACHE_DIR)
    _build(root, "site", jobs=1)
    assert (root / CACHE_DIR / "parse.msgpack").read_bytes() == mixed
