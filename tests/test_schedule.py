"""Publishing on time (issue 14): scheduled and expired items, aliases, `newshub list`, the build
summary. Every build here runs at a fixed SOURCE_DATE_EPOCH, the build time."""

from __future__ import annotations

import http.server
import os
import threading
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from newshub.build import Build
from newshub.errors import BuildError
from newshub.pipeline import Options, build

from .conftest import MakeSite, preview_options, run_cli, tree

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
EPOCH = str(int(NOW.timestamp()))
SOON = "content/news/embargo.md"
OLD = "content/news/2024-03-01-open-day.md"


def soon(minutes: int = 1) -> str:
    when = (NOW + timedelta(minutes=minutes)).isoformat()
    return f"---\ntitle: Embargoed signing\ndate: {when}\ntags: [embargo]\nprojects: [robot]\n---\n\nUnder embargo.\n"


EXPIRED = "---\ntitle: Open day\nexpires: 2024-03-10\ntags: [events]\n---\n\nCome to the open day.\n"
FILES = {
    SOON: soon(),
    OLD: EXPIRED,
    "content/news/2024-05-01-plain.md": "---\ntitle: Plain\n---\n\nText.\n",
    "content/projects/robot.yaml": "title: Robot\nstatus: active\n",
}


@pytest.fixture(autouse=True)
def build_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def mentions(out: Path, *needles: str) -> list[str]:
    """The output files that contain any of `needles`."""
    return sorted(rel for rel, data in tree(out).items() if any(n.encode() in data for n in needles))


