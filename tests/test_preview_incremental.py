"""The preview's Build equals a fresh `newshub build` after any sequence of edits.

Seeded random sequences of edits, additions, deletions, renames, broken and fixed files, raw HTML
the sanitiser drops, template, asset and site.yaml changes are applied to a mini-site on disk;
after each step the Build (told only the paths that changed, as the watcher tells `serve`) must
give byte for byte what a real build writes from scratch, with the same warnings, or stop with the
same problems.

After any change every rendered page is forgotten and rendered again when it is asked for (which
pages a change reaches is never worked out). What holds instead, and is proved here: nothing is
rendered until it is asked for, a page is rendered once per change, a template change parses
nothing, and an open page whose bytes did not change is not reloaded.
"""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from newshub import parallel
from newshub.build import Build
from newshub.discover import Source
from newshub.parse import Parsed
from newshub.pipeline import build

from .conftest import (
    MINIMAL_CONFIG,
    Events,
    MakeSite,
    Parses,
    Sequence,
    age,
    apply_batch,
    assert_same,
    batch_of,
    edit_body,
    fresh,
    page_token,
    preview_options,
    save,
    start_files,
    tree,
    without_script,
)
from .preview_server import running


def loaded(root: Path, drafts: bool = True) -> Build:
    project = Build(preview_options(root, drafts=drafts))
    project.load()
    return project


@pytest.mark.parametrize("seed", range(4))
def test_random_edits_equal_a_fresh_build(make_site: MakeSite, seed: int) -> None:
    rng = random.Random(seed)
    root = make_site(start_files(rng))
    options = preview_options(root, drafts=seed % 2 == 0)
    project = Build(options)
    project.load()
    before = assert_same(project, options, "start")
    steps = Sequence(root, rng)
    for n in range(30):
        touched = steps.step()
        generation = project.generation
        moved = apply_batch(project, batch_of(touched))
        assert moved == (project.generation > generation), f"step {n}: {touched}"
        now = assert_same(project, options, f"step {n}: {touched}")
        if (now.files, now.problems) != (before.files, before.problems):
            assert moved, f"step {n}: {touched}: what a build gives changed, open pages must look again"
        before = now


def test_after_a_change_a_page_is_rendered_once_and_only_when_asked_for(make_site: MakeSite) -> None:
    # Replaces "a text edit re-renders only the pages that show the article": every page is now
    # forgotten after a change, so what matters is that nothing is rendered before it is asked
    # for, and nothing twice.
    rng = random.Random(7)
    root = make_site(start_files(rng))
    options = preview_options(root)
    project = loaded(root)
    assert project.renders == 0  # loading renders nothing
    first = project.everything()
    pages = len(project.routes)
    assert project.renders == pages
    for file in project.routes:  # unchanged: every page is kept
        assert project.page(file) == first[file]
    assert project.renders == pages

    rel = "content/news/2024-05-03-story-2.md"
    story = "news/story-2/index.html"
    text = (root / rel).read_text(encoding="utf-8").rstrip("\n") + " A zebra crossed.\n"
    save(root / rel, text)
    assert project.apply([rel])
    assert project.renders == pages  # (a) the change rendered nothing, though every page was open
    page = project.page(story)
    assert project.renders == pages + 1
    assert page is not None and page != first[story] and b"A zebra crossed." in page
    assert project.page(story) is page  # (b) asked for again: the same bytes, not rendered again
    assert project.renders == pages + 1  # (a) nor any other page, while none is asked for

    save(root / rel, text)  # saved again with the same bytes: nothing moves, nothing is forgotten
    assert not project.apply([rel])
    assert project.page(story) is page and project.renders == pages + 1
    assert not project.apply(["content/news/.2024-05-03-story-2.md.swp", "content/news/notes.txt"])
    assert project.page(story) is page and project.renders == pages + 1

    assert_same(project, options, "after the edit")
    assert project.renders == 2 * pages  # every other page once, the story not again


