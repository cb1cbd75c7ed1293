"""Every other bad-input case: each runs the real CLI over a good build and expects its exact message."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.conftest import MakeSite, run_cli, tree, write_files

from .helpers import GOOD, SITE_YAML, article, broken_build, good_site, no_traceback

A = "content/news/a.md"
ROBOT = "content/projects/robot.yaml"
ACME = "content/partners/acme.yaml"
SITE = "content/site.yaml"
DATE = "title: x\ndate: 2024-01-01\n"

CASES: list[tuple[str, dict[str, str | bytes], list[str]]] = [
    (
        "missing-title",
        {A: article("date: 2024-01-01\n")},
        [f"{A}:2: missing required field 'title' in article front matter; add a line such as 'title: Partnership agreement signed'"],
    ),
    ("title-list", {A: article("title: [a]\ndate: 2024-01-01\n")}, [f"{A}:2: title: expected text, not a list"]),
    ("tags-scalar", {A: article(DATE + "tags: health\n")}, [f"{A}:4: tags: write a list, for example [health] or one '- item' per line"]),
    ("tags-repeated", {A: article(DATE + "tags: [a, a]\n")}, [f"{A}:4: tags: a list item is repeated"]),
    (
        "tags-nested",
        {A: article(DATE + "tags:\n  - a\n  - [b]\n")},
        [f"{A}:6: tags: list item at line 6: expected text, not a list"],
    ),
    (
        "unknown-project",
        {A: article(DATE + "projects: [nope]\n")},
        [f"{A}:4: unknown project 'nope': there is no content/projects/nope.yaml"],
    ),
    (
        "unknown-partner",
        {A: article(DATE + "partners: [nope]\n")},
        [f"{A}:4: unknown partner 'nope': there is no content/partners/nope.yaml"],
    ),
    (
        "unknown-lead",
        {ROBOT: "title: R\nstatus: active\nlead: nope\n"},
        [f"{ROBOT}:3: unknown partner 'nope': there is no content/partners/nope.yaml"],
    ),
    (
        "unknown-project-close",
        {A: article(DATE + "projects: [robott]\n")},
        [f"{A}:4: unknown project 'robott': there is no content/projects/robott.yaml; did you mean 'robot'?"],
    ),
    (
        "unknown-partner-close",
        {A: article(DATE + "partners:\n  - acme\n  - acmee\n")},
        [f"{A}:6: unknown partner 'acmee': there is no content/partners/acmee.yaml; did you mean 'acme'?"],
    ),
    (
        "unknown-lead-close",
        {ROBOT: "title: R\nstatus: active\nlead: ACME\n"},
        [f"{ROBOT}:3: unknown partner 'ACME': there is no content/partners/ACME.yaml; did you mean 'acme'?"],
    ),
    (
        "bad-status",
        {ROBOT: "title: R\nstatus: activ\n"},
        [
            f"{ROBOT}:2: status: 'activ' is not allowed; did you mean 'active'? "
            "use one of: planned, signed, active, paused, completed, cancelled"
        ],
    ),
    (
        "bad-kind",
        {ACME: "name: A\nkind: charity\n"},
        [f"{ACME}:2: kind: 'charity' is not allowed; use one of: hospital, university, government, company, other"],
    ),
    ("missing-kind", {ACME: "name: A\n"}, [f"{ACME}:1: missing required field 'kind' in partner; add a line such as 'kind: university'"]),
    (
        "bad-language-in-field",
        {ACME: "name:\n  en: A\n  fr: B\nkind: other\n"},
        [f"{ACME}:2: name: language 'fr' at line 3 is not in site.yaml languages (en)"],
    ),
    (
        "localized-list",
        {ACME: "name: [a]\nkind: other\n"},
        [f"{ACME}:1: name: write text, or one line per language such as 'en: ...' and 'zh: ...'"],
    ),
    (
        "milestones-not-list",
        {ROBOT: "title: R\nstatus: active\nmilestones: soon\n"},
        [f"{ROBOT}:3: milestones: write a list of milestones, one '- ' entry each"],
    ),
    (
        "milestone-not-mapping",
        {ROBOT: "title: R\nstatus: active\nmilestones:\n  - soon\n"},
        [f"{ROBOT}:4: milestones: write a milestone as 'key: value' lines"],
    ),
    (
        "milestone-missing-title",
        {ROBOT: "title: R\nstatus: active\nmilestones:\n  - date: 2024-01-01\n"},
        [f"{ROBOT}:4: milestones: missing required field 'title' in milestone; add a line such as 'title: Agreement signed'"],
    ),
    (
        "milestone-done-maybe",
        {ROBOT: "title: R\nstatus: active\nmilestones:\n  - date: 2024-01-01\n    title: T\n    done: maybe\n"},
        [f"{ROBOT}:6: milestones: done: write true or false, not 'maybe'"],
    ),
    ("top-level-list", {ROBOT: "- a\n- b\n"}, [f"{ROBOT}:1: expected 'key: value' lines at the top level"]),
    ("non-text-key", {ROBOT: "[a]: b\n"}, [f"{ROBOT}:1: a key must be plain text"]),
    (
        "bad-id",
        {"content/projects/Robot_2.yaml": "title: R\nstatus: active\n"},
        [
            "content/projects/Robot_2.yaml: id 'Robot_2' (the file name) may hold only a-z, 0-9, hyphens and dots between them;"
            " rename the file"
        ],
    ),
    (
        "device-name-id",
        {"content/partners/aux.yaml": "name: A\nkind: other\n"},
        ["content/partners/aux.yaml: id 'aux' (the file name): slug 'aux' is a reserved device name on Windows; choose another"],
    ),
    (
        "language-suffix",
        {"content/news/a.fr.md": article(DATE)},
        [
            "content/news/a.fr.md: language suffix '.fr' is not in site.yaml languages (en); add it there,"
            " or set lang: in the front matter to keep '.fr' as part of the name"
        ],
    ),
    ("lang-field", {A: article(DATE + "lang: fr\n")}, [f"{A}:4: lang 'fr' is not in site.yaml languages (en)"]),
    (
        "lang-contradicts-suffix",
        {SITE: SITE_YAML.replace("[en]", "[en, zh]"), "content/news/a.zh.md": article(DATE + "lang: en\n")},
        ["content/news/a.zh.md:4: lang 'en' contradicts the file name's '.zh' suffix; remove one"],
    ),
    (
        "missing-date",
        {A: article("title: x\n")},
        [f"{A}:1: missing required field 'date'; add 'date: YYYY-MM-DD' or name the file YYYY-MM-DD-slug.md"],
    ),
    (
        "unclosed-quote",
        {A: article("title: 'x\ndate: 2024-01-01\n")},
        [f"{A}:2: a quoted value starts on this line and is never closed; add the closing ' at its end"],
    ),
    (
        "tab-indent",
        {ROBOT: "title: R\nstatus: active\nmilestones:\n\t- date: 2024-01-01\n"},
        [f"{ROBOT}:4: line 4 is indented with a tab; YAML needs spaces: replace the tab with spaces"],
    ),
    (
        "yml-and-stray",
        {"content/projects/x.yml": "title: X\n", A: article("title: x\ndate: 2024-99-01\n")},
        [f"{A}:3: date: invalid date '2024-99-01': write YYYY-MM-DD or an ISO 8601 date-time such as 2024-04-02T09:30:00+08:00"],
    ),
    # site.yaml
    (
        "site-missing-base-url",
        {SITE: "title: T\n"},
        [f"{SITE}:1: missing required field 'base_url' in site.yaml; add a line such as 'base_url: https://news.example.org'"],
    ),
    (
        "site-base-url",
        {SITE: "title: T\nbase_url: ftp://x.org\n"},
        [f"{SITE}:2: base_url: 'ftp://x.org' must start with https:// or http://"],
    ),
    (
        "site-timezone",
        {SITE: SITE_YAML.replace("Asia/Shanghai", "Mars/Olympus")},
        [f"{SITE}:4: timezone: unknown time zone 'Mars/Olympus'; write an IANA name such as Asia/Shanghai"],
    ),
    (
        "site-language",
        {SITE: SITE_YAML.replace("[en]", "[en, English]")},
        [f"{SITE}:3: languages: 'English' is not a language code; write codes such as en, zh"],
    ),
    ("site-per-page", {SITE: SITE_YAML + "per_page: 0\n"}, [f"{SITE}:5: per_page: write a whole number of at least 1, not '0'"]),
    (
        "site-unknown-key",
        {SITE: SITE_YAML + "langauges: [en]\n"},
        [f"{SITE}:5: unknown key 'langauges' in site.yaml; did you mean 'languages'?"],
    ),
    (
        "site-html-key",
        {SITE: SITE_YAML + "html:\n  iframes: [x]\n"},
        [f"{SITE}:6: html: unknown key 'iframes' in html allowlist; did you mean 'iframe_hosts'?"],
    ),
    # templates
    (
        "template-syntax",
        {"templates/page.html": '{% extends "base.html" %}\n{% block main %}{{ page_item.title }\n{% endblock %}\n'},
        ["templates/page.html:2: template error: unexpected '}'"],
    ),
    (
        "template-undefined",
        {"templates/page.html": '{% extends "base.html" %}\n{% block main %}\n{{ page_item.titel }}\n{% endblock %}\n'},
        ["templates/page.html:3: template error while rendering /about/: 'newshub.model.Page object' has no attribute 'titel'"],
    ),
]


@pytest.mark.parametrize(("files", "expected"), [pytest.param(f, e, id=i) for i, f, e in CASES])
def test_bad_input(make_site: MakeSite, files: dict[str, str | bytes], expected: list[str]) -> None:
    assert broken_build(make_site, files) == expected


def _empty(key: str, example: str) -> str:
    return f"{key}: is empty; write a value after '{key}:', for example '{key}: {example}'"


TITLE = "Partnership agreement signed"
EMPTY: list[tuple[str, dict[str, str | bytes], list[str]]] = [
    ("article-title-null", {A: article("title:\ndate: 2024-01-01\n")}, [f"{A}:2: " + _empty("title", TITLE)]),
    ("article-title-quotes", {A: article("title: ''\ndate: 2024-01-01\n")}, [f"{A}:2: " + _empty("title", TITLE)]),
    ("article-title-tilde", {A: article("date: 2024-01-01\ntitle: ~\n")}, [f"{A}:3: " + _empty("title", TITLE)]),
    ("article-title-spaces", {A: article("title: '   '\ndate: 2024-01-01\n")}, [f"{A}:2: " + _empty("title", TITLE)]),
    (
        "article-date",
        {A: article("title: x\ndate:\n")},
        [f"{A}:3: date: is empty; write a value after 'date:', for example 'date: 2024-04-02', or name the file YYYY-MM-DD-slug.md"],
    ),
    ("page-title", {"content/pages/about.md": "---\ntitle: ''\n---\n"}, ["content/pages/about.md:2: " + _empty("title", "About us")]),
    ("project-title", {ROBOT: "title:\nstatus: active\n"}, [f"{ROBOT}:1: " + _empty("title", "Robot-assisted acupuncture")]),
    (
        "project-title-languages",
        {ROBOT: "title: {en: ''}\nstatus: active\n"},
        [f"{ROBOT}:1: " + _empty("title", "Robot-assisted acupuncture")],
    ),
    ("project-status", {ROBOT: "title: R\nstatus: ''\n"}, [f"{ROBOT}:2: " + _empty("status", "active")]),
    (
        "milestone-date",
        {ROBOT: "title: R\nstatus: active\nmilestones:\n  - date:\n    title: T\n"},
        [f"{ROBOT}:4: milestones: " + _empty("date", "2024-04-02")],
    ),
    (
        "milestone-title",
        {ROBOT: "title: R\nstatus: active\nmilestones:\n  - date: 2024-01-01\n    title: ~\n"},
        [f"{ROBOT}:5: milestones: " + _empty("title", "Agreement signed")],
    ),
    ("partner-name", {ACME: "name:\nkind: other\n"}, [f"{ACME}:1: " + _empty("name", "Acme University")]),
    ("partner-kind", {ACME: "name: A\nkind:\n"}, [f"{ACME}:2: " + _empty("kind", "university")]),
    ("site-title", {SITE: "title: ''\nbase_url: https://x.org\n"}, [f"{SITE}:1: " + _empty("title", "Partnership News")]),
    ("site-base-url", {SITE: "title: T\nbase_url:\n"}, [f"{SITE}:2: " + _empty("base_url", "https://news.example.org")]),
]


@pytest.mark.parametrize(("files", "expected"), [pytest.param(f, e, id=i) for i, f, e in EMPTY])
def test_an_empty_required_field_is_called_empty(make_site: MakeSite, files: dict[str, str | bytes], expected: list[str]) -> None:
    """`title:`, `title: ''` and `title: ~` are there but empty: not 'missing', which means the key is absent."""
    assert broken_build(make_site, files) == expected


def test_an_empty_optional_field_is_as_if_not_written(make_site: MakeSite) -> None:
    files = {**GOOD, A: article("title: x\ndate: 2024-01-01\nsummary: ''\nauthor:\ntags: ''\nslug: ~\nimage: ''\n")}
    root = make_site(files)
    result = run_cli(root, "build")
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert (root / "site/news/a/index.html").is_file()


BUNDLE = "content/news/2024-06-10-signing/index.md"
ASSETS = "or put it in assets/img/ and refer to it as /assets/img/team.jpg"
IMAGES: list[tuple[str, dict[str, str | bytes], list[str]]] = [
    (
        "featured-in-bundle",
        {BUNDLE: article("title: x\nimage: team.jpg\nimage_alt: The team\n")},
        [
            f"{BUNDLE}:3: image: 'team.jpg': no such file: content/news/2024-06-10-signing/team.jpg; check the name (letter case counts);"
            f" or put team.jpg in content/news/2024-06-10-signing/ (beside index.md) and refer to it as team.jpg, {ASSETS}"
        ],
    ),
    (
        "featured-in-article",
        {A: article(DATE + "image: team.jpg\nimage_alt: The team\n")},
        [
            f"{A}:4: image: 'team.jpg': no such file: content/news/team.jpg; check the name (letter case counts); or make the page a"
            f" page bundle (move {A} to content/news/a/index.md), put team.jpg beside it and refer to it as team.jpg, {ASSETS}"
        ],
    ),
    (
        "featured-in-project",
        {ROBOT: "title: R\nstatus: active\nimage: team.jpg\nimage_alt: The team\n"},
        [
            f"{ROBOT}:3: image: 'team.jpg': no such file: content/projects/team.jpg; check the name (letter case counts);"
            f" or put team.jpg in content/projects/ and refer to it as team.jpg, {ASSETS}"
        ],
    ),
    (
        "logo-in-assets",
        {ACME: "name: A\nkind: other\nimage: /assets/img/acme.png\n"},
        [f"{ACME}:3: image: '/assets/img/acme.png': no such file: assets/img/acme.png; check the name (letter case counts)"],
    ),
    (
        "featured-elsewhere",
        {A: article(DATE + "image: https://cdn.example.org/team.jpg\nimage_alt: The team\n")},
        [
            f"{A}:4: image: 'https://cdn.example.org/team.jpg': an image on another site cannot be used here, only a file of the"
            f" project: make the page a page bundle (move {A} to content/news/a/index.md), put team.jpg beside it and refer to it"
            f" as team.jpg, {ASSETS}"
        ],
    ),
    (
        "markdown-image",
        {BUNDLE: article("title: x\n", "![The team](team.jpg)\n")},
        [
            f"{BUNDLE}:5: image 'team.jpg': no such file: content/news/2024-06-10-signing/team.jpg; check the name (letter case counts);"
            f" or put team.jpg in content/news/2024-06-10-signing/ (beside index.md) and refer to it as team.jpg, {ASSETS}"
        ],
    ),
    (
        "markdown-image-site-path",
        {BUNDLE: article("title: x\n", "![The team](/img/team.jpg)\n")},
        [
            f"{BUNDLE}:5: image '/img/team.jpg': not in the page's folder or assets/; put team.jpg in content/news/2024-06-10-signing/"
            f" (beside index.md) and refer to it as team.jpg, {ASSETS}"
        ],
    ),
    (
        "partner-url",
        {ACME: "name: A\nkind: other\nurl: www.acme.edu\n"},
        [
            f"{ACME}:3: url: 'www.acme.edu' is not a link that can be published; write a web address starting with https://"
            " (https://www.example.org/) or a path on this site starting with / (/about/)"
        ],
    ),
]


@pytest.mark.parametrize(("files", "expected"), [pytest.param(f, e, id=i) for i, f, e in IMAGES])
def test_image_and_url_advice_gives_the_forms_that_work(make_site: MakeSite, files: dict[str, str | bytes], expected: list[str]) -> None:
    """An image is a file beside the page (in its page bundle) or a site path into assets/; a url
    is a web address or a path on this site: the advice gives each form, not only 'https://...'."""
    assert broken_build(make_site, files) == expected


def test_missing_site_yaml(make_site: MakeSite) -> None:
    assert broken_build(make_site, {}, remove=("content/site.yaml",)) == [
        "content/site.yaml: not found; create it with at least 'title:' and 'base_url:'"
    ]


def test_missing_template(make_site: MakeSite) -> None:
    assert broken_build(make_site, {}, remove=("templates/tag.html",)) == ["templates/tag.html: template missing; every theme needs it"]


def test_unreadable_file(make_site: MakeSite) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    root = good_site(make_site)
    before = tree(root / "site")
    (root / A).write_text(article(DATE))
    os.chmod(root / A, 0)
    result = run_cli(root, "build")
    assert result.returncode == 1 and result.stderr.splitlines()[0] == f"{A}: cannot read: Permission denied"
    assert tree(root / "site") == before


@pytest.mark.parametrize("url", ["javascript:alert(1)", "hub.example.org", 'https://x.org/"><script>'])
def test_bad_base_url_option(make_site: MakeSite, url: str) -> None:
    errors = broken_build(make_site, {}, "--base-url", url)
    assert errors == [f"--base-url: '{url}' must be an absolute http(s) URL such as https://staging.example.org"]


def test_every_problem_of_every_file_in_one_pass(make_site: MakeSite) -> None:
    errors = broken_build(
        make_site,
        {A: article("title: x\ndate: tuesday\n"), ROBOT: "title: R\nstatus: on\n", ACME: "name: A\nkind: other\nurl: ftp://x\n"},
    )
    assert [e.split(":", 2)[:2] for e in errors] == [[A, "3"], [ACME, "3"], [ROBOT, "2"]]


def test_every_problem_of_a_file_in_one_pass(make_site: MakeSite) -> None:
    """A malformed field does not hide the file's other problems, nor its references to other files."""
    errors = broken_build(make_site, {A: article(DATE + "tags: health\npartners: [nosuch]\ndraft: maybe\n")})
    assert errors == [
        f"{A}:4: tags: write a list, for example [health] or one '- item' per line",
        f"{A}:5: unknown partner 'nosuch': there is no content/partners/nosuch.yaml",
        f"{A}:6: draft: write true or false, not 'maybe'",
    ]