def test_a_scheduled_article_is_in_no_output_file_until_its_time(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_site(FILES)
    build(Options(root=root, jobs=1))
    assert mentions(root / "site", "Embargoed", "embargo") == []  # no page, list, feed, sitemap, tag or project page
    build(Options(root=root, output=root / "future", future=True, jobs=1))
    found = mentions(root / "future", "Embargoed")
    assert {"news/embargo/index.html", "index.html", "news/index.html", "feed.xml", "tags/embargo/index.html"} <= set(found)
    assert "projects/robot/index.html" in found and "sitemap.xml" in mentions(root / "future", "/news/embargo/")
    # A minute later the same build, without --future, publishes it: the no-op check sees the time.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp()) + 61))
    build(Options(root=root, jobs=1))
    page = (root / "site/news/embargo/index.html").read_text(encoding="utf-8")
    assert "Embargoed signing" in page and "badge scheduled" not in page  # published: no longer marked
    assert "badge scheduled" in (root / "future/news/embargo/index.html").read_text(encoding="utf-8")


def test_an_expired_article_keeps_a_withdrawal_page_and_is_listed_nowhere(make_site: MakeSite) -> None:
    root = make_site(FILES)
    build(Options(root=root, jobs=1))
    out = root / "site"
    assert mentions(out, "Open day", "open-day") == ["news/open-day/index.html"]
    page = (out / "news/open-day/index.html").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex">' in page
    assert "This was withdrawn on 10 March 2024 and is no longer published." in page
    assert "tags/events/index.html" not in tree(out)


def test_the_build_says_what_it_left_out_and_when_to_build_again(make_site: MakeSite) -> None:
    root = make_site({**FILES, "content/news/2024-06-01-wip.md": "---\ntitle: WIP\ndraft: true\n---\n\nx\n"})
    result = run_cli(root, "build")
    lines = result.stdout.splitlines()
    assert result.returncode == 0 and lines[0].startswith("Built ") and " into site/ (" in lines[0]
    assert lines[1:] == [
        "Left out 1 draft and 1 scheduled item (see `newshub list drafts` and `newshub list scheduled`)",
        f"Next scheduled: {SOON} at 2026-11-30T20:01:00+08:00; build again then to publish it",
    ]
    again = run_cli(root, "build")  # nothing changed: nothing written, and "1 file" is singular
    assert "(0 files written)" in again.stdout


def test_output_is_the_same_for_the_same_content_and_build_time(make_site: MakeSite) -> None:
    root = make_site(FILES)
    build(Options(root=root, output=root / "a", cache=False, jobs=1))
    build(Options(root=root, output=root / "b", cache=False, jobs=1))
    assert tree(root / "a") == tree(root / "b")


def test_newshub_list(make_site: MakeSite) -> None:
    files = {
        **FILES,
        "content/news/2024-06-01-wip.md": "---\ntitle: WIP\ndraft: true\n---\n\nx\n",
        "content/news/2024-05-01-plain.zh.md": "---\ntitle: 平常\n---\n\n文字。\n",
        "content/partners/acme.yaml": "name: {zh: 阿克米}\nkind: company\n",
    }
    root = make_site(files)

    def listed(kind: str) -> list[str]:
        result = run_cli(root, "list", kind)
        assert result.returncode == 0, result.stderr
        return result.stdout.splitlines()

    assert listed("drafts") == ["content/news/2024-06-01-wip.md\t2024-06-01T00:00:00+08:00\tWIP"]
    assert listed("scheduled") == [f"{SOON}\t2026-11-30T20:01:00+08:00\tEmbargoed signing"]
    assert listed("expired") == [f"{OLD}\t2024-03-10T00:00:00+08:00\tOpen day"]
    assert listed("untranslated") == [
        "content/news/2024-03-01-open-day.md\t2024-03-01T00:00:00+08:00\tOpen day\tzh",
        "content/news/2024-06-01-wip.md\t2024-06-01T00:00:00+08:00\tWIP\tzh",
        f"{SOON}\t2026-11-30T20:01:00+08:00\tEmbargoed signing\tzh",
        "content/partners/acme.yaml\t\t阿克米\ten",
        "content/projects/robot.yaml\t\tRobot\tzh",
    ]


def test_the_preview_shows_a_scheduled_article_with_its_badge_and_no_drafts_hides_it(make_site: MakeSite) -> None:
    root = make_site(FILES)
    preview = Build(preview_options(root))
    preview.load()
    page = (preview.page("news/embargo/index.html") or b"").decode()
    assert '<span class="badge scheduled" data-pagefind-ignore>Scheduled for 30 November 2026</span>' in page
    assert "Embargoed signing" in (preview.page("index.html") or b"").decode()
    hidden = Build(preview_options(root, drafts=False))
    hidden.load()
    assert hidden.page("news/embargo/index.html") is None and "Embargoed" not in (hidden.page("index.html") or b"").decode()


ALIASED = "---\ntitle: Agreement\naliases: [/news/old-name/, /2024/agreement.html]\n---\n\nSigned.\n"


def test_aliases_are_redirect_pages_and_files_for_hosts(make_site: MakeSite) -> None:
    root = make_site(
        {"content/news/2024-04-02-agreement.md": ALIASED, "content/projects/robot.yaml": "title: R\nstatus: active\naliases: [/robot/]\n"}
    )
    build(Options(root=root, jobs=1))
    out = root / "site"
    page = (out / "news/old-name/index.html").read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="0; url=/news/agreement/">' in page
    assert '<link rel="canonical" href="https://hub.example.org/news/agreement/">' in page
    assert '<a href="/news/agreement/">' in page and (out / "2024/agreement.html").is_file()
    assert (out / "_redirects").read_text(encoding="utf-8").splitlines()[2:] == [
        "/news/old-name/ /news/agreement/ 301",
        "/2024/agreement.html /news/agreement/ 301",
        "/robot/ /projects/robot/ 301",
        "/zh/* /zh/404.html 404",  # after the aliases: Netlify takes the first rule that matches
    ]
    assert "location = /robot/ { return 301 /projects/robot/; }" in (out / "_redirects.conf").read_text(encoding="utf-8")
    assert "old-name" not in (out / "sitemap.xml").read_text(encoding="utf-8")


def test_chromium_follows_an_alias_to_the_new_address(make_site: MakeSite) -> None:
    root = make_site({"content/news/2024-04-02-agreement.md": ALIASED})
    build(Options(root=root, jobs=1))
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(headless=True, executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/news/old-name/")
            page.wait_for_url("**/news/agreement/")
            assert page.locator("h1").inner_text().startswith("Agreement")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"content/news/2024-04-02-agreement.md": ALIASED, "content/news/2024-01-01-old-name.md": "---\ntitle: Old\n---\n\nx\n"},
            "content/news/2024-04-02-agreement.md:3: alias /news/old-name/ is the address of content/news/2024-01-01-old-name.md"
            " (/news/old-name/); remove the alias",
        ),
        (
            {
                "content/news/2024-04-02-agreement.md": ALIASED,
                "content/pages/about.md": "---\ntitle: About\naliases:\n  - /about-us/\n  - /news/old-name\n---\n\nx\n",
            },
            "content/pages/about.md:5: alias /news/old-name/ is also an alias in content/news/2024-04-02-agreement.md:3;"
            " keep it in one file",
        ),
        (
            {"content/news/2024-04-02-agreement.md": ALIASED.replace("/news/old-name/", "news/old")},
            "content/news/2024-04-02-agreement.md:3: aliases: 'news/old' is not a site path newshub can write; write the old address"
            " from its first slash with letters, digits, '-', '_', '.' and '~' between slashes (not %-escapes), such as /news/old-name/",
        ),
        (
            {"content/news/2024-04-02-agreement.md": "---\ntitle: A\npublish_date: 2024-05-01\nexpires: 2024-04-01\n---\n\nx\n"},
            "content/news/2024-04-02-agreement.md:4: expires: 2024-04-01T00:00:00+08:00 is not after the item goes out"
            " (2024-05-01T00:00:00+08:00); correct one of them",
        ),
    ],
    ids=["alias-is-a-page", "alias-twice", "alias-not-a-path", "expires-before-publish"],
)
def test_collisions_and_bad_values_are_errors_naming_both_files(make_site: MakeSite, files: dict[str, str], expected: str) -> None:
    root = make_site(files)
    with pytest.raises(BuildError) as failed:
        build(Options(root=root, cache=False, jobs=1))
    assert [str(p) for p in failed.value.problems] == [expected]