def test_template_change_re_renders_without_parsing(make_site: MakeSite, parses: Parses) -> None:
    root = make_site(start_files(random.Random(3)))
    options = preview_options(root)
    project = loaded(root)
    assert parses.full() == {f"content/{rel}" for rel in tree(root / "content") if rel != "site.yaml"}  # the counter counts
    first = project.everything()
    pages = len(project.routes)
    parses.clear()

    path = root / "templates/base.html"
    save(path, path.read_text(encoding="utf-8").replace("</main>", "</main><!-- t -->"))
    assert project.apply(templates=True)
    assert project.renders == pages  # forgotten, not rendered yet
    for file in project.routes:
        page = project.page(file)
        assert page is not None and (b"<!-- t -->" in page) == file.endswith(".html"), file
    assert project.renders == 2 * pages  # every page rendered again, each once

    # A template that does not compile: an error, the last good pages stay, nothing parsed.
    good = path.read_text(encoding="utf-8")
    save(path, good + "{% if %}")
    assert project.apply(templates=True)
    assert [p.path for p in project.errors] == ["templates/base.html"]
    assert b"<!-- t -->" in (project.page("index.html") or b"")
    save(path, good)
    assert project.apply(templates=True)
    assert project.errors == []

    # A probe file in templates/ that came and went: nothing moves, nothing is forgotten.
    renders = project.renders
    index = project.page("news/index.html")  # (the home page links into project pages: #fragments render them too)
    assert project.renders == renders + 1
    (root / "templates/4913").write_text("", encoding="utf-8")
    (root / "templates/4913").unlink()
    assert not project.apply(templates=True)
    assert project.page("news/index.html") is index and project.renders == renders + 1
    assert parses.calls == []  # no template change parsed anything

    # The counter sees parses: a content edit parses that file, once, and nothing else.
    rel = "content/news/2024-05-02-story-1.md"
    save(root / rel, edit_body((root / rel).read_text(encoding="utf-8"), random.Random(1)))
    assert project.apply([rel])
    assert parses.calls == [(rel, True)]
    # The same files, but the search index's chunks, which are named by what they hold.
    assert {f for f in first if not f.startswith("pagefind/")} == {f for f in project.everything() if not f.startswith("pagefind/")}
    assert_same(project, options, "after the template changes")


def test_an_asset_change_changes_the_bytes_of_the_pages_that_name_it_only(make_site: MakeSite) -> None:
    # An asset no page names no longer leaves the pages rendered (every page is forgotten after a
    # change), but their bytes do not change; a stylesheet every page names changes every page.
    root = make_site(start_files(random.Random(4)))
    options = preview_options(root)
    project = loaded(root)
    first = project.everything()
    (root / "assets/img").mkdir()
    (root / "assets/img/logo.svg").write_text("<svg/>", encoding="utf-8")
    assert project.apply(assets=True)
    logo = [name for name in project.output() if name.startswith("assets/img/logo.")]
    assert len(logo) == 1 and project.page(logo[0]) == b"<svg/>"
    second = assert_same(project, options, "added asset").files
    assert second is not None and {name: data for name, data in second.items() if name != logo[0]} == first

    css = root / "assets/css/site.css"
    old_css = [name for name in first if name.startswith("assets/css/site.")]
    save(css, css.read_text(encoding="utf-8") + "\n/* x */\n")
    assert project.apply(assets=True)
    assert len(old_css) == 1 and project.page(old_css[0]) is None  # the old hashed name is gone
    new_css = [name for name in project.output() if name.startswith("assets/css/site.")]
    assert len(new_css) == 1 and project.page(new_css[0]) == css.read_bytes()
    for file in project.routes:  # every page names the stylesheet's new hash
        if file.endswith(".html"):
            page = project.page(file)
            assert page is not None and page != first[file] and ("/" + new_css[0]).encode() in page, file
    assert_same(project, options, "changed stylesheet")


def test_first_build_failure_then_fix(make_site: MakeSite) -> None:
    files = start_files(random.Random(5))
    files["content/news/broken.md"] = "---\ntitle: [oops\ndate: 2024-05-01\n---\nText.\n"
    root = make_site(files)
    options = preview_options(root)
    project = loaded(root)
    assert project.site is None and project.errors and project.errors[0].path == "content/news/broken.md"
    assert project.page("index.html") is None and all(name.startswith("assets/") for name in project.everything())
    assert project.errors == sorted(set(fresh(options).problems))
    save(root / "content/news/broken.md", "---\ntitle: Fixed\ndate: 2024-05-01\n---\nText.\n")
    assert project.apply(["content/news/broken.md"])
    assert_same(project, options, "fixed")


def test_site_yaml_broken_at_start_then_fixed(make_site: MakeSite) -> None:
    root = make_site({**start_files(random.Random(6)), "content/site.yaml": "title: [\n"})
    options = preview_options(root)
    project = loaded(root)
    assert project.errors and project.errors[0].path == "content/site.yaml"
    assert project.errors == sorted(set(fresh(options).problems))
    save(root / "content/site.yaml", MINIMAL_CONFIG)
    assert apply_batch(project, batch_of(["content/site.yaml"]))  # the watcher names site.yaml only
    assert_same(project, options, "fixed site.yaml")


def test_served_files_equal_what_build_writes(make_site: MakeSite, tmp_path: Path) -> None:
    rng = random.Random(21)
    root = make_site(start_files(rng))
    options = preview_options(root)
    project = loaded(root)
    steps = Sequence(root, rng)
    for _ in range(8):
        apply_batch(project, batch_of(steps.step()))
    for rel, good in steps.broken.items():
        save(root / rel, good)
        apply_batch(project, batch_of([rel]))
    out = tmp_path / "out"
    build(replace(options, output=out))
    assert project.errors == []
    assert project.everything() == tree(out)


