"""watch: file-system events into debounced batches of changes, sorted by kind.

Editors save in many steps (vim renames the file to a backup and writes a new one, gedit and
JetBrains write a temporary file and rename it over, `sed -i` renames its sedXXXXXX file), so an
event only names a path to look at again: the batch is read once the events have stopped (or,
for one file, once its write has ended), and a half-finished save is never seen. Swap, backup
and probe files are dropped here; whether a path really changed is decided by comparing bytes
when the batch is applied.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import CONFIG_FILE
from .discover import SECTIONS, is_image, is_scratch, section_of

WATCHED = ("content", "templates", "assets")  # never site/: the preview would rebuild on its own output
QUIET = 0.01  # seconds without events that end a batch: an editor's save takes about a millisecond
MAX_WAIT = 3.0  # a batch is applied at the latest this long after its first event
# A burst (`git switch`, an unzip, rsync) has far more events than a save; its writer can pause for
# longer than QUIET on a loaded machine, and applying half a branch flashes errors that the other
# half resolves. Its rebuild takes longer than BURST_QUIET anyway.
BURST = 32  # events in one pending batch that make it a burst
BURST_QUIET = 0.1
# A batch of one content file whose last event ended its write (the file closed after writing,
# as inotify reports, or renamed into place) is whole already: it waits only for the rest of an
# editor's save (deleting its backup) and, as a start of a burst, for the next file of a
# `git switch`. A batch of several files, or where no close is reported, waits QUIET.
SETTLED_QUIET = 0.005


@dataclass
class Batch:
    """Paths to look at again, relative to the project root, by kind of change."""

    content: set[str] = field(default_factory=set)  # content/<section>/<file>
    config: bool = False  # content/site.yaml
    templates: bool = False
    assets: bool = False
    rescan: bool = False  # a folder in content/ came or went: read every content file again
    skipped: set[str] = field(default_factory=set)  # other files in a section folder: newshub warns it ignores them
    events: int = 0  # how many events went into it
    settled: bool = False  # its last event ended a write (SETTLED_QUIET)

    @classmethod
    def everything(cls) -> Batch:
        """Look at every file again: for changes no event reported."""
        return cls(config=True, templates=True, assets=True, rescan=True, events=1)

    def __bool__(self) -> bool:
        return bool(self.content or self.config or self.templates or self.assets or self.rescan or self.skipped)

    def merge(self, other: Batch) -> None:
        self.content |= other.content
        self.config |= other.config
        self.templates |= other.templates
        self.assets |= other.assets
        self.rescan |= other.rescan
        self.skipped |= other.skipped
        self.events += other.events
        self.settled = other.settled


def _ignored(name: str) -> bool:
    # vim probes whether it may write a folder with a file named 4913 (then 5036, ...).
    return is_scratch(name) or name.isdigit()


def classify_path(rel: str, is_directory: bool, batch: Batch) -> bool:
    """Add one changed path (relative, forward slashes) to `batch`; False if newshub does not read
    it (a file it only warns it skips, too)."""
    parts = rel.split("/")
    if parts[0] not in WATCHED or any(_ignored(part) for part in parts[1:]):
        return False
    if parts[0] == "templates":
        batch.templates = True
    elif parts[0] == "assets":
        batch.assets = True
    elif rel == CONFIG_FILE:
        batch.config = True
    elif is_directory and len(parts) <= 3:  # a section, or a page bundle, came, went or was renamed
        batch.rescan = True
    elif section_of(rel) is not None or is_image(rel):
        batch.content.add(rel)
    else:
        if len(parts) == 3 and parts[1] in SECTIONS:  # open-day.markdown; a temporary name (sedXXXXXX) is gone by then
            batch.skipped.add(rel)
        return False
    return True


def classify(event_type: str, src: str, dest: str, is_directory: bool) -> Batch:
    """One watchdog event (paths relative to the project root) as a Batch."""
    batch = Batch(events=1)
    if event_type in ("opened", "closed_no_write") or (is_directory and event_type == "modified"):
        return batch  # reads, and a folder's own mtime, change nothing
    read = classify_path(src, is_directory, batch)
    if event_type == "moved" and dest:
        batch.settled = classify_path(dest, is_directory, batch)  # renamed into place (not away, as to a backup)
    else:
        batch.settled = read and event_type == "closed"  # inotify's IN_CLOSE_WRITE
    return batch


class Debouncer:
    """Collects batches until QUIET seconds pass without one (or MAX_WAIT after the first).

    Once BURST events are pending, the quiet window is BURST_QUIET instead; while the batch is one
    content file whose last event ended its write, SETTLED_QUIET.

    Driven by explicit times, so tests replay recorded event sequences without sleeping."""

    def __init__(self, quiet: float = QUIET, max_wait: float = MAX_WAIT) -> None:
        self.quiet = quiet
        self.max_wait = max_wait
        self.pending = Batch()
        self.first = 0.0
        self.last = 0.0

    def add(self, batch: Batch, now: float) -> None:
        if not batch:
            return  # an ignored event neither starts nor extends the wait
        if not self.pending:
            self.first = now
        self.last = now
        self.pending.merge(batch)

    def due(self, now: float) -> Batch | None:
        """The collected batch if it is time to apply it, else None."""
        if not self.pending or (now - self.last < self._quiet() and now - self.first < self.max_wait):
            return None
        batch, self.pending = self.pending, Batch()
        return batch

    def wait_time(self, now: float) -> float | None:
        """Seconds until due() could return a batch; None when nothing is pending."""
        if not self.pending:
            return None
        return max(0.0, min(self.last + self._quiet(), self.first + self.max_wait) - now)

    def _quiet(self) -> float:
        pending = self.pending
        if pending.events >= BURST:
            return max(self.quiet, BURST_QUIET)
        # A temporary name beside it (sed's, skipped) is gone by now; anything else makes it more than a save.
        one_file = len(pending.content) == 1 and not (pending.config or pending.templates or pending.assets or pending.rescan)
        return min(self.quiet, SETTLED_QUIET) if pending.settled and one_file else self.quiet


class Watcher:
    """watchdog on content/, templates/ and assets/; `apply` runs in one thread, one batch at a time,
    so events that arrive during a rebuild form the next batch."""

    def __init__(self, root: Path, apply: Callable[[Batch], None], quiet: float = QUIET) -> None:
        self.root = root
        self.apply = apply
        self.debouncer = Debouncer(quiet)
        self.cond = threading.Condition()
        self.stopped = False
        self.thread = threading.Thread(target=self._run, name="newshub-rebuild", daemon=True)
        self.observer: object | None = None
        self.watches: dict[str, object] = {}  # folder name -> its watchdog watch

    def feed(self, event_type: str, src: str, dest: str = "", is_directory: bool = False) -> None:
        self.push(classify(event_type, self._rel(src), self._rel(dest) if dest else "", is_directory))

    def push(self, batch: Batch) -> None:
        with self.cond:
            self.debouncer.add(batch, time.monotonic())
            self.cond.notify()

    def _rel(self, path: str | bytes) -> str:
        text = os.fsdecode(path)
        try:
            return Path(text).relative_to(self.root).as_posix()
        except ValueError:
            return ""

    def start(self) -> None:
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                watcher.feed(event.event_type, os.fsdecode(event.src_path), os.fsdecode(event.dest_path), event.is_directory)

        class TopHandler(FileSystemEventHandler):
            """The project folder itself, not recursively: content/, templates/ or assets/ appearing."""

            def on_any_event(self, event: FileSystemEvent) -> None:
                path = os.fsdecode(event.dest_path if event.event_type == "moved" else event.src_path)
                if event.is_directory and event.event_type in ("created", "moved") and watcher._rel(path) in WATCHED:
                    watcher._watch(watcher._rel(path), Handler())

        observer = Observer()
        observer.schedule(TopHandler(), str(self.root), recursive=False)
        self.observer = observer
        for name in WATCHED:
            self._watch(name, Handler(), initial=True)
        observer.daemon = True
        observer.start()
        self.thread.start()

    def _watch(self, name: str, handler: object, initial: bool = False) -> None:
        """Watch one of WATCHED, recursively; one that appears later is then read in full, since
        files may have been written into it before the watch began."""
        observer: Any = self.observer
        if not (self.root / name).is_dir():
            return
        old = self.watches.pop(name, None)
        if old is not None:  # the folder was replaced (deleted, or renamed away, and made again)
            with contextlib.suppress(KeyError):
                observer.unschedule(old)
        self.watches[name] = observer.schedule(handler, str(self.root / name), recursive=True)
        if not initial:
            self.push(Batch.everything())

    def stop(self) -> None:
        with self.cond:
            self.stopped = True
            self.cond.notify()
        observer = self.observer
        if observer is not None:
            observer.stop()  # type: ignore[attr-defined]

    def _run(self) -> None:
        while True:
            with self.cond:
                batch = None
                while not self.stopped and batch is None:
                    batch = self.debouncer.due(time.monotonic())
                    if batch is None:
                        self.cond.wait(self.debouncer.wait_time(time.monotonic()))
                if self.stopped or batch is None:
                    return
            self.apply(batch)
