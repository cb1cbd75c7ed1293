"""2. Dates are validated and read in the site's time zone. 3. Any UTF-8 file layout gives the same site."""

from __future__ import annotations

import os
import re

import pytest

from tests.conftest import MakeSite, run_cli, tree

from .helpers import GOOD, article, broken_build, no_traceback

DATE_HINT = "write YYYY-MM-DD or an ISO 8601 date-time such as 2024-04-02T09:30:00+08:00"


@pytest.mark.parametrize("value", ["2024-02-30", "2024-13-01", "tuesday", "2024-04-02T25:00:00"])
def test_invalid_article_date(make_site: MakeSite, value: str) -> None:
    errors = broken_build(make_site, {"content/news/a.md": article(f"title: x\ndate: {value}\n")})
    assert errors == [f"content/news/a.md:3: date: invalid date '{value}': {DATE_HINT}"]


def test_invalid_milestone_date(make_site: MakeSite) -> None:
    project = "title: R\nstatus: active\nmilestones:\n  - date: 2024-01-01\n    title: A\n  - date: 2024-02-30\n    title: Signed\n"
    errors = broken_build(make_site, {"content/projects/robot.yaml": project})
    assert errors == [f"content/projects/robot.yaml:6: milestones: date: invalid date '2024-02-30': {DATE_HINT}"]


def test_invalid_date_in_file_name(make_site: MakeSite) -> None:
    errors = broken_build(make_site, {"content/news/2024-02-30-x.md": article("title: x\n")})
    assert errors == [
        "content/news/2024-02-30-x.md: invalid date '2024-02-30' in the file name; write YYYY-MM-DD-slug.md",
        "content/news/2024-02-30-x.md:1: missing required field 'date'; add 'date: YYYY-MM-DD' or name the file YYYY-MM-DD-slug.md",
    ]


def test_naive_and_aware_dates_sort_together(make_site: MakeSite) -> None:
    root = make_site(
        {
            **GOOD,
            # Site zone Asia/Shanghai (+08:00): 09:30 naive, 09:00 (01:00Z) aware, 00:00 date-only.
            "content/news/naive.md": article("title: Naive\ndate: 2024-04-02T09:30:00\n"),
            "content/news/aware.md": article("title: Aware\ndate: 2024-04-02T01:00:00Z\n"),
            "content/news/later.md": article("title: Later\ndate: 2024-04-03T00:00:00-05:00\n"),
        }
    )
    result = run_cli(root, "build")
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    news = (root / "site/news/index.html").read_text()
    titles = re.findall(r'<a href="/news/[^"]+/">([^<]+)</a>', news)
    assert titles == ["Later", "Naive", "Aware", "Good news"]


def test_date_only_is_the_same_day_in_every_machine_zone(make_site: MakeSite) -> None:
    root = make_site({**GOOD, "content/site.yaml": GOOD["content/site.yaml"].replace("Asia/Shanghai", "Pacific/Kiritimati")})
    sites = []
    for zone in ("America/Los_Angeles", "Asia/Tokyo", "UTC"):
        result = run_cli(root, "build", "--no-cache", env={**os.environ, "TZ": zone})
        assert result.returncode == 0, result.stderr
        sites.append(tree(root / "site"))
    assert sites[0] == sites[1] == sites[2]
    page = sites[0]["news/good/index.html"].decode()
    assert '<time datetime="2024-04-02" data-pagefind-meta="date">2 April 2024</time>' in page
    assert "2024-04-02T00:00:00+14:00" in sites[0]["feed.xml"].decode()  # midnight in the site's zone


# --- 3. encoding ---------------------------------------------------------------------------------

LF = "---\ntitle: Line endings\ndate: 2024-04-02\n---\n\nFirst line\nsecond line.\n\n- a\n- b\n"


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf" + LF.encode(),
        LF.replace("\n", "\r\n").encode(),
        LF.replace("\n", "\r").encode(),
        b"\xef\xbb\xbf" + LF.replace("\n", "\r\n").encode(),
    ],
    ids=["bom", "crlf", "cr", "bom-crlf"],
)
def test_bom_and_line_endings_give_the_same_site(make_site: MakeSite, data: bytes) -> None:
    lf = make_site({**GOOD, "content/news/x.md": LF}, name="lf")
    other = make_site({**GOOD, "content/news/x.md": data}, name="other")
    for root in (lf, other):
        result = run_cli(root, "build")
        assert result.returncode == 0, result.stderr
    assert tree(lf / "site") == tree(other / "site")