def test_a_page_can_be_scheduled_with_publish_date(make_site: MakeSite) -> None:
    later = (NOW + timedelta(days=1)).date().isoformat()
    root = make_site({"content/pages/open-day.md": f"---\ntitle: Open day\npublish_date: {later}\n---\n\nSoon.\n"})
    build(Options(root=root, jobs=1))
    assert mentions(root / "site", "Open day") == []


@pytest.mark.parametrize(("key", "meant"), [("publishDate", "publish_date"), ("publish", "publish_date"), ("expiry", "expires")])
def test_hugo_and_jekyll_names_are_answered_with_newshubs(make_site: MakeSite, key: str, meant: str) -> None:
    root = make_site({"content/news/2024-05-01-a.md": f"---\ntitle: A\n{key}: 2024-06-01\n---\n\nx\n"})
    with pytest.raises(BuildError) as failed:
        build(Options(root=root, cache=False, jobs=1))
    assert [str(p) for p in failed.value.problems] == [
        f"content/news/2024-05-01-a.md:3: unknown key '{key}' in article front matter; did you mean '{meant}'?"
    ]


@pytest.mark.parametrize("alias", ["/a;b/", "/blog/:year/", "/*", "/a%20b/", "/a b/", "/" + "a" * 300 + "/"])
def test_an_alias_a_host_or_disk_would_misread_is_refused(make_site: MakeSite, alias: str) -> None:
    # ';' breaks nginx's include, ':name' and '*' are Netlify wildcards, a %-escape is written
    # literally as a folder name, 300 bytes is more than a file system names.
    root = make_site({"content/news/2024-04-02-agreement.md": f"---\ntitle: A\naliases: ['{alias}']\n---\n\nx\n"})
    result = run_cli(root, "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("content/news/2024-04-02-agreement.md:3: aliases: '"), result.stderr


@pytest.mark.parametrize("alias", ["/assets/favicon.svg", "/images/x/", "/pagefind/pagefind.js", "/CNAME", "/.well-known/x", "/_redirects"])
def test_an_alias_may_not_take_where_the_site_keeps_its_own_files(make_site: MakeSite, alias: str) -> None:
    root = make_site({"content/news/2024-04-02-agreement.md": f"---\ntitle: A\naliases: ['{alias}']\n---\n\nx\n"})
    with pytest.raises(BuildError) as failed:
        build(Options(root=root, cache=False, jobs=1))
    [problem] = failed.value.problems
    assert (problem.path, problem.line) == ("content/news/2024-04-02-agreement.md", 3)
    assert "is where the site keeps its own files" in problem.message


def test_non_ascii_aliases_are_decoded_in_the_nginx_file(make_site: MakeSite) -> None:
    root = make_site({"content/news/2024-04-02-agreement.md": "---\ntitle: A\naliases: [/合作/]\n---\n\nx\n"})
    build(Options(root=root, jobs=1))
    assert "location = /合作/ { return 301 /news/agreement/; }" in (root / "site/_redirects.conf").read_text(encoding="utf-8")
    assert "/%E5%90%88%E4%BD%9C/ /news/agreement/ 301" in (root / "site/_redirects").read_text(encoding="utf-8")


def test_a_cached_build_shows_the_same_dates_as_a_cold_one(make_site: MakeSite) -> None:
    # The cache kept publish_date and expires in UTC: a day off in the site's zone (UTC+8).
    page = "---\ntitle: P\npublish_date: 2026-12-01\n---\n\nx\n"
    root = make_site({"content/pages/p.md": page, "content/news/2024-05-01-e.md": "---\ntitle: E\nexpires: 2025-01-01\n---\n\nx\n"})
    build(Options(root=root, future=True, jobs=1))
    cold = tree(root / "site")
    (root / "site").rename(root / "cold")
    build(Options(root=root, future=True, jobs=1))  # from the cache
    assert tree(root / "site") == cold
    assert "withdrawn on 1 January 2025" in cold["news/e/index.html"].decode()


@pytest.mark.parametrize("epoch", ["999999999999", "99999999999999999", "²", "yesterday"])
def test_a_source_date_epoch_out_of_range_is_an_error_not_a_traceback(make_site: MakeSite, epoch: str) -> None:
    root = make_site(FILES)
    for command in ("build", "list"):
        result = run_cli(root, command, *(["drafts"] if command == "list" else []), env={**os.environ, "SOURCE_DATE_EPOCH": epoch})
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert result.stderr.startswith(f"SOURCE_DATE_EPOCH: '{epoch}' is not a whole number of seconds since 1970"), result.stderr


def test_a_theme_without_withdrawn_html_is_told_before_anything_expires(make_site: MakeSite) -> None:
    root = make_site({"content/news/2024-05-01-a.md": "---\ntitle: A\nexpires: 2099-01-01\n---\n\nx\n"})
    (root / "templates/withdrawn.html").unlink()
    for command in ("check", "build"):
        result = run_cli(root, command)
        assert result.returncode == 1 and result.stderr.startswith(
            "templates/withdrawn.html: template missing; content/news/2024-05-01-a.md has expires:"
        ), result.stderr
