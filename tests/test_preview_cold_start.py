"""A cold start serves pages from front matter first and parses bodies behind, and still serves
exactly what a full build writes.

`Build(options, defer_at=1)` loaded with a build cache (`Cache.open`) makes a mini-site start the
way a 10,000-article site starts with no cache on disk: only front matter is parsed before the
first page; a page parses the bodies it shows as it is rendered; finish_loading() takes the rest
from the background parse. Most tests here call finish_loading() themselves, so every step happens
at a known point: edits arrive while the bodies are still unparsed, as they may in use. What is
parsed, and when, is seen through parse() itself (the `parses` fixture counts its calls).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from newshub import parallel
from newshub.build import Build
from newshub.cache import CACHE_DIR, Cache
from newshub.discover import Source
from newshub.parse import Parsed
from newshub.pipeline import Options, build
from newshub.serve import DEFER_AT

from .conftest import (
    MINIMAL_CONFIG,
    Events,
    MakeSite,
    Parses,
    Sequence,
    apply_batch,
    article,
    assert_same,
    batch_of,
    fresh,
    page_token,
    preview_options,
    save,
    start_files,
    tree,
    without_script,
)
from .preview_server import running

NEWS = {f"content/news/2024-05-0{i + 1}-story-{i}.md" for i in range(5)} | {"content/news/story-1.zh.md"}
CACHE_FILE = f"{CACHE_DIR}/parse.msgpack"


def cold_build(options: Options) -> Build:
    project = Build(options, defer_at=1)
    project.load(Cache.open(options.root, options.cache))
    assert project.background is not None  # a cold start: the bodies are left to the background parse
    return project


def cold(make_site: MakeSite, seed: int = 1) -> tuple[Build, Options]:
    root = make_site(start_files(random.Random(seed)))
    options = preview_options(root)
    return cold_build(options), options


def test_first_pages_are_the_full_builds_before_the_bodies_are_parsed(make_site: MakeSite, parses: Parses) -> None:
    project, options = cold(make_site)
    with parses.paused():
        expected = fresh(options).files
    assert expected is not None
    assert {rel for rel, _ in parses.calls} >= NEWS and not parses.full() & NEWS  # front matter only, so far
    assert project.errors == [] and project.renders == 0
    assert not project.render_ahead() and project.renders == 0  # nothing is rendered ahead from front matter only
    assert project.page("news/story-2/index.html") == expected["news/story-2/index.html"]
    assert parses.full() & NEWS == {"content/news/2024-05-03-story-2.md"}  # only the body that page shows
    for file in ["index.html", "news/index.html", "zh/news/story-1/index.html", "sitemap.xml", "404.html"]:
        assert project.page(file) == expected[file], file
    assert project.background is not None  # all of that before the background parse was read
    renders = project.renders
    parses.clear()
    project.finish_loading()
    assert project.background is None
    assert parses.full() >= NEWS  # every body parsed in the end
    assert project.renders == renders  # finishing renders nothing itself
    assert project.page("news/story-2/index.html") == expected["news/story-2/index.html"]
    assert project.everything() == expected
    project.finish_loading()  # once done, again is nothing
    assert project.background is None


def test_without_a_cache_object_nothing_is_deferred(make_site: MakeSite, parses: Parses) -> None:
    # The cold start needs a Cache (Cache.open, even with caching off): `load()` alone parses all.
    root = make_site(start_files(random.Random(1)))
    project = Build(preview_options(root), defer_at=1)
    project.load()
    assert project.background is None
    assert parses.full() >= NEWS


def test_too_few_news_files_start_warm(make_site: MakeSite, parses: Parses) -> None:
    root = make_site(start_files(random.Random(1)))
    project = Build(preview_options(root), defer_at=len(NEWS) + 1)
    project.load(Cache.open(root, False))
    assert project.background is None and parses.full() >= NEWS


@pytest.mark.parametrize("seed", range(3))
def test_edits_while_bodies_are_unparsed_equal_a_fresh_build(make_site: MakeSite, seed: int) -> None:
    rng = random.Random(100 + seed)
    project, options = cold(make_site, seed)
    steps = Sequence(options.root, rng)
    for n in range(12):
        touched = steps.step()
        apply_batch(project, batch_of(touched))
        expected = fresh(options).files
        if expected is None:
            continue  # the errors are compared once every body is parsed
        assert project.errors == [], f"step {n}: {touched}"
        for file in rng.sample(sorted(expected), 4):
            assert project.page(file) == expected[file], f"step {n}: {touched}: {file}"
    assert project.background is not None  # every step above met unparsed bodies
    assert_same(project, options, "after the bodies were parsed")
    for n in range(5):
        touched = steps.step()
        apply_batch(project, batch_of(touched))
        assert_same(project, options, f"later step {n}: {touched}")


DEEP = "---\ntitle: Deep\ndate: 2024-05-02\n---\n\n" + ">" * 41 + " too deep\n"
HEAD = b"---\ntitle: Faulty\ndate: 2024-05-02\n---\n\nA first paragraph.\n\n"
BODY_FAULTS = {  # what only a body can get wrong; the cold start reads front matter only
    "nested too deeply": HEAD + b">" * 41 + b" too deep\n",
    "a control character": HEAD + b"A form feed \x0c pasted from a word processor.\n",
    "bytes not UTF-8": HEAD + "Caf\u00e9 in Latin-1.\n".encode("latin-1"),
    "a NUL character": HEAD + b"A NUL \x00 here.\n",
    "a file over the size limit": HEAD + b"A long body. " * (8 * 1024 * 1024 // 13 + 1),
}


@pytest.mark.parametrize("body", BODY_FAULTS.values(), ids=BODY_FAULTS.keys())
def test_a_body_error_found_after_the_start_shows_like_any_error(make_site: MakeSite, body: bytes) -> None:
    root = make_site({**start_files(random.Random(2)), "content/news/2024-05-02-faulty.md": body})
    options = preview_options(root)
    project = cold_build(options)
    assert project.errors == []  # its front matter is fine
    generation = project.generation
    project.finish_loading()
    problems = fresh(options).problems
    assert problems and project.errors == sorted(set(problems))
    assert project.errors[0].path == "content/news/2024-05-02-faulty.md"
    assert project.generation > generation  # open pages look again, and show the overlay


BOTH_FAULTY = {  # a broken front matter, and a body a build finds a fault in first
    "a control character, then bytes not UTF-8": b"---\ntitle: A \x0c\ndate: 2024-05-02\n---\n\nCaf\xe9.\n",
    "bad YAML, then a NUL": b"---\ntitle: [unclosed\n---\n\nA NUL \x00 here.\n",
    "no front matter, then bytes not UTF-8": b"title: A\n---\n\nCaf\xe9.\n",
}


@pytest.mark.parametrize("data", BOTH_FAULTY.values(), ids=BOTH_FAULTY.keys())
def test_a_file_whose_front_matter_and_body_are_broken_shows_the_builds_error_at_once(make_site: MakeSite, data: bytes) -> None:
    root = make_site({**start_files(random.Random(2)), "content/news/2024-05-02-faulty.md": data})
    options = preview_options(root)
    project = cold_build(options)
    problems = sorted(set(fresh(options).problems))
    assert [p.path for p in problems] == ["content/news/2024-05-02-faulty.md"]
    assert project.errors == problems
    project.finish_loading()
    assert project.errors == problems


@pytest.mark.parametrize("body", BODY_FAULTS.values(), ids=BODY_FAULTS.keys())
def test_a_page_that_shows_a_faulty_body_before_the_workers_are_done_shows_its_error(make_site: MakeSite, body: bytes) -> None:
    root = make_site({**start_files(random.Random(2)), "content/news/2024-05-02-faulty.md": body})
    options = preview_options(root)
    project = cold_build(options)
    assert project.errors == []
    project.page("news/faulty/index.html")  # its body is parsed here, as the page shows it
    assert project.background is not None
    problems = sorted(set(fresh(options).problems))
    assert project.errors == problems
    project.finish_loading()  # no workers left behind in this process for later tests
    assert project.errors == problems


def test_a_page_showing_many_bodies_is_the_builds_before_the_workers_are_done(make_site: MakeSite, parses: Parses) -> None:
    # The feed shows every article's body: the page parses them itself (the preview's old
    # on-demand limit, beyond which a page waited for the whole background parse, is gone).
    project, options = cold(make_site)
    with parses.paused():
        expected = fresh(options).files
    assert expected is not None
    parses.clear()
    assert project.page("feed.xml") == expected["feed.xml"]
    assert parses.full() == {rel for rel in NEWS if "story-1.zh" not in rel}  # the English feed's articles
    assert project.page("zh/feed.xml") == expected["zh/feed.xml"]
    assert project.background is not None  # it did not wait for the background parse
    assert_same(project, options, "after the parse")


def test_the_background_parse_fills_the_build_cache(make_site: MakeSite, parses: Parses) -> None:
    root = make_site(start_files(random.Random(3)))
    options = preview_options(root, cache=True)
    first = cold_build(options)
    assert not (root / CACHE_FILE).exists()  # saved with the bodies, not before
    first.finish_loading()
    assert (root / CACHE_FILE).is_file()
    parses.clear()
    again = Build(options, defer_at=1)
    again.load(Cache.open(root))
    assert again.background is None  # every body came from the cache
    assert parses.calls == []  # nothing parsed at all
    assert again.everything() == first.everything()


def test_with_a_partly_warm_cache_only_the_news_files_it_lacks_start_from_front_matter(make_site: MakeSite, parses: Parses) -> None:
    # The news files are counted as listed, before any is read; of those, the cache gives what it
    # has, and only the rest (edited since it was saved) are read for their front matter first.
    root = make_site(start_files(random.Random(3)))
    options = preview_options(root, cache=True)
    cold_build(options).finish_loading()
    edited = sorted(NEWS)[:2]
    for rel in edited:
        save(root / rel, (root / rel).read_text(encoding="utf-8") + "\nA sentence added since.\n")
    parses.clear()
    again = Build(options, defer_at=len(NEWS))
    again.load(Cache.open(root))
    assert again.background is not None
    assert sorted(parses.calls) == [(rel, False) for rel in edited]  # front matter only, and only theirs
    assert_same(again, options, "a partly warm start")


def test_a_background_parse_stopped_early_leaves_whole_pages(make_site: MakeSite) -> None:
    project, options = cold(make_site)
    project.stop()
    project.finish_loading()  # returns at once
    assert project.background is None
    assert project.errors == [] and project.everything() == fresh(options).files


def test_served_cold_start_equals_the_build(make_site: MakeSite) -> None:
    # Past DEFER_AT news files with no cache: the real server defers their bodies. A page opened
    # then is the build's page, and is not reloaded when the background parse ends.
    rng = random.Random(9)
    files: dict[str, str | bytes] = dict(start_files(rng))
    files["content/site.yaml"] = MINIMAL_CONFIG.replace("per_page: 2", "per_page: 20")
    bulk = 4 * DEFER_AT
    for i in range(bulk):
        files[f"content/news/2024-04-{i % 28 + 1:02d}-bulk-{i}.md"] = article(rng, draft_ok=False)
    root = make_site(files)
    out = root.parent / "out"
    paths = ["/news/bulk-7/", "/feed.xml", "/", "/tags/health/"]
    with running(root) as server:
        first = {path: server.get(path) for path in paths}
        assert all(status == 200 for status, _, _ in first.values())
        stream = Events(server.port, "/news/bulk-7/", page_token(first["/news/bulk-7/"][2]), timeout=2.0)
        try:
            deadline = time.monotonic() + 60
            while not (root / CACHE_FILE).exists():  # saved once the background parse is in
                assert time.monotonic() < deadline, "the background parse did not end"
                time.sleep(0.05)
            messages = []  # everything the open page was sent, until 2 s pass with nothing
            while (message := stream.next()) is not None:
                messages.append(message)
        finally:
            stream.close()
        assert messages and set(messages) == {"keep-alive"}, messages
        later = {path: server.get(path) for path in paths}
        base = server.url
        _, err = server.output()
    assert f"parsing {bulk + len(NEWS)} articles in the background" in err and "Traceback" not in err
    build(replace(preview_options(root), base_url=base, output=out))
    written = tree(out)
    for path in paths:
        file = path.lstrip("/") + ("index.html" if path.endswith("/") else "")
        assert first[path][2] == later[path][2], path  # the same bytes after the parse as during it
        assert without_script(first[path][2]) == written[file], path


def test_a_body_error_does_not_blank_the_pages_opened_meanwhile(make_site: MakeSite) -> None:
    # The error is found by a page's own parse; other pages are still completed before they are
    # shown, not rendered from front matter under the overlay.
    root = make_site({**start_files(random.Random(2)), "content/news/2024-05-02-deep.md": DEEP})
    options = preview_options(root)
    project = cold_build(options)
    generation = project.generation
    project.page("news/deep/index.html")
    assert [p.path for p in project.errors] == ["content/news/2024-05-02-deep.md"]
    assert project.generation > generation  # open pages look again, and show the overlay
    story = project.page("news/story-2/index.html")
    save(root / "content/news/2024-05-02-deep.md", DEEP.replace(">" * 41, ">"))
    expected = fresh(options).files
    assert expected is not None and story == expected["news/story-2/index.html"]
    assert project.apply(["content/news/2024-05-02-deep.md"])
    assert project.errors == []
    assert_same(project, options, "fixed")


@pytest.mark.parametrize("breakage", ["template", "content"])
def test_an_article_deleted_while_the_site_cannot_be_rebuilt(make_site: MakeSite, parses: Parses, breakage: str) -> None:
    project, options = cold(make_site)
    root = options.root
    with parses.paused():
        expected = fresh(options).files
    assert expected is not None and project.site is not None
    if breakage == "template":
        rel = "templates/article.html"
        save(root / rel, (root / rel).read_text(encoding="utf-8") + "{% if %}")
    else:
        rel = "content/pages/about.md"
        save(root / rel, "---\ntitle: [unclosed\n---\n\nx\n")
    apply_batch(project, batch_of([rel]))
    assert project.errors
    victim = project.site.news["en"][0].source  # on the home page, body not parsed yet
    assert victim not in parses.full()
    (root / victim).unlink()
    apply_batch(project, batch_of([victim]))
    assert project.errors
    # The last good site, as it was, completed: what build wrote before the changes.
    assert project.page("index.html") == expected["index.html"]
    assert project.page("news/index.html") == expected["news/index.html"]
    assert victim in parses.full()  # its body, parsed from the bytes the last good site showed


WORKER_DIES = """
import multiprocessing, os, signal, sys
from pathlib import Path
from newshub.config import load_config
from newshub.discover import discover
from newshub.markdown import MarkdownRenderer
from newshub.parallel import BackgroundParse
from newshub.parse import parse
root = Path(sys.argv[1])
config = load_config(root, None)
sources = [s for s in discover(root)[0] if s.section == "news"]
background = BackgroundParse(sources, config, "", root, 2)
got = []
for i, (chunk, parsed) in enumerate(background):
    if i == 0:
        for child in multiprocessing.active_children():
            os.kill(child.pid, signal.SIGKILL)
    got.extend(parsed)
