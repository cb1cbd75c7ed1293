"""5. Slugs and output folders: nothing is written outside the output folder, nothing collides."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newshub.errors import BuildError
from newshub.urls import RESERVED_TOP
from newshub.write import SiteWriter, _inside
from tests.conftest import MakeSite, run_cli, tree

from .helpers import GOOD, article, broken_build, good_site, no_traceback

CHARS = "may hold only letters, digits, hyphens and dots between them (no '/', '\\', '%', spaces, or a dot at either end)"


@pytest.mark.parametrize(
    ("yaml_value", "shown"),
    [
        ("../x", "../x"),
        ("/etc/x", "/etc/x"),
        ("'%2e%2e'", "%2e%2e"),
        ("'..'", ".."),
        ("'a\\b'", "a\\b"),
        ('"a\\0b"', "a\\x00b"),
        ('"a\\tb"', "a\\tb"),
        ("x/../../y", "x/../../y"),
        ("'a b'", "a b"),
    ],
)
def test_hostile_article_slug(make_site: MakeSite, yaml_value: str, shown: str) -> None:
    errors = broken_build(make_site, {"content/news/a.md": article(f"title: x\ndate: 2024-01-01\nslug: {yaml_value}\n")})
    assert errors == [f"content/news/a.md:4: slug '{shown}' {CHARS}"]


def test_windows_device_name(make_site: MakeSite) -> None:
    errors = broken_build(make_site, {"content/news/a.md": article("title: x\ndate: 2024-01-01\nslug: CON\n")})
    assert errors == ["content/news/a.md:4: slug 'CON' is a reserved device name on Windows; choose another"]


@pytest.mark.parametrize("name", [*sorted(n for n in RESERVED_TOP if "." not in n), "zh", "ZH"])
def test_reserved_page_slug(make_site: MakeSite, name: str) -> None:
    config = "title: T\nbase_url: https://hub.example.org\nlanguages: [en, zh]\n"
    errors = broken_build(make_site, {"content/site.yaml": config, "content/pages/x.md": article(f"title: x\nslug: {name}\n")})
    assert errors == [f"content/pages/x.md:3: slug '{name}' is used by the site itself; choose another"]


def test_reserved_page_file_name(make_site: MakeSite) -> None:
    errors = broken_build(make_site, {"content/pages/news.md": article("title: x\n")})
    assert errors == ["content/pages/news.md: slug 'news' is used by the site itself; choose another"]


def test_tag_with_a_windows_device_name(make_site: MakeSite) -> None:
    errors = broken_build(make_site, {"content/news/a.md": article("title: x\ndate: 2024-01-01\ntags: [ok, LPT1, '!!!']\n")})
    assert errors == [
        "content/news/a.md:4: tag '!!!' has no letters or digits to make a URL from",
        "content/news/a.md:4: tag 'LPT1': slug 'lpt1' is a reserved device name on Windows; choose another",
    ]


def test_article_slug_page_is_reserved(make_site: MakeSite) -> None:
    errors = broken_build(make_site, {"content/news/a.md": article("title: x\ndate: 2024-01-01\nslug: page\n")})
    assert errors == ["content/news/a.md:4: slug 'page' is taken by the news list's pagination; choose another"]


def test_urls_differing_only_in_case(make_site: MakeSite) -> None:
    errors = broken_build(make_site, {"content/news/a.md": article("title: x\ndate: 2024-01-01\nslug: Good\n")})
    assert errors == ["content/news/a.md:4: /news/Good/ is also produced by content/news/2024-04-02-good.md; give one of them another slug"]


def test_two_files_with_one_slug(make_site: MakeSite) -> None:
    errors = broken_build(make_site, {"content/news/a.md": article("title: x\ndate: 2024-01-01\nslug: good\n")})
    assert errors == ["content/news/a.md:4: /news/good/ is also produced by content/news/2024-04-02-good.md; give one of them another slug"]


def test_urls_differing_only_in_unicode_form(make_site: MakeSite) -> None:
    """NFC 'café.md' and NFD 'cafe\u0301.md' are two files on Linux and one on macOS: both give the
    slug 'café', so the build refuses them, naming both files."""
    errors = broken_build(
        make_site,
        {
            "content/news/caf\u00e9.md": article("title: x\ndate: 2024-01-01\n"),
            "content/news/cafe\u0301.md": article("title: y\ndate: 2024-01-01\n"),
        },
    )
    assert errors == [
        "content/news/caf\u00e9.md: /news/caf\u00e9/ is also produced by content/news/cafe\u0301.md; give one of them another slug"
    ]


def test_nfd_file_name_gives_an_nfc_url(make_site: MakeSite) -> None:
    """What macOS (HFS+) does to every accented file name: the page is still /news/café/ in NFC."""
    root = make_site({**GOOD, "content/news/cafe\u0301.md": article("title: x\ndate: 2024-01-01\n")})
    result = run_cli(root, "build")
    assert result.returncode == 0, result.stderr
    assert (root / "site/news/caf\u00e9/index.html").is_file()
    assert "/news/caf%C3%A9/" in (root / "site/news/index.html").read_text()


def test_nfd_slug_field_is_refused(make_site: MakeSite) -> None:
    errors = broken_build(make_site, {"content/news/a.md": article("title: x\ndate: 2024-01-01\nslug: cafe\u0301\n")})
    assert errors == ["content/news/a.md:4: slug 'cafe\u0301' is not in Unicode NFC form; retype it"]


def test_unicode_form_collision_through_slug_field(make_site: MakeSite) -> None:
    errors = broken_build(
        make_site,
        {
            "content/news/a.md": article("title: x\ndate: 2024-01-01\nslug: caf\u00e9\n"),
            "content/news/b.md": article("title: y\ndate: 2024-01-01\nslug: Caf\u00c9\n"),
        },
    )
    assert errors == ["content/news/a.md:4: /news/caf\u00e9/ is also produced by content/news/b.md; give one of them another slug"]


def test_writer_refuses_paths_that_escape(tmp_path: Path) -> None:
    base = tmp_path / "out"
    base.mkdir()
    for rel in ("../x", "a/../../x", "/etc/passwd", "a/../../../etc/x"):
        with pytest.raises(BuildError) as caught:
            _inside(base.resolve(), rel)
        assert str(caught.value) == f"{rel}: output path escapes the output folder; this is a bug or a hostile slug"
    writer = SiteWriter(tmp_path, tmp_path / "site")
    try:
        with pytest.raises(BuildError):
            writer.put("../escaped.html", b"x")
    finally:
        writer.abort()
    assert not (tmp_path / "escaped.html").exists()


def test_every_written_file_is_inside_the_output(make_site: MakeSite) -> None:
    root = good_site(make_site)
    out = (root / "site").resolve()
    for path in out.rglob("*"):
        assert path.resolve().is_relative_to(out)
    assert {p.name for p in root.iterdir()} <= {"content", "templates", "assets", "site", ".newshub-cache"}  # nothing beside them


REFUSE = "refusing to build into this folder: it would be replaced; use a folder such as site/"
CONTENT = "refusing to build into a folder that holds content/ or lies inside it; use site/"


@pytest.mark.parametrize(
    ("output", "shown", "message"),
    [
        ("/", "/", REFUSE),
        ("~", "~", REFUSE),
        (".", ".", REFUSE),
        ("content", "content", CONTENT),
        ("content/news", "content/news", CONTENT),
        ("site/../content/x", "content/x", CONTENT),
        ("..", "..", CONTENT),
        ("templates", "templates", "refusing to build into templates/; use site/"),
        ("assets/css", "assets/css", "refusing to build into assets/; use site/"),
        ("content/site.yaml", "content/site.yaml", CONTENT),
    ],
)
def test_dangerous_output_folders(make_site: MakeSite, output: str, shown: str, message: str) -> None:
    root = good_site(make_site)
    before = tree(root)
    home = str(Path.home().resolve())
    arg = home if output == "~" else output
    result = run_cli(root, "build", "--output", arg)
    no_traceback(result)
    assert result.returncode == 1
    if shown == "~":
        shown = home
    elif shown == "..":
        shown = str(root.parent.resolve())
    assert result.stderr.splitlines()[0] == f"{shown}: {message}"
    assert tree(root) == before


def test_output_that_is_a_file(make_site: MakeSite) -> None:
    root = good_site(make_site)
    (root / "out.txt").write_text("keep me")
    result = run_cli(root, "build", "--output", "out.txt")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "out.txt: the output path exists and is not a folder"
    assert (root / "out.txt").read_text() == "keep me"


def test_symlinked_output_into_content_is_refused(make_site: MakeSite) -> None:
    root = good_site(make_site)
    os.symlink(root / "content" / "news", root / "link")
    result = run_cli(root, "build", "--output", "link")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == f"content/news: {CONTENT}"


def test_content_symlink_out_of_the_project_is_refused(make_site: MakeSite, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text(article("title: Secret\ndate: 2024-01-01\n", "TOKEN=hunter2\n"))
    root = good_site(make_site)
    before = tree(root / "site")
    os.symlink(secret, root / "content/news/leak.md")
    result = run_cli(root, "build")
    no_traceback(result)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "content/news/leak.md: is a symbolic link to a file outside the project; copy the file into content/news/"
    )
    assert tree(root / "site") == before


def test_asset_symlink_out_of_the_project_is_never_published(make_site: MakeSite, tmp_path: Path) -> None:
    secret = tmp_path / "id_rsa"
    secret.write_text("PRIVATE KEY")
    root = make_site(GOOD)
    os.symlink(secret, root / "assets/id_rsa")
    os.symlink(root / "assets/css/site.css", root / "assets/alias.css")  # inside the project: fine
    result = run_cli(root, "build")
    assert result.returncode == 0, result.stderr
    files = tree(root / "site")
    assert not any(b"PRIVATE KEY" in data for data in files.values())
    assert any(rel.startswith("assets/alias.") for rel in files)


def test_folder_with_other_files_is_not_replaced(make_site: MakeSite) -> None:
    root = good_site(make_site)
    (root / "documents").mkdir()
    (root / "documents/thesis.txt").write_text("years of work")
    before = tree(root)
    result = run_cli(root, "build", "--output", "documents")
    no_traceback(result)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "documents: refusing to build into a folder that holds other files and no earlier build (no sitemap.xml); "
        "empty it or choose another"
    )
    assert tree(root) == before


def test_folder_with_only_retained_files_is_used(make_site: MakeSite) -> None:
    root = make_site(GOOD)
    (root / "pages/.git").mkdir(parents=True)
    (root / "pages/.git/HEAD").write_text("ref: refs/heads/gh-pages\n")
    (root / "pages/CNAME").write_text("hub.example.org\n")
    result = run_cli(root, "build", "--output", "pages")
    assert result.returncode == 0, result.stderr
    assert (root / "pages/.git/HEAD").is_file() and (root / "pages/CNAME").is_file() and (root / "pages/index.html").is_file()
