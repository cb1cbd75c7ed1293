"""A build with nothing to do is known from file stats before anything is read (noop.py); stats
are a shortcut, the content is the authority whenever a stat moved or could not be trusted."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newshub import noop
from newshub.errors import BuildError
from newshub.pipeline import Options, Report, build

from .conftest import MakeSite, age, run_cli, tree

FILES = {
    "content/news/2024-05-01-a.md": "---\ntitle: A\ntags: [x]\n---\n\nText [dead](/nowhere/).\n",
    "content/news/2024-05-02-b.md": "---\ntitle: B\n---\n\nText.\n",
    "content/site.yaml": "title: Hub\nbase_url: https://hub.example.org\nlanguages: [en]\ntimezone: UTC\ndead_links: warning\n",
}


def stats_only(report: Report) -> bool:
    """Whether the build answered from the stamp: no stage ran, not even the cache's."""
    return "cache" not in report.timings and "render" not in report.timings


@pytest.fixture
def root(make_site: MakeSite) -> Path:
    root = make_site(FILES)
    age(root)  # saved a minute ago: their stats are not racily clean (noop.RACY)
    build(Options(root=root, jobs=1))
    return root


def test_nothing_moved_is_known_from_stats_and_the_build_says_what_it_said(root: Path) -> None:
    before = tree(root / "site")
    report = build(Options(root=root, jobs=1))
    assert stats_only(report) and report.written == 0
    assert [w.path for w in report.warnings] == ["content/news/2024-05-01-a.md"]  # the dead link, said again
    assert tree(root / "site") == before
    result = run_cli(root, "build")
    assert result.returncode == 0 and "(0 files written)" in result.stdout and "warning: content/news/2024-05-01-a.md" in result.stderr
    strict = run_cli(root, "build", "--strict")
    assert strict.returncode == 1 and "(an error with --strict)" in strict.stderr


def test_a_touched_file_is_read_and_found_unchanged(root: Path) -> None:
    os.utime(root / "content/news/2024-05-02-b.md")  # same bytes, new mtime (a checkout, an editor's save)
    report = build(Options(root=root, jobs=1))
    assert not stats_only(report) and report.written == 0  # hashed: nothing to write
    age(root)  # (the touch is racily clean: a minute later its stat can be trusted)
    assert not stats_only(build(Options(root=root, jobs=1)))
    assert stats_only(build(Options(root=root, jobs=1)))  # stamped again


def test_an_edit_of_the_same_size_within_the_racy_window_is_seen(make_site: MakeSite) -> None:
    root = make_site(FILES)
    path = root / "content/news/2024-05-02-b.md"
    build(Options(root=root, jobs=1))  # right after the files were written
    st = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("Text.", "Next."), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime: only the bytes differ
    build(Options(root=root, jobs=1))
    assert "Next." in (root / "site/news/b/index.html").read_text(encoding="utf-8")


def test_right_after_an_edit_the_files_bytes_decide(make_site: MakeSite) -> None:
    # Saved and built at once (a script, a benchmark): every file is racily clean, and the
    # stamp keeps the digest of the bytes the build used; unchanged bytes are a no-op at once.
    root = make_site(FILES)
    build(Options(root=root, jobs=1))
    report = build(Options(root=root, jobs=1))
    assert stats_only(report) and report.written == 0
    with (root / "templates/base.html").open("a", encoding="utf-8") as handle:
        handle.write("{# edited #}\n")
    assert not stats_only(build(Options(root=root, jobs=1)))
    assert stats_only(build(Options(root=root, jobs=1)))


@pytest.mark.parametrize(
    "change",
    ["edit", "add", "delete", "template", "asset", "options", "output", "epoch"],
)
def test_any_change_of_input_options_or_output_runs_the_build(root: Path, change: str, monkeypatch: pytest.MonkeyPatch) -> None:
    options = Options(root=root, jobs=1)
    if change == "edit":
        (root / "content/news/2024-05-02-b.md").write_text("---\ntitle: B2\n---\n\nText.\n", encoding="utf-8")
    elif change == "add":
        (root / "content/news/2024-05-03-c.md").write_text("---\ntitle: C\n---\n\nText.\n", encoding="utf-8")
    elif change == "delete":
        (root / "content/news/2024-05-02-b.md").unlink()
    elif change == "template":
        with (root / "templates/base.html").open("a", encoding="utf-8") as handle:
            handle.write("{# a comment #}\n")
    elif change == "asset":
        with (root / "assets/css/site.css").open("a", encoding="utf-8") as handle:
            handle.write("/* a comment */\n")
    elif change == "options":
        options = Options(root=root, jobs=1, base_url="https://staging.example.org")
    elif change == "output":
        (root / "site/index.html").write_text("tampered", encoding="utf-8")
    elif change == "epoch":
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    report = build(options)
    assert not stats_only(report)
    if change in ("edit", "add", "delete", "asset", "options", "output"):
        assert report.written > 0
    if change == "output":
        assert (root / "site/index.html").read_text(encoding="utf-8") != "tampered"