renderer = MarkdownRenderer(config.html, "")
assert got == [parse(s, config, renderer) for s in sources], "different"
print("parsed", len(got))
"""


def test_a_parse_worker_killed_midway_leaves_its_share_to_the_reader(make_site: MakeSite) -> None:
    # Run apart: workers are forked only where no other thread runs, and pytest's may.
    rng = random.Random(13)
    root = make_site({f"content/news/2024-04-{i % 28 + 1:02d}-bulk-{i}.md": article(rng, draft_ok=False) for i in range(400)})
    result = subprocess.run([sys.executable, "-c", WORKER_DIES, str(root)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "parsed 400"


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc: procps may not be installed)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            # /proc/N/stat: "N (name) state ppid ..."; the name may hold spaces and parentheses.
            if entry.name.isdigit() and int((entry / "stat").read_text().rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


@pytest.mark.parametrize(("how", "group"), [(signal.SIGINT, True), (signal.SIGTERM, False), (signal.SIGTERM, True)])
def test_stopping_during_the_background_parse_is_quiet_and_ends_the_workers(make_site: MakeSite, how: signal.Signals, group: bool) -> None:
    rng = random.Random(14)
    files = start_files(rng)
    files.update({f"content/news/2024-04-{i % 28 + 1:02d}-bulk-{i}.md": article(rng, draft_ok=False) for i in range(3000)})
    root = make_site(files)
    with running(root, timeout=120) as server:
        workers = children(server.proc.pid)
        assert workers, "no background workers: the test site is too small"
        # Ctrl+C in a terminal reaches the whole process group, the workers too, as does a SIGTERM
        # sent to the group (kill -- -PGID, a container stopping); `kill PID` reaches the server only.
        for pid in [server.proc.pid, *(workers if group else [])]:
            os.kill(pid, how)
        server.proc.wait(timeout=30)  # output() would signal it again if it were still stopping
        _, err = server.output()
        assert server.proc.returncode == 0 and "Traceback" not in err, err
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)


class Gate:
    """parallel.BackgroundParse handing over one file at a time, each when the test releases it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.release, self.handed = threading.Semaphore(0), threading.Semaphore(0)
        real = parallel.BackgroundParse
        gate = self

        class Gated:
            def __init__(self, *args: Any) -> None:
                self.inner = real(*args)
                self.sources = self.inner.sources

            @property
            def stopped(self) -> bool:
                return self.inner.stopped

            def close(self) -> None:
                self.inner.close()

            def __iter__(self) -> Iterator[tuple[list[Source], list[Parsed]]]:
                for sources, results in self.inner:
                    for source, parsed in zip(sources, results, strict=True):
                        gate.release.acquire()
                        if self.inner.stopped:
                            return
                        yield [source], [parsed]
                        gate.handed.release()

        monkeypatch.setattr(parallel, "BackgroundParse", Gated)