def test_check_reports_a_broken_file_and_its_references_in_one_pass(make_site: MakeSite) -> None:
    root = good_site(make_site)
    write_files(root, {A: article(DATE + "tags: health\npartners: [acmee]\nprojects: [robot]\n")})
    result = run_cli(root, "check")
    no_traceback(result)
    assert result.stderr.splitlines() == [
        f"{A}:4: tags: write a list, for example [health] or one '- item' per line",
        f"{A}:5: unknown partner 'acmee': there is no content/partners/acmee.yaml; did you mean 'acme'?",
        "Check failed: 2 problems",
    ]


def test_every_problem_of_every_milestone_in_one_pass(make_site: MakeSite) -> None:
    project = "title: R\nstatus: active\nlead: nobody\nmilestones:\n  - date: 2024-13-01\n    title: A\n"
    project += "  - date: 2024-01-01\n    done: maybe\n"
    assert broken_build(make_site, {ROBOT: project}) == [
        f"{ROBOT}:3: unknown partner 'nobody': there is no content/partners/nobody.yaml",
        f"{ROBOT}:5: milestones: date: invalid date '2024-13-01': write YYYY-MM-DD or an ISO 8601 date-time"
        " such as 2024-04-02T09:30:00+08:00",
        f"{ROBOT}:7: milestones: missing required field 'title' in milestone; add a line such as 'title: Agreement signed'",
        f"{ROBOT}:8: milestones: done: write true or false, not 'maybe'",
    ]