def test_no_cache_never_skips(root: Path) -> None:
    assert not stats_only(build(Options(root=root, jobs=1, cache=False)))


def test_a_damaged_stamp_is_no_stamp(root: Path) -> None:
    stamp = root / ".newshub-cache" / noop.FILE
    stamp.write_bytes(stamp.read_bytes().replace(b'"pages"', b'"pagez"'))
    report = build(Options(root=root, jobs=1))
    assert not stats_only(report) and report.written == 0
    assert stats_only(build(Options(root=root, jobs=1)))  # a new stamp


@pytest.mark.parametrize("swap", [(b'"format":2', b'"format":1'), (b',"format":2', b""), (b'"pages":', b'"pages":"many","x":')])
def test_a_stamp_of_another_format_or_types_is_no_stamp(root: Path, swap: tuple[bytes, bytes]) -> None:
    # Signed, so not damaged: an older newshub's stamp, or one whose values are not what this one
    # writes, is decoded by type and turned down; the build then checks by content.
    path = root / ".newshub-cache" / noop.FILE
    body = path.read_bytes().partition(b"\n")[2]
    assert swap[0] in body
    body = body.replace(*swap)
    path.write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    assert noop.load(path.parent) is None
    report = build(Options(root=root, jobs=1))
    assert not stats_only(report) and report.written == 0
    stamp = noop.load(path.parent)
    assert stamp is not None and stamp.format == noop.FORMAT and stamp.pages == report.pages
    assert all(isinstance(value, tuple) for value in [*stamp.inputs.values(), *stamp.manifest.values()])


def test_the_output_is_due_to_change_at_until(tmp_path: Path) -> None:
    # A scheduled item, an expiry or a milestone falls due at `until`: from then on the stats say nothing.
    (tmp_path / "site").mkdir()
    (tmp_path / "site/index.html").write_text("x", encoding="utf-8")
    st = (tmp_path / "site/index.html").stat()
    taken = st.st_mtime_ns + 10 * noop.RACY
    stamp = noop.Stamp(inputs={"content/a.md": (1, st.st_mtime_ns)}, taken_ns=taken, context="c", output=str(tmp_path / "site"))
    stamp.manifest = {"index.html": (st.st_size, st.st_mtime_ns, st.st_ino)}
    due = datetime(2026, 12, 15, 1, 0, tzinfo=UTC).timestamp()
    stamp.until = due
    inputs = {"content/a.md": (1, st.st_mtime_ns)}
    assert noop.fresh(stamp, tmp_path, inputs, "c", tmp_path / "site", due - 1)
    assert not noop.fresh(stamp, tmp_path, inputs, "c", tmp_path / "site", due)
    assert not noop.fresh(stamp, tmp_path, inputs, "other", tmp_path / "site", due - 1)
    stamp.until = 0.0  # nothing due: fresh for ever
    assert noop.fresh(stamp, tmp_path, inputs, "c", tmp_path / "site", due * 2)


def test_a_scheduled_item_sets_until_to_its_time(make_site: MakeSite) -> None:
    soon = "---\ntitle: Soon\ndate: 2030-01-01T09:00:00+00:00\n---\n\nLater.\n"
    root = make_site({**FILES, "content/news/soon.md": soon})
    build(Options(root=root, jobs=1))
    stamp = noop.load(root / ".newshub-cache")
    assert stamp is not None and stamp.until == datetime(2030, 1, 1, 9, 0, tzinfo=UTC).timestamp()


def test_a_bad_source_date_epoch_is_reported_not_skipped(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "tomorrow")
    with pytest.raises(BuildError):
        build(Options(root=root, jobs=1))
