"""A cold start serves pages from front matter first and parses bodies behind, and still serves
exactly what a full build writes.

`defer_at=1` makes a mini-site start the way a 10,000-article site starts with no build cache: only
front matter is parsed before the first page; each page parses the bodies it shows before it is
rendered; complete() parses the rest. Nothing here runs the background thread, so every step
happens at a known point: edits arrive while the bodies are still unparsed, as they may in use.
"""

from __future__ import annotations

import os
import random
import re
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

import newshub.incremental as incremental
import newshub.parallel as parallel
from newshub.incremental import Preview
from newshub.pipeline import Options, build

from .conftest import MINIMAL_CONFIG, MakeSite, tree
from .preview_server import running
from .test_preview_incremental import Sequence, article, assert_same, batch_of, fresh, start_files


def options_for(root: Path, cache: bool = False) -> Options:
    return Options(root=root, drafts=True, base_url="http://127.0.0.1:8000", cache=cache, jobs=1)


def cold(make_site: MakeSite, seed: int = 1) -> tuple[Preview, Options]:
    root = make_site(start_files(random.Random(seed)))
    options = options_for(root)
    preview = Preview(options, defer_at=1)
    preview.load()
    return preview, options


def test_first_pages_are_the_full_builds_before_the_bodies_are_parsed(make_site: MakeSite) -> None:
    preview, options = cold(make_site)
    expected, problems = fresh(options)
    assert expected is not None and not problems
    assert preview.loading and preview.job is not None
    news = {rel for rel in preview.entries if rel.startswith("content/news/")}
    assert {rel for rel in news if not preview.entries[rel].full} == news  # front matter only, so far
    assert preview.take_pending() is None  # nothing is rendered ahead from front matter only
    assert preview.get("news/story-2/index.html") == expected["news/story-2/index.html"]
    parsed = {rel for rel in news if preview.entries[rel].full}
    assert parsed == {"content/news/2024-05-03-story-2.md"}  # only the body that page shows
    for file in ["index.html", "news/index.html", "zh/news/story-1/index.html", "sitemap.xml", "404.html"]:
        assert preview.get(file) == expected[file], file
    generation = preview.generation
    preview.complete()
    assert not preview.loading and not preview.provisional and preview.job is None
    assert all(entry.full for entry in preview.entries.values())
    assert preview.generation == generation  # the open pages were right: no reload
    assert "news/story-2/index.html" not in preview.pending  # nor a second render
    assert preview.render_everything() == expected


@pytest.mark.parametrize("seed", range(3))
def test_edits_while_bodies_are_unparsed_equal_a_fresh_build(make_site: MakeSite, seed: int) -> None:
    rng = random.Random(100 + seed)
    preview, options = cold(make_site, seed)
    steps = Sequence(options.root, rng)
    for n in range(12):
        touched = steps.step()
        preview.apply(batch_of(touched))
        expected, _ = fresh(options)
        if expected is None:
            continue  # the errors are compared once every body is parsed
        assert preview.errors == [], f"step {n}: {touched}"
        for file in rng.sample(sorted(expected), 4):
            assert preview.get(file) == expected[file], f"step {n}: {touched}: {file}"
    assert preview.loading or not preview.provisional
    assert_same(preview, options, "after the bodies were parsed")
    for n in range(5):
        touched = steps.step()
        preview.apply(batch_of(touched))
        assert_same(preview, options, f"later step {n}: {touched}")


def test_a_body_error_found_after_the_start_shows_like_any_error(make_site: MakeSite) -> None:
    files = start_files(random.Random(2))
    files["content/news/2024-05-02-deep.md"] = "---\ntitle: Deep\ndate: 2024-05-02\n---\n\n" + ">" * 41 + " too deep\n"
    root = make_site(files)
    options = options_for(root)
    preview = Preview(options, defer_at=1)
    preview.load()
    assert preview.errors == []  # its front matter is fine
    generation = preview.generation
    preview.complete()
    _, problems = fresh(options)
    assert problems and preview.errors == sorted(set(problems))
    assert preview.errors[0].path == "content/news/2024-05-02-deep.md"
    assert preview.generation > generation  # open pages reload to show the overlay


