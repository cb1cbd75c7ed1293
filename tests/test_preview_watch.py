"""The watcher: editors' save patterns, recorded from watchdog's inotify observer, replayed into the
classification and debounce logic; and the real observer on a burst of changes."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import threading
import time

import pytest

from newshub.build import Build
from newshub.watch import SETTLED_QUIET, Batch, Debouncer, Watcher, classify

from .conftest import MakeSite, apply_batch, article, assert_same, preview_options, start_files

Event = tuple[str, str, str, bool]  # (event_type, src, dest, is_directory), paths relative to the root
N = "content/news"

# Recorded with watchdog 7 (inotify) while each program or editor pattern saved content/news/a.md.
SED_I: list[Event] = [
    ("opened", f"{N}/a.md", "", False), ("created", f"{N}/sed8sM1BS", "", False), ("modified", N, "", True),
    ("opened", f"{N}/sed8sM1BS", "", False), ("attrib", f"{N}/sed8sM1BS", "", False),
    ("closed_no_write", f"{N}/a.md", "", False), ("modified", f"{N}/sed8sM1BS", "", False),
    ("closed", f"{N}/sed8sM1BS", "", False), ("modified", N, "", True),
    ("moved", f"{N}/sed8sM1BS", f"{N}/a.md", False), ("modified", N, "", True),
]  # fmt: skip
OS_REPLACE: list[Event] = [
    ("created", f"{N}/tmp123", "", False), ("modified", N, "", True), ("opened", f"{N}/tmp123", "", False),
    ("modified", f"{N}/tmp123", "", False), ("closed", f"{N}/tmp123", "", False), ("modified", N, "", True),
    ("moved", f"{N}/tmp123", f"{N}/a.md", False), ("modified", N, "", True),
]  # fmt: skip
VIM_RENAME: list[Event] = [  # writebackup with backupcopy=no: the probe, the swap file, a.md -> a.md~
    ("created", f"{N}/4913", "", False), ("opened", f"{N}/4913", "", False), ("closed", f"{N}/4913", "", False),
    ("deleted", f"{N}/4913", "", False), ("created", f"{N}/.a.md.swp", "", False),
    ("modified", f"{N}/.a.md.swp", "", False), ("closed", f"{N}/.a.md.swp", "", False),
    ("moved", f"{N}/a.md", f"{N}/a.md~", False), ("created", f"{N}/a.md", "", False), ("opened", f"{N}/a.md", "", False),
    ("modified", f"{N}/a.md", "", False), ("closed", f"{N}/a.md", "", False), ("deleted", f"{N}/a.md~", "", False),
    ("deleted", f"{N}/.a.md.swp", "", False), ("modified", N, "", True),
]  # fmt: skip
VIM_IN_PLACE: list[Event] = [  # vim -u NONE: backupcopy=auto writes the file in place
    ("modified", f"{N}/a.md", "", False), ("attrib", f"{N}/a.md", "", False),
    ("closed", f"{N}/a.md", "", False), ("attrib", f"{N}/a.md", "", False),
]  # fmt: skip
GEDIT: list[Event] = [
    ("created", f"{N}/.goutputstream-AB12CD", "", False), ("modified", N, "", True),
    ("opened", f"{N}/.goutputstream-AB12CD", "", False), ("opened", f"{N}/a.md", "", False),
    ("closed_no_write", f"{N}/a.md", "", False), ("modified", f"{N}/.goutputstream-AB12CD", "", False),
    ("closed", f"{N}/.goutputstream-AB12CD", "", False), ("modified", N, "", True),
    ("moved", f"{N}/.goutputstream-AB12CD", f"{N}/a.md", False), ("modified", N, "", True),
]  # fmt: skip
JETBRAINS: list[Event] = [
    ("created", f"{N}/a.md___jb_tmp___", "", False), ("opened", f"{N}/a.md___jb_tmp___", "", False),
    ("modified", f"{N}/a.md___jb_tmp___", "", False), ("closed", f"{N}/a.md___jb_tmp___", "", False),
    ("moved", f"{N}/a.md", f"{N}/a.md___jb_old___", False), ("modified", N, "", True),
    ("moved", f"{N}/a.md___jb_tmp___", f"{N}/a.md", False), ("modified", N, "", True),
    ("deleted", f"{N}/a.md___jb_old___", "", False), ("modified", N, "", True),
]  # fmt: skip
KATE: list[Event] = [
    ("created", f"{N}/.a.md.kate-swp", "", False), ("modified", N, "", True), ("opened", f"{N}/.a.md.kate-swp", "", False),
    ("modified", f"{N}/.a.md.kate-swp", "", False), ("closed", f"{N}/.a.md.kate-swp", "", False),
    ("opened", f"{N}/a.md", "", False), ("modified", f"{N}/a.md", "", False), ("closed", f"{N}/a.md", "", False),
    ("deleted", f"{N}/.a.md.kate-swp", "", False), ("modified", N, "", True),
]  # fmt: skip
SAVES = {"sed -i": SED_I, "os.replace": OS_REPLACE, "vim rename": VIM_RENAME, "vim in place": VIM_IN_PLACE,
         "gedit": GEDIT, "jetbrains": JETBRAINS, "kate": KATE}  # fmt: skip
# The event of each save after which a.md holds the new text in full.
WHOLE = {"sed -i": 9, "os.replace": 6, "vim rename": 11, "vim in place": 2, "gedit": 8, "jetbrains": 6, "kate": 7}


def replay(events: list[Event], start: float = 0.0, gap: float = 0.0005) -> tuple[Debouncer, float]:
    debouncer = Debouncer(quiet=0.02, max_wait=3.0)
    now = start
    for event in events:
        debouncer.add(classify(*event), now)
        assert debouncer.due(now) is None  # never in the middle of a save
        now += gap
    return debouncer, now


@pytest.mark.parametrize("name", sorted(SAVES))
def test_an_editor_save_is_one_batch_naming_only_the_file(name: str) -> None:
    debouncer, now = replay(SAVES[name])
    batch = debouncer.due(now + 0.05)
    assert batch is not None
    assert batch.content == {"content/news/a.md"}
    assert not (batch.config or batch.templates or batch.assets or batch.rescan)
    assert debouncer.due(now + 1) is None


@pytest.mark.parametrize("name", sorted(SAVES))
def test_a_save_is_applied_early_only_once_its_file_is_whole(name: str) -> None:
    events = SAVES[name]
    for end in range(1, WHOLE[name] + 1):  # every moment before: a.md is missing, empty or half written
        debouncer, now = replay(events[:end])
        assert debouncer.due(now + 2 * SETTLED_QUIET) is None, events[end - 1]
    debouncer, now = replay(events)
    batch = debouncer.due(now + 2 * SETTLED_QUIET)
    # Closed after writing, or renamed into place; vim in place changes the file's mode after it closes it.
    assert (batch is not None) == (name != "vim in place")


def test_writes_to_several_files_wait_the_quiet_window() -> None:
    # A `git switch` or a script writing two files: once the second is in the batch, its close
    # does not end the batch early (the first file's references may need the second's).
    events: list[Event] = []
    for name in ("a.md", "b.md"):
        events += [("modified", f"{N}/{name}", "", False), ("closed", f"{N}/{name}", "", False)]
    debouncer, now = replay(events)
    assert debouncer.due(now + 2 * SETTLED_QUIET) is None
    batch = debouncer.due(now + 0.05)
    assert batch is not None and batch.content == {f"{N}/a.md", f"{N}/b.md"}


def test_swap_backup_and_probe_files_alone_start_nothing() -> None:
    scratch = [e for e in VIM_RENAME if "a.md" not in e[1].replace(".a.md.swp", "").replace("a.md~", "") and not e[3]]
    scratch += [("created", f"{N}/.a.md.kate-swp", "", False), ("created", "templates/4913", "", False)]
    scratch += [("modified", "templates/.base.html.swp", "", False), ("created", "assets/css/site.css~", "", False)]
    scratch += [("created", f"{N}/#a.md#", "", False), ("created", f"{N}/.#a.md", "", False)]
    debouncer, now = replay(scratch)
    assert debouncer.due(now + 1) is None


def test_kinds_of_change() -> None:
    assert classify("modified", "content/site.yaml", "", False).config
    assert classify("modified", "templates/base.html", "", False).templates
    assert classify("created", "assets/img/logo.png", "", False).assets
    assert classify("created", "content/news", "", True).rescan
    assert classify("moved", "content/old", "content/news", True).rescan
    assert not classify("modified", "site/index.html", "", False)  # the output is never watched
    assert not classify("modified", ".newshub-cache/parse.msgpack", "", False)
    skipped = classify("modified", "content/news/notes.txt", "", False)  # looked at, to warn that it is not read
    assert skipped.skipped == {"content/news/notes.txt"} and not skipped.content
    assert not classify("modified", "content/news/sub/a.md", "", False)
    renamed = classify("moved", f"{N}/a.md", f"{N}/b.md", False)
    assert renamed.content == {f"{N}/a.md", f"{N}/b.md"}  # the old path's pages go, the new one's come


def test_a_burst_of_hundreds_of_events_is_one_batch() -> None:
    events: list[Event] = []
    for i in range(300):  # a branch switch: files deleted, created and rewritten
        events += [("deleted", f"{N}/old-{i}.md", "", False), ("created", f"{N}/new-{i}.md", "", False)]
        events += [("modified", f"{N}/new-{i}.md", "", False), ("modified", N, "", True)]
    debouncer, now = replay(events, gap=0.0001)
    assert debouncer.due(now + 0.05) is None  # a burst waits longer than a save for its writer to pause
    batch = debouncer.due(now + 0.15)
    assert batch is not None and len(batch.content) == 600 and batch.events == 900  # folder mtimes are not counted
    assert debouncer.due(now + 1) is None


def test_a_burst_bridges_a_pause_that_would_end_a_save() -> None:
    # A loaded machine stalls a branch switch's writer for tens of milliseconds; applying half a
    # branch would show errors the other half resolves.
    events = [("modified", f"{N}/a-{i}.md", "", False) for i in range(200)]
    debouncer, now = replay(events[:100], gap=0.0001)
    assert debouncer.due(now + 0.05) is None
    for event in events[100:]:
        debouncer.add(classify(*event), now + 0.05)
    batch = debouncer.due(now + 0.2)
    assert batch is not None and len(batch.content) == 200
    assert debouncer.due(now + 1) is None


def test_a_long_stream_of_events_is_applied_after_max_wait() -> None:
    debouncer = Debouncer(quiet=0.02, max_wait=1.0)
    batches = []
    for i in range(300):  # an event every 10 ms for 3 s: never quiet
        now = i * 0.01
        debouncer.add(classify("modified", f"{N}/a-{i}.md", "", False), now)
        if (batch := debouncer.due(now)) is not None:
            batches.append(batch)
    assert 2 <= len(batches) <= 3


# --- the real observer -------------------------------------------------------------------------


class Recorder:
    """Applies batches to a Build, as `newshub serve` does, and counts them."""

    def __init__(self, project: Build) -> None:
        self.project = project
        self.batches: list[Batch] = []
        self.busy = 0  # batches being applied: a slow one must not pass for quiet
        self.done = threading.Condition()

    def apply(self, batch: Batch) -> None:
        with self.done:
            self.busy += 1
        try:
            apply_batch(self.project, batch)
        finally:
            with self.done:
                self.busy -= 1
                self.batches.append(batch)
                self.done.notify_all()

    def settle(self, quiet: float = 0.4, timeout: float = 30.0) -> None:
        """Wait until no batch is being applied and none has come for `quiet` seconds."""
        end = time.monotonic() + timeout
        with self.done:
            while time.monotonic() < end:
                count = len(self.batches)
                self.done.wait(quiet)
                if len(self.batches) == count and not self.busy:
                    return


def test_real_saves_and_a_branch_switch_sized_burst(make_site: MakeSite) -> None:
    rng = random.Random(11)
    root = make_site(start_files(rng))
    options = preview_options(root)
    project = Build(options)
    project.load()
    recorder = Recorder(project)
    watcher = Watcher(root, recorder.apply)
    watcher.start()
    try:
        time.sleep(0.2)
        target = root / "content/news/2024-05-01-story-0.md"
        subprocess.run(["sed", "-i", "s/^title: .*/title: Sed Title/", str(target)], check=True)
        recorder.settle()
        assert len(recorder.batches) == 1 and recorder.batches[0].content == {"content/news/2024-05-01-story-0.md"}
        assert b"Sed Title" in (project.page("news/story-0/index.html") or b"")

        # JetBrains' safe write, done for real.
        tmp, old = target.with_name(target.name + "___jb_tmp___"), target.with_name(target.name + "___jb_old___")
        tmp.write_text(target.read_text(encoding="utf-8").replace("Sed Title", "JB Title"), encoding="utf-8")
        os.rename(target, old)
        os.rename(tmp, target)
        old.unlink()
        recorder.settle()
        assert len(recorder.batches) == 2
        assert b"JB Title" in (project.page("news/story-0/index.html") or b"")

        # Hundreds of events at once, like `git switch`: new files, deletions, renames, rewrites.
        before = len(recorder.batches)
        news = root / "content/news"
        for i in range(120):
            (news / f"2024-05-0{i % 6 + 1}-burst-{i}.md").write_text(article(rng), encoding="utf-8")
        for i in range(0, 120, 3):
            os.replace(news / f"2024-05-0{i % 6 + 1}-burst-{i}.md", news / f"moved-{i}.md")
        for i in range(1, 120, 3):
            (news / f"2024-05-0{i % 6 + 1}-burst-{i}.md").unlink()
        (root / "content/news/2024-05-02-story-1.md").unlink()
        recorder.settle()
        assert 1 <= len(recorder.batches) - before <= 2
        assert sum(b.events for b in recorder.batches[before:]) >= 300
        assert project.page("news/story-1/index.html") is None  # a deleted file's page is gone
        assert_same(project, options, "after the burst")
    finally:
        watcher.stop()


def test_a_watched_folder_that_appears_or_is_replaced_is_watched(make_site: MakeSite) -> None:
    # `assets/` added after the server started (a new project), and `content/` replaced whole (a
    # restore, `git stash`); the watches follow the new folders, and what was written before the
    # watch began is read too.
    root = make_site(start_files(random.Random(12)))
    os.rename(root / "assets", root / "assets.off")
    options = preview_options(root)
    project = Build(options)
    project.load()
    assert project.page("index.html") is None and project.errors  # the stylesheet is missing
    recorder = Recorder(project)
    watcher = Watcher(root, recorder.apply)
    watcher.start()
    try:
        time.sleep(0.2)
        os.rename(root / "assets.off", root / "assets")
        recorder.settle()
        assert any(b.assets for b in recorder.batches)
        assert b"<html" in (project.page("index.html") or b"")  # rendered again, with the stylesheet
        assert project.errors == []
        (root / "assets/img").mkdir()
        (root / "assets/img/logo.svg").write_text("<svg/>", encoding="utf-8")
        recorder.settle()
        assert any(name.startswith("assets/img/logo.") for name in project.output())

        shutil.copytree(root / "content", root / "content.new")
        shutil.rmtree(root / "content")
        os.rename(root / "content.new", root / "content")
        recorder.settle()
        before = len(recorder.batches)
        target = root / "content/news/2024-05-01-story-0.md"
        target.write_text(target.read_text(encoding="utf-8").replace("title: ", "title: Replaced ", 1), encoding="utf-8")
        recorder.settle()
        assert len(recorder.batches) > before
        assert b"Replaced" in (project.page("news/story-0/index.html") or b"")
        assert_same(project, options, "after the folders came back")
    finally:
        watcher.stop()
