"""Dead links: every internal link and #fragment must lead somewhere the build writes (issue 12).

Through the front door: `build` and `check` (the functions the CLI calls, and the CLI itself for
--strict and --external), and the preview's Build for "the preview says what check says"."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newshub import pipeline
from newshub.build import Build
from newshub.errors import BuildError
from newshub.links import LinkCheck, Scanner
from newshub.model import Article
from newshub.pipeline import Options, build, check_only
from newshub.store import BodyStore, StoredArticle

from .conftest import MINIMAL_CONFIG, MakeSite, preview_options, run_cli, tree

A = "content/news/2024-05-01-a.md"
B = "content/news/2024-05-02-b.md"
GOOD_B = "---\ntitle: B\ndate: 2024-05-02\n---\n\nIntro.\n\n## Results\n\nText.\n"


def article(body: str, title: str = "A", date: str = "2024-05-01", extra: str = "") -> str:
    return f"---\ntitle: {title}\ndate: {date}\n{extra}---\n\n{body}\n"


def problems(root: Path, **options: object) -> list[str]:
    try:
        check_only(Options(root=root, cache=False, **{"jobs": 1, **options}))  # type: ignore[arg-type]
    except BuildError as exc:
        return [str(p) for p in exc.problems]
    return []


def before_footer(root: Path, line: str) -> int:
    """Add `line` to templates/base.html before its </footer>; the 0-based index it went in at."""
    base = root / "templates/base.html"
    lines = base.read_text(encoding="utf-8").splitlines()
    at = next(i for i, old in enumerate(lines) if "</footer>" in old)
    lines.insert(at, line)
    base.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return at


BROKEN = (
    "See [the protocol](/projects/nope/protocol/).\n\n"  # line 6
    "And [contact us](/contact/) and [a heading](#no-such-anchor).\n\n"  # line 8
    "Also [results](/news/b/#resultz) and [fine](/news/b/#results), [top](#top), [home](/), [news](/news),\n"  # line 10
    "[zh](/zh/) and [here](#details).\n\n## Details\n\nText.\n"
)


def test_dead_paths_and_fragments_are_errors_at_their_line(make_site: MakeSite) -> None:
    root = make_site({A: article(BROKEN), B: GOOD_B})
    assert problems(root) == [
        f"{A}:6: dead link '/projects/nope/protocol/': no page or file of the site has this URL; check the spelling, or create the page",
        f"{A}:8: dead link '#no-such-anchor': this page has no element with id 'no-such-anchor';"
        " link to a heading's id (see the table of contents) or drop the '#...'",
        f"{A}:8: dead link '/contact/': no page or file of the site has this URL; check the spelling, or create the page",
        f"{A}:10: dead link '/news/b/#resultz': /news/b/ has no element with id 'resultz'; did you mean '#results'?",
    ]
    # build stops on the same problems, and writes nothing
    with pytest.raises(BuildError) as failed:
        build(Options(root=root, cache=False, jobs=1))
    assert [str(p) for p in failed.value.problems] == problems(root)
    assert not (root / "site").exists()


def test_check_in_worker_processes_reads_every_body_and_says_what_build_says(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    # Enough articles for worker processes: check keeps bodies in a temporary file, as build does,
    # and its workers render every page from it, the dead link in the last body included.
    files = {f"content/news/2024-05-01-n{i:03d}.md": article(f"Body {i}.", title=f"N{i}") for i in range(80)}
    files["content/news/2024-05-01-n079.md"] = article("Body.\n\nSee [gone](/news/nowhere/).")
    root = make_site(files)
    before = tree(root)
    stored: list[str] = []

    class Recording(BodyStore):
        def put(self, item: Article) -> StoredArticle:
            stored.append(item.source)
            return super().put(item)

    monkeypatch.setattr(pipeline, "BodyStore", Recording)
    dead = "content/news/2024-05-01-n079.md:8: dead link '/news/nowhere/': no page or file of the site has this URL"
    assert problems(root, jobs=2) == [f"{dead}; check the spelling, or create the page"]
    assert sorted(stored) == sorted(files)  # every body went to the store, none stayed in memory
    with pytest.raises(BuildError) as failed:
        build(Options(root=root, cache=False, jobs=2))
    assert [str(p) for p in failed.value.problems] == [f"{dead}; check the spelling, or create the page"]
    assert tree(root) == before  # and no temporary file left behind


def test_a_failed_link_check_leaves_the_previous_site_as_it_was(make_site: MakeSite) -> None:
    root = make_site({A: article("[b](/news/b/)"), B: GOOD_B})
    build(Options(root=root, jobs=1))
    before = tree(root / "site")
    (root / B).unlink()
    result = run_cli(root, "build")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{A}:6: dead link '/news/b/': no page or file of the site has this URL" in result.stderr
    assert "the output folder was left as it was" in result.stderr
    assert tree(root / "site") == before


def test_a_link_in_a_template_is_placed_at_the_template_line(make_site: MakeSite) -> None:
    root = make_site({A: article("Text.")})
    at = before_footer(root, '<a href="/abuot/">About</a> <a href="{{ url(\'/news/\') }}#nowhere">News</a>')
    (root / "content/pages").mkdir()
    (root / "content/pages/about.md").write_text("---\ntitle: About\n---\n\nUs.\n", encoding="utf-8")
    found = problems(root)
    line = at + 1
    assert f"templates/base.html:{line}: dead link '/abuot/': no page or file of the site has this URL; did you mean '/about/'?" in found
    fragment = f"templates/base.html:{line}: dead link '/news/#nowhere': /news/ has no element with id 'nowhere'"
    assert any(p.startswith(fragment) for p in found)
    assert len(found) == 2  # once each, though every page has them


def test_links_on_a_base_path_site_and_in_both_languages(make_site: MakeSite) -> None:
    config = MINIMAL_CONFIG.replace("https://hub.example.org", "https://example.org/hub")
    zh = "content/news/2024-05-01-a.zh.md"
    root = make_site(
        {
            "content/site.yaml": config,
            A: article("[ok](/news/b/) [outside](/contact/) [full](https://example.org/hub/news/b/#results)"),
            zh: article("[好](../../../news/b/#results) [坏](/zh/news/c/)", title="甲"),
            B: GOOD_B,
        }
    )
    assert problems(root) == [
        # As the editor wrote them, on a site under /hub, with the suggestion in the same form.
        f"{A}:6: dead link '/contact/': no page or file of the site has this URL; check the spelling, or create the page",
        f"{zh}:6: dead link '/zh/news/c/': no page or file of the site has this URL; did you mean '/zh/news/a/'?",
    ]
    # Raw HTML site paths get the base path too: not dead.
    (root / A).write_text(article('<a href="/news/b/#results">raw</a>'), encoding="utf-8")
    (root / zh).unlink()
    assert problems(root) == []


def test_a_project_body_link_is_placed_in_its_yaml(make_site: MakeSite) -> None:
    project = "title: Robot\nstatus: active\nbody: |\n  The [plan](/pages/plan/) is public.\n"
    root = make_site({"content/projects/robot.yaml": project, A: article("Text.")})
    assert problems(root) == [
        "content/projects/robot.yaml:4: dead link '/pages/plan/': no page or file of the site has this URL;"
        " check the spelling, or create the page"
    ]


def test_dead_links_can_be_warnings_and_strict_makes_them_errors(make_site: MakeSite) -> None:
    root = make_site({"content/site.yaml": MINIMAL_CONFIG + "dead_links: warning\n", A: article("[c](/contact/)")})
    report = build(Options(root=root, jobs=1))
    assert [str(w) for w in report.warnings] == [
        f"{A}:6: dead link '/contact/': no page or file of the site has this URL; check the spelling, or create the page"
    ]
    again = run_cli(root, "build")  # a no-op build says it again
    assert again.returncode == 0 and f"warning: {A}:6: dead link '/contact/'" in again.stderr
    for command in ("build", "check"):
        strict = run_cli(root, command, "--strict")
        assert strict.returncode == 1 and "Traceback" not in strict.stderr, strict.stderr
        assert f"{A}:6: dead link '/contact/': no page or file of the site has this URL; check the spelling," in strict.stderr
        assert "create the page (an error with --strict)" in strict.stderr


def test_strict_stops_on_any_warning(make_site: MakeSite) -> None:
    root = make_site({A: article("Text."), "content/news/open-day.markdown": "x"})
    assert run_cli(root, "check").returncode == 0
    strict = run_cli(root, "check", "--strict")
    assert strict.returncode == 1
    assert "content/news/open-day.markdown: ignored: only .md files are read in content/news/ (an error with --strict)" in strict.stderr


def test_a_draft_is_checked_by_check_and_build_as_the_preview_checks_it(make_site: MakeSite) -> None:
    draft = article("Soon.", extra="draft: true\nprojects: [robott]\n")
    root = make_site({A: draft, "content/projects/robot.yaml": "title: Robot\nstatus: active\n"})
    preview = Build(preview_options(root))
    preview.load()
    shown = [str(p) for p in preview.errors]
    assert shown and all(p.startswith(f"{A}:5: unknown project 'robott'") for p in shown)
    assert problems(root) == shown
    with pytest.raises(BuildError) as failed:
        build(Options(root=root, cache=False, jobs=1))
    assert [str(p) for p in failed.value.problems] == shown


def test_the_preview_reports_the_dead_links_check_reports(make_site: MakeSite) -> None:
    root = make_site({A: article(BROKEN), B: GOOD_B})
    preview = Build(preview_options(root, drafts=False))
    preview.load()
    while preview.render_ahead():
        pass
    assert [str(p) for p in preview.errors] == problems(root, base_url="http://127.0.0.1:8000")
    # Fixed on disk: the preview takes the change and the errors go.
    (root / A).write_text(article("[b](/news/b/#results)"), encoding="utf-8")
    preview.apply([A])
    while preview.render_ahead():
        pass
    assert preview.errors == []
    # A target page loses its heading: the link to it is dead, found without opening that page first.
    (root / B).write_text(GOOD_B.replace("## Results", "## Findings"), encoding="utf-8")
    preview.apply([B])
    preview.page("news/a/index.html")
    assert [str(p) for p in preview.errors] == [
        f"{A}:6: dead link '/news/b/#results': /news/b/ has no element with id 'results'; link to a heading's id"
        " (see the table of contents) or drop the '#...'"
    ]


def test_the_preview_warns_of_a_file_saved_that_it_does_not_read(make_site: MakeSite) -> None:
    root = make_site({A: article("Text.")})
    preview = Build(preview_options(root))
    preview.load()
    (root / "content/news/open-day.markdown").write_text("---\ntitle: Open day\n---\n", encoding="utf-8")
    preview.apply(["content/news/open-day.markdown"])
    assert [str(w) for w in preview.warnings] == ["content/news/open-day.markdown: ignored: only .md files are read in content/news/"]
    (root / "content/news/open-day.markdown").rename(root / "content/news/2024-06-01-open-day.md")
    preview.apply(["content/news/open-day.markdown", "content/news/2024-06-01-open-day.md"])
    assert preview.warnings == []


# --- external links, against a local server --------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:
        status = {"/ok": 200, "/gone": 404}.get(self.path, 404)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def web() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_check_external_requests_each_link_once_and_names_the_dead_one(make_site: MakeSite, web: str) -> None:
    root = make_site({A: article(f"[ok]({web}/ok) and\n[gone]({web}/gone#part) and [mail](mailto:a@example.org)")})
    assert run_cli(root, "check").returncode == 0  # no requests without --external
    result = run_cli(root, "check", "--external")
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines()[0] == f"{A}:7: dead external link {web}/gone#part: HTTP 404 Not Found"


def test_a_link_is_placed_at_its_own_line_not_at_prose_that_mentions_the_address(make_site: MakeSite) -> None:
    body = "Our old /contact/ page moved.\n\nSecond paragraph.\n\nNow the real [link](/contact/).\n\nAnd [rel](contact/) here.\n"
    root = make_site({A: article(body)})
    assert [p.split(": dead link")[0] for p in problems(root)] == [f"{A}:10", f"{A}:12"]


def test_a_link_a_template_builds_with_url_is_placed_at_the_template_line(make_site: MakeSite) -> None:
    root = make_site({A: article("Text.")})
    at = before_footer(root, "<a href=\"{{ url(prefix ~ 'abuot/') }}\">x</a>")
    found = problems(root)
    assert [p.split(": ")[0] for p in found] == [f"templates/base.html:{at + 1}"] * len(found)
    assert {p.split(": ", 1)[1].split("'")[1] for p in found} == {"/abuot/", "/zh/abuot/"}  # once per address, not per page


def test_a_link_to_a_page_not_yet_published_says_so(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764460800")  # 2025-11-30
    root = make_site(
        {
            A: article("See [soon](/news/soon/), [wip](/news/wip/) and [the report](/assets/docs/report.pdf)."),
            "content/news/2026-02-01-soon.md": "---\ntitle: Soon\n---\n\nx\n",
            "content/news/2024-06-01-wip.md": "---\ntitle: WIP\ndraft: true\n---\n\nx\n",
            "assets/docs/report.pdf": "%PDF-1.4\n",
        }
    )
    found = [p.split(": ", 1)[1] for p in problems(root)]
    assert found == [
        "dead link '/assets/docs/report.pdf': no page or file of the site has this URL; files in assets/ are published under"
        " names with a content hash, which templates get from asset('...')",
        "dead link '/news/soon/': no page or file of the site has this URL; that page is scheduled for 2026-02-01T00:00:00+08:00:"
        " it is not published yet",
        "dead link '/news/wip/': no page or file of the site has this URL; that page is a draft: it is not published yet",
    ]


def test_check_with_only_warnings_says_so(make_site: MakeSite) -> None:
    root = make_site({"content/site.yaml": MINIMAL_CONFIG + "dead_links: warning\n", A: article("[c](/contact/)")})
    result = run_cli(root, "check")
    assert result.returncode == 0 and result.stdout.strip() == "Checked project: no errors, 1 warning"


def test_a_page_scan_knows_its_ids_and_nothing_between_them() -> None:
    """A build keeps each page's ids as one string until every page is rendered: no fragment may
    match across two of them ('a%00b' is not 'a' then 'b')."""
    scanner = Scanner({"index.html", "news/b/index.html"}.__contains__, "https://hub.example.org")
    page = b'<h2 id="a">A</h2> <h2 id="b">B</h2> <a href="/news/b/#a%00b">x</a> <a href="/news/b/#b">y</a> <a href="#a">z</a>'
    home, b = scanner.scan("/", page), scanner.scan("/news/b/", page)
    assert home.ids == frozenset({"a", "b"}) and home.has_id("b") and not home.has_id("a\0b") and not home.has_id("c")
    assert b.dead == ("/news/b/#a%00b",)  # on its own page, judged at once
    assert LinkCheck({"index.html": home, "news/b/index.html": b}).dead() == [
        ("index.html", "/news/b/#a%00b"),
        ("news/b/index.html", "/news/b/#a%00b"),
    ]
