"""A cold start serves pages from front matter first and parses bodies behind, and still serves
exactly what a full build writes.

`defer_at=1` makes a mini-site start the way a 10,000-article site starts with no build cache: only
front matter is parsed before the first page; each page parses the bodies it shows before it is
rendered; complete() parses the rest. Nothing here runs the background thread, so every step
happens at a known point: edits arrive while the bodies are still unparsed, as they may in use.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from pathlib import Path

import pytest

import newshub.incremental as incremental
from newshub.incremental import Preview
from newshub.pipeline import Options, build

from .conftest import MakeSite, tree
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