def test_a_page_showing_many_bodies_waits_for_all_of_them(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(incremental, "ON_DEMAND", 2)
    preview, options = cold(make_site)
    expected, _ = fresh(options)
    assert expected is not None
    assert preview.get("feed.xml") == expected["feed.xml"]
    assert not preview.loading and not preview.provisional


def test_the_background_parse_fills_the_build_cache(make_site: MakeSite) -> None:
    root = make_site(start_files(random.Random(3)))
    options = options_for(root, cache=True)
    first = Preview(options, defer_at=1)
    first.load()
    first.complete()
    again = Preview(options, defer_at=1)
    again.load()
    assert again.job is None and not again.loading  # every body came from the cache
    assert again.render_everything() == first.render_everything()


def test_served_cold_start_equals_the_build(make_site: MakeSite) -> None:
    # Past DEFER_AT news files with no cache: the real server defers their bodies.
    rng = random.Random(9)
    files = start_files(rng)
    for i in range(incremental.DEFER_AT + 20):
        files[f"content/news/2024-04-{i % 28 + 1:02d}-bulk-{i}.md"] = article(rng, draft_ok=False)
    root = make_site(files)
    out = root.parent / "out"
    with running(root) as server:
        status, _, body = server.get("/news/bulk-7/")
        assert status == 200
        base = server.url
        _, err = server.output()
    assert f"parsing {incremental.DEFER_AT + 26} articles in the background" in err
    build(replace(options_for(root), drafts=True, base_url=base, output=out))
    served = re.sub(rb'<script src="/__newshub__/reload.js"[^>]*></script>', b"", body)
    assert served == tree(out)["news/bulk-7/index.html"]


DEEP = "---\ntitle: Deep\ndate: 2024-05-02\n---\n\n" + ">" * 41 + " too deep\n"


def test_a_body_error_does_not_blank_the_pages_opened_meanwhile(make_site: MakeSite) -> None:
    # The error is found by a page's own parse; other pages are still completed before they are
    # shown, not rendered from front matter under the overlay.
    root = make_site({**start_files(random.Random(2)), "content/news/2024-05-02-deep.md": DEEP})
    options = options_for(root)
    preview = Preview(options, defer_at=1)
    preview.load()
    generation = preview.generation
    preview.get("news/deep/index.html")
    assert [p.path for p in preview.errors] == ["content/news/2024-05-02-deep.md"]
    assert preview.generation > generation  # open pages reload to show the overlay
    story = preview.get("news/story-2/index.html")
    (root / "content/news/2024-05-02-deep.md").write_text(DEEP.replace(">" * 41, ">"), encoding="utf-8")
    expected, _ = fresh(options)
    assert expected is not None and story == expected["news/story-2/index.html"]
    preview.apply(batch_of(["content/news/2024-05-02-deep.md"]))
    assert_same(preview, options, "fixed")


@pytest.mark.parametrize("breakage", ["template", "content"])
def test_an_article_deleted_while_the_site_cannot_be_rebuilt(make_site: MakeSite, breakage: str) -> None:
    preview, options = cold(make_site)
    root = options.root
    expected, _ = fresh(options)
    assert expected is not None and preview.site is not None
    if breakage == "template":
        rel = "templates/article.html"
        (root / rel).write_text((root / rel).read_text(encoding="utf-8") + "{% if %}", encoding="utf-8")
    else:
        rel = "content/pages/about.md"
        (root / rel).write_text("---\ntitle: [unclosed\n---\n\nx\n", encoding="utf-8")
    preview.apply(batch_of([rel]))
    victim = preview.site.news["en"][0].source  # on the home page, body not parsed yet
    assert victim in preview.provisional
    (root / victim).unlink()
    preview.apply(batch_of([victim]))
    assert preview.errors
    # The last good site, as it was, completed: what build wrote before the changes.
    assert preview.get("index.html") == expected["index.html"]
    assert preview.get("news/index.html") == expected["news/index.html"]


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
background = BackgroundParse(sources, config, "", 2)
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


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_stopping_during_the_background_parse_is_quiet_and_ends_the_workers(make_site: MakeSite, how: signal.Signals) -> None:
    rng = random.Random(14)
    files = start_files(rng)
    files.update({f"content/news/2024-04-{i % 28 + 1:02d}-bulk-{i}.md": article(rng, draft_ok=False) for i in range(3000)})
    root = make_site(files)
    with running(root, timeout=120) as server:
        workers = children(server.proc.pid)
        assert workers, "no background workers: the test site is too small"
        # Ctrl+C in a terminal reaches the whole process group, the workers too; SIGTERM only the server.
        for pid in [server.proc.pid, *(workers if how == signal.SIGINT else [])]:
            os.kill(pid, how)
        server.proc.wait(timeout=30)  # output() would signal it again if it were still stopping
        _, err = server.output()
        assert server.proc.returncode == 0 and "Traceback" not in err, err
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)


