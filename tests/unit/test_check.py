"""check: references between files and URL collisions, each problem naming both files."""

from __future__ import annotations

from newshub.assemble import assemble
from newshub.check import check

from .helpers import config, content, news


def problems(files: dict[str, str]) -> list[str]:
    cfg = config()
    return [str(p) for p in check(assemble(cfg, content(files, cfg), drafts=True))]


def test_a_clean_site_has_no_problems() -> None:
    files = dict(
        [
            news("a", "2024-01-01", extra="projects: [robot]\npartners: [uni]\n"),
            ("content/projects/robot.yaml", "title: R\nstatus: active\nlead: uni\npartners: [uni]\n"),
            ("content/partners/uni.yaml", "name: U\nkind: university\n"),
        ]
    )
    assert problems(files) == []


def test_dangling_references_name_both_files_and_the_line() -> None:
    files = dict(
        [
            news("a", "2024-01-01", extra="projects: [robot, robt]\n\npartners: [nobody]\n"),
            ("content/projects/robot.yaml", "title: R\nstatus: active\npartners: [uni, ghost]\nlead: boss\n"),
            ("content/partners/uni.yaml", "name: U\nkind: university\n"),
        ]
    )
    assert sorted(problems(files)) == [
        "content/news/2024-01-01-a.md:3: unknown project 'robt': there is no content/projects/robt.yaml; did you mean 'robot'?",
        "content/news/2024-01-01-a.md:5: unknown partner 'nobody': there is no content/partners/nobody.yaml",
        "content/projects/robot.yaml:3: unknown partner 'ghost': there is no content/partners/ghost.yaml",
        "content/projects/robot.yaml:4: unknown partner 'boss': there is no content/partners/boss.yaml",
    ]


def test_an_id_in_a_block_list_is_reported_at_its_own_line() -> None:
    files = dict(
        [
            news("a", "2024-01-01", extra="projects:\n  - robot\n  - robt\n"),
            ("content/projects/robot.yaml", "title: R\nstatus: active\npartners:\n  - ghost\n"),
        ]
    )
    assert sorted(problems(files)) == [
        "content/news/2024-01-01-a.md:5: unknown project 'robt': there is no content/projects/robt.yaml; did you mean 'robot'?",
        "content/projects/robot.yaml:4: unknown partner 'ghost': there is no content/partners/ghost.yaml",
    ]


def test_a_draft_reference_is_checked_too() -> None:
    assert problems(dict([news("a", "2024-01-01", extra="draft: true\nprojects: [nope]\n")]))


def test_two_articles_at_one_url_name_both_files() -> None:
    files = dict([news("same", "2024-01-01"), news("other", "2024-02-01", extra="slug: same\n")])
    (problem,) = problems(files)
    assert "/news/same/ is also produced by" in problem
    assert "content/news/2024-01-01-same.md" in problem and "content/news/2024-02-01-other.md" in problem


def test_urls_differing_only_in_case_collide() -> None:
    files = dict([news("Report", "2024-01-01"), news("report", "2024-02-01")])
    (problem,) = problems(files)
    assert "2024-01-01-Report.md" in problem and "2024-02-01-report.md" in problem


def test_a_page_cannot_take_a_section_or_language_name() -> None:
    for slug in ("news", "tags", "assets", "zh"):
        found = problems({f"content/pages/{slug}.md": "---\ntitle: X\n---\nText.\n"})
        assert f"content/pages/{slug}.md: slug '{slug}' is used by the site itself; choose another" in found


def test_a_page_and_an_article_do_not_collide_but_two_pages_do() -> None:
    files = {
        "content/pages/about.md": "---\ntitle: A\n---\nText.\n",
        "content/pages/about-us.md": "---\ntitle: B\nslug: about\n---\nText.\n",
    }
    (problem,) = problems(files)
    assert "/about/ is also produced by" in problem
    assert "content/pages/about.md" in problem and "content/pages/about-us.md" in problem


def test_article_slug_page_is_taken_by_pagination() -> None:
    found = problems(dict([news("x", "2024-01-01", extra="slug: page\n")]))
    assert found == ["content/news/2024-01-01-x.md:3: slug 'page' is taken by the news list's pagination; choose another"]


def test_a_tag_without_letters_is_an_error() -> None:
    found = problems(dict([news("x", "2024-01-01", extra="tags: ['!!!']\n")]))
    assert found == ["content/news/2024-01-01-x.md:3: tag '!!!' has no letters or digits to make a URL from"]