def test_only_an_open_page_whose_bytes_change_reloads(make_site: MakeSite) -> None:
    # Over HTTP, as reload.js asks: after an edit every page is rendered again to know, but a page
    # whose bytes are the same gets no reload.
    rng = random.Random(8)
    root = make_site(start_files(rng))
    age(root)  # so that the only change the server sees is the edit below
    rel = "content/news/2024-05-03-story-2.md"
    changes, stays = "/news/story-2/", "/partners/"
    with running(root, "--no-cache") as server:
        before = {path: server.get(path) for path in (changes, stays)}
        assert all(status == 200 for status, _, _ in before.values())
        streams = {path: Events(server.port, path, page_token(body)) for path, (_, _, body) in before.items()}
        try:
            for stream in streams.values():
                assert stream.next() == "keep-alive"  # each page holds what it would be shown now
            save(root / rel, edit_body((root / rel).read_text(encoding="utf-8"), rng))
            assert streams[changes].next() == "reload"
            assert streams[stays].next() == "keep-alive"  # looked again after the change: same bytes
            after = {path: server.get(path) for path in (changes, stays)}
            assert after[stays][2] == before[stays][2]  # the same bytes, the same token
            assert after[changes][2] != before[changes][2]
            assert page_token(after[changes][2]) != page_token(before[changes][2])
            # The reload carries the page as served now: reload.js swaps it in with no request.
            assert streams[changes].data == b"\n".join(after[changes][2].splitlines()).decode()
            quiet = Events(server.port, stays, page_token(after[stays][2]), timeout=1.0)
            assert quiet.next() == "keep-alive"
            assert quiet.next() is None  # nothing else moves: no reload within a second
            quiet.close()
        finally:
            for stream in streams.values():
                stream.close()
        url = server.url
        _, err = server.output()
    assert "Traceback" not in err
    out = root.parent / "out"
    build(replace(preview_options(root), base_url=url, output=out))
    written = tree(out)
    assert without_script(after[changes][2]) == written["news/story-2/index.html"]
    assert without_script(after[stays][2]) == written["partners/index.html"]


def test_a_new_file_saved_with_a_body_edit_appears(make_site: MakeSite) -> None:
    # One batch (a git pull, "save all"): a body-only edit alone would swap one item into the Site;
    # with a new file beside it the Site must be assembled again.
    root = make_site(start_files(random.Random(3)))
    build = Build(preview_options(root))
    build.load()
    story = sorted((root / "content/news").glob("*.md"))[0]
    story.write_text(story.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")
    (root / "content/news/2024-09-09-brand-new.md").write_text("---\ntitle: Brand new\n---\n\nNew.\n", encoding="utf-8")
    assert build.apply([f"content/news/{story.name}", "content/news/2024-09-09-brand-new.md"])
    assert build.everything() == fresh(preview_options(root)).files


def test_a_run_cut_short_by_an_error_is_redone_in_full(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_site(start_files(random.Random(4)))
    build = Build(preview_options(root))
    build.load()
    config = root / "content/site.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("Test Hub", "Renamed Hub").replace("Asia/Shanghai", "UTC"), encoding="utf-8")

    def gone(root: Path) -> dict[str, object]:
        raise FileNotFoundError("assets/x.tmp")

    with monkeypatch.context() as patch:
        patch.setattr("newshub.build.load_assets", gone)
        with pytest.raises(FileNotFoundError):
            build.apply(config=True, assets=True)
    story = sorted((root / "content/news").glob("*.md"))[0]
    story.write_text(story.read_text(encoding="utf-8") + "\nLater.\n", encoding="utf-8")
    build.apply([f"content/news/{story.name}"])
    assert build.everything() == fresh(preview_options(root)).files


@pytest.mark.parametrize("when", ["first load", "a save"])
def test_a_run_cut_short_is_whole_after_the_next_one(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, when: str) -> None:
    # An exception halfway through a run (a bug, a Ctrl+C) leaves files listed but not read, or
    # read but not parsed (the edited file of a save): the next run looks at everything again,
    # the bytes parsed deciding what changed, and ends as a fresh build does.
    root = make_site(start_files(random.Random(5)))
    news = sorted((root / "content/news").glob("*.md"))
    original, failing_at = parallel.parse, {"first load": "", "a save": news[0].name}
    calls = []

    def failing(source: Source, *args: object) -> Parsed:
        calls.append(source.rel)
        if (when == "first load" and len(calls) == 3) or (failing_at[when] and source.rel.endswith(failing_at[when])):
            raise RuntimeError("cut short")
        return original(source, *args)  # type: ignore[arg-type]

    project = Build(preview_options(root))
    if when == "a save":
        project.load()
        save(news[0], edit_body(news[0].read_text(encoding="utf-8"), random.Random(1)))
        news[-1].unlink()  # deleted in the same save, after the edited file in the order files are parsed
    monkeypatch.setattr(parallel, "parse", failing)
    with pytest.raises(RuntimeError, match="cut short"):
        project.load() if when == "first load" else project.apply(content=[rel(root, news[0]), rel(root, news[-1])])
    monkeypatch.setattr(parallel, "parse", original)
    project.rescan()
    assert_same(project, preview_options(root), f"after {when} cut short")


def rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()