def _gated(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Semaphore, threading.Semaphore]:
    """BackgroundParse hands over one file at a time, each when the test releases it."""
    release, handed = threading.Semaphore(0), threading.Semaphore(0)
    original = parallel.BackgroundParse.__iter__

    def one_at_a_time(self: parallel.BackgroundParse) -> Iterator[Any]:
        for chunk in original(self):
            release.acquire()
            yield chunk
            handed.release()

    monkeypatch.setattr(parallel.BackgroundParse, "__iter__", one_at_a_time)
    monkeypatch.setattr(parallel, "_chunks", lambda count, size=1: [(i, i + 1) for i in range(count)])
    return release, handed


@pytest.mark.parametrize("seed", range(3))
def test_edits_and_requests_meet_the_background_parse_in_a_real_thread(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    release, handed = _gated(monkeypatch)
    rng = random.Random(200 + seed)
    files = start_files(rng)
    files.update({f"content/news/2024-05-0{i % 6 + 1}-extra-{i}.md": article(rng) for i in range(12)})
    root = make_site(files)
    options = replace(options_for(root), drafts=seed != 1)
    preview = Preview(options, defer_at=1)
    preview.load()
    thread = threading.Thread(target=preview.complete)
    thread.start()
    steps = Sequence(root, rng)
    handing = True
    try:
        for n in range(20):
            if rng.random() < 0.1:  # the time zone is read by parse: every entry is parsed again
                zone = rng.choice(["Asia/Shanghai", "UTC", "Europe/Paris"])
                (root / "content/site.yaml").write_text(MINIMAL_CONFIG.replace("Asia/Shanghai", zone), encoding="utf-8")
                touched = ["content/site.yaml"]
            else:
                touched = steps.step()
            preview.apply(batch_of(touched))
            for _ in range(rng.randint(0, 3)):  # the workers hand over a few files meanwhile
                if handing:
                    release.release()
                    handing = handed.acquire(timeout=2)  # False: all handed over, or the job was stopped
            expected, _ = fresh(options)
            if expected is None:
                assert preview.errors, f"step {n}: {touched}"
                for file in rng.sample(sorted(preview.routes), min(4, len(preview.routes))):
                    preview.get(file)  # the last good site, completed; never an exception
                continue
            assert preview.errors == [], f"step {n}: {touched}"
            for file in rng.sample(sorted(expected), 5):
                assert preview.get(file) == expected[file], f"step {n}: {touched}: {file}"
    finally:
        for _ in range(len(files) + 50):
            release.release()
        thread.join(30)
    assert not thread.is_alive() and not preview.loading
    assert all(entry.full for entry in preview.entries.values())
    assert_same(preview, options, "after the parse")