def test_crlf_yaml_file(make_site: MakeSite) -> None:
    lf = make_site(GOOD, name="lf")
    crlf = make_site({**GOOD, "content/projects/robot.yaml": GOOD["content/projects/robot.yaml"].replace("\n", "\r\n")}, name="crlf")
    for root in (lf, crlf):
        assert run_cli(root, "build").returncode == 0
    assert tree(lf / "site") == tree(crlf / "site")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "content/news/a.md:1: the file is empty; start it with front matter between two '---' lines"),
        (b"\n  \n", "content/news/a.md:1: the file is empty; start it with front matter between two '---' lines"),
        (b"title: x\n", "content/news/a.md:1: missing front matter: the first line must be '---', then 'title: ...', then '---'"),
        (
            b"---\ntitle: x\ndate: 2024-01-01\n\nbody\n",
            "content/news/a.md:1: front matter is not closed: add a '---' line after the last 'key: value' line",
        ),
        (
            b"---\ndate: 2024-01-01\n---\n\nbody\n",
            "content/news/a.md:2: missing required field 'title' in article front matter;"
            " add a line such as 'title: Partnership agreement signed'",
        ),
        ("---\ntitle: café\n---\n".encode("latin-1"), "content/news/a.md:2: not UTF-8 at byte 14; save the file as UTF-8"),
        (b"---\ntitle: a\x00b\n---\n", "content/news/a.md:2: contains a NUL character; is this a text file?"),
        (b"\xff\xfe-\x00-\x00-\x00", "content/news/a.md:1: not UTF-8 at byte 0; save the file as UTF-8"),
    ],
    ids=["empty", "blank", "no-front-matter", "unterminated", "no-title", "latin1", "nul", "utf16"],
)
def test_unreadable_sources(make_site: MakeSite, data: bytes, message: str) -> None:
    assert broken_build(make_site, {"content/news/a.md": data}) == [message]


CANNOT_CARRY = "which feeds cannot carry; delete it"


@pytest.mark.parametrize(
    ("rel", "data", "message"),
    [
        (
            "content/news/a.md",
            article("title: a\ndate: 2024-01-01\n", "Pasted\x0cform feed.\n"),
            f"content/news/a.md:6: contains the control character U+000C, {CANNOT_CARRY}",
        ),
        (
            "content/news/a.md",
            article('title: "a\\eb"\ndate: 2024-01-01\n'),
            f"content/news/a.md:2: title: contains the control character U+001B, {CANNOT_CARRY}",
        ),
        (
            "content/partners/acme.yaml",
            'name:\n  en: "x\\x01"\nkind: other\n',
            f"content/partners/acme.yaml:2: name: contains the control character U+0001, {CANNOT_CARRY}",
        ),
        (
            "content/site.yaml",
            'title: "T\\uFFFE"\nbase_url: https://x.org\n',
            f"content/site.yaml:1: title: contains the control character U+FFFE, {CANNOT_CARRY}",
        ),
    ],
    ids=["body-form-feed", "yaml-escape", "localized", "noncharacter"],
)
def test_characters_xml_cannot_carry(make_site: MakeSite, rel: str, data: str, message: str) -> None:
    """Feeds are XML 1.0: a form feed or an escape in a title would make them unreadable."""
    assert broken_build(make_site, {rel: data}) == [message]


def test_latin1_yaml(make_site: MakeSite) -> None:
    errors = broken_build(make_site, {"content/partners/acme.yaml": "name: Zürich\nkind: other\n".encode("latin-1")})
    assert errors == ["content/partners/acme.yaml:1: not UTF-8 at byte 7; save the file as UTF-8"]


def test_oversized_file(make_site: MakeSite) -> None:
    data = article("title: x\ndate: 2024-01-01\n", "x" * (9 * 1024 * 1024)).encode()
    errors = broken_build(make_site, {"content/news/a.md": data})
    assert errors == ["content/news/a.md: file is 9 MB; the limit is 8 MB, split it"]