@pytest.mark.parametrize("seed", range(3))
def test_edits_and_requests_meet_the_background_parse_in_a_real_thread(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    gate = Gate(monkeypatch)
    rng = random.Random(200 + seed)
    files = start_files(rng)
    files.update({f"content/news/2024-05-0{i % 6 + 1}-extra-{i}.md": article(rng) for i in range(12)})
    root = make_site(files)
    options = preview_options(root, drafts=seed != 1)
    project = cold_build(options)
    thread = threading.Thread(target=project.finish_loading)
    thread.start()
    steps = Sequence(root, rng)
    handing = True
    try:
        for n in range(20):
            if rng.random() < 0.1:  # the time zone is read by parse: every file is parsed again
                zone = rng.choice(["Asia/Shanghai", "UTC", "Europe/Paris"])
                save(root / "content/site.yaml", MINIMAL_CONFIG.replace("Asia/Shanghai", zone))
                touched = ["content/site.yaml"]
            else:
                touched = steps.step()
            apply_batch(project, batch_of(touched))
            for _ in range(rng.randint(0, 3)):  # the workers hand over a few files meanwhile
                if handing:
                    gate.release.release()
                    handing = gate.handed.acquire(timeout=2)  # False: all handed over, or the job was stopped
            expected = fresh(options).files
            if expected is None:
                assert project.errors, f"step {n}: {touched}"
                for file in rng.sample(sorted(project.routes), min(4, len(project.routes))):
                    project.page(file)  # the last good site, completed; never an exception
                continue
            assert project.errors == [], f"step {n}: {touched}"
            for file in rng.sample(sorted(expected), 5):
                assert project.page(file) == expected[file], f"step {n}: {touched}: {file}"
    finally:
        for _ in range(len(files) + 50):
            gate.release.release()
        thread.join(30)
    assert not thread.is_alive() and project.background is None
    assert_same(project, options, "after the parse")