def test_a_reference_to_a_broken_file_is_not_reported_as_unknown(make_site: MakeSite) -> None:
    """robot.yaml does not parse, but it is there: the article naming it is not told it is unknown."""
    errors = broken_build(make_site, {ROBOT: "title: R\nstatus: activ\n", A: article(DATE + "projects: [robot]\ntags: x\n")})
    assert errors == [
        f"{A}:5: tags: write a list, for example [x] or one '- item' per line",
        f"{ROBOT}:2: status: 'activ' is not allowed; did you mean 'active'?"
        " use one of: planned, signed, active, paused, completed, cancelled",
    ]


def test_ignored_files_are_warnings(make_site: MakeSite) -> None:
    root = make_site({**GOOD, "content/projects/x.yml": "title: X\n", "content/news/notes.txt": "x", "content/news/a.md~": "x"})
    result = run_cli(root, "build")
    no_traceback(result)
    assert result.returncode == 0
    assert [line for line in result.stderr.splitlines() if line.startswith("warning:")] == [
        "warning: content/news/notes.txt: ignored: only .md files are read in content/news/",
        "warning: content/projects/x.yml: ignored: rename it to end in .yaml",
    ]


def test_check_reports_like_build(make_site: MakeSite) -> None:
    root = good_site(make_site)
    before = tree(root / "site")
    (root / A).write_text(article("title: x\ndate: 2024-02-30\n"))
    result = run_cli(root, "check")
    no_traceback(result)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{A}:3: date: invalid date '2024-02-30': write YYYY-MM-DD or an ISO 8601 date-time such as 2024-04-02T09:30:00+08:00",
        "Check failed: 1 problem",
    ]
    assert tree(root / "site") == before


def test_a_fixed_file_builds_again(make_site: MakeSite) -> None:
    root = good_site(make_site)
    (root / A).write_text(article("title: x\ndate: 2024-02-30\n"))
    assert run_cli(root, "build").returncode == 1
    (root / A).write_text(article(DATE))
    assert run_cli(root, "build").returncode == 0
    assert (root / "site/news/a/index.html").is_file()
    shutil.rmtree(root / ".newshub-cache", ignore_errors=True)
