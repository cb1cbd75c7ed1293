"""assemble: drafts, indexes (related news, tags, translations) and every route of the site."""

from __future__ import annotations

from dataclasses import replace

from newshub.assemble import assemble
from newshub.build import BODY_FIELDS, places, substitute
from newshub.check import check
from newshub.model import Article, Page, Site

from .helpers import config, content, news

PROJECT = "title: Robot\nstatus: active\npartners: [uni]\n"
PARTNER = "name: Uni\nkind: university\n"


def site(files: dict[str, str], drafts: bool = False, per_page: int = 10) -> Site:
    cfg = config(per_page=per_page)
    return assemble(cfg, content(files, cfg), drafts)


def urls(s: Site, kind: str | None = None) -> list[str]:
    return [r.url for r in s.routes if kind is None or r.kind == kind]


def test_related_news_collects_articles_naming_a_project_per_language() -> None:
    s = site(
        dict(
            [
                news("signing", "2024-04-02", extra="projects: [robot]\npartners: [uni]\n"),
                news("signing", "2024-04-02", lang="zh", extra="projects: [robot]\n"),
                news("update", "2024-06-01", extra="projects: [robot, other]\n"),
                news("unrelated", "2024-07-01"),
                ("content/projects/robot.yaml", PROJECT),
                ("content/projects/other.yaml", PROJECT),
                ("content/partners/uni.yaml", PARTNER),
            ]
        )
    )
    assert [a.slug for a in s.project_news[("en", "robot")]] == ["update", "signing"]  # newest first
    assert [a.lang for a in s.project_news[("zh", "robot")]] == ["zh"]
    assert [a.slug for a in s.project_news[("en", "other")]] == ["update"]
    assert [a.slug for a in s.partner_news[("en", "uni")]] == ["signing"]
    assert s.partner_projects["uni"] == ("other", "robot")
    assert ("en", "nothing") not in s.project_news


def test_drafts_are_left_out_unless_asked_for() -> None:
    files = dict([news("published", "2024-01-01"), news("secret", "2024-02-01", extra="draft: true\n")])
    assert "/news/secret/" not in urls(site(files))
    assert [a.slug for a in site(files).articles] == ["published"]
    assert "/news/secret/" in urls(site(files, drafts=True))
    assert "/news/secret/" not in urls(site(files, drafts=True), "tag")


def test_pagination_routes_per_language() -> None:
    files = dict(news(f"a{i}", f"2024-01-{i + 1:02d}") for i in range(5))
    files.update([news("z", "2024-01-01", lang="zh")])
    s = site(files, per_page=2)
    assert urls(s, "news") == ["/news/", "/news/page/2/", "/news/page/3/", "/zh/news/"]
    assert [r.page for r in s.routes if r.kind == "news"] == [1, 2, 3, 1]


def test_an_empty_site_still_has_its_pages() -> None:
    s = site({})
    assert urls(s, "news") == ["/news/", "/zh/news/"]
    assert {
        "/",
        "/zh/",
        "/feed.xml",
        "/zh/feed.xml",
        "/404.html",
        "/zh/404.html",
        "/sitemap.xml",
        "/robots.txt",
        "/projects/",
        "/tags/",
    } <= set(urls(s))


def test_every_route_of_a_small_site() -> None:
    s = site(
        dict(
            [
                news("signing", "2024-04-02", extra="tags: [AI, Big Data]\nprojects: [robot]\n"),
                news("signing", "2024-04-02", lang="zh", extra="tags: [人工智能]\n"),
                ("content/projects/robot.yaml", PROJECT),
                ("content/partners/uni.yaml", PARTNER),
                ("content/pages/about.md", "---\ntitle: About\n---\nUs.\n"),
            ]
        )
    )
    en = [u for u in urls(s) if not u.startswith("/zh/")]
    assert sorted(en) == sorted(
        [
            "/404.html", "/sitemap.xml", "/robots.txt", "/", "/feed.xml", "/news/", "/news/signing/", "/about/",
            "/projects/", "/projects/robot/", "/projects/robot/feed.xml", "/partners/", "/partners/uni/",
            "/tags/", "/tags/ai/", "/tags/big-data/", "/search/",
            "/_redirects", "/_redirects.conf",  # each language's 404 page for the hosts that read them
        ]
    )  # fmt: skip
    assert "/zh/tags/人工智能/" in urls(s) and "/zh/about/" not in urls(s)  # no translation of the page
    assert "/zh/search/" in urls(s)
    assert len(set(urls(s))) == len(urls(s))


def test_tags_group_by_slug_and_keep_the_first_spelling() -> None:
    s = site(dict([news("a", "2024-01-01", extra="tags: [Big Data]\n"), news("b", "2024-01-02", extra="tags: [big data]\n")]))
    name, articles = s.tags["en"]["big-data"]
    assert name == "big data" and [a.slug for a in articles] == ["b", "a"]  # newest first; its spelling wins


def test_translations_and_ordering_are_stable() -> None:
    files = dict([news("b", "2024-01-01"), news("a", "2024-01-01"), news("a", "2024-01-01", lang="zh")])
    s = site(files)
    assert [(a.slug, a.lang) for a in s.articles] == [("a", "en"), ("a", "zh"), ("b", "en")]  # same day: by slug
    assert [v.lang for v in s.translations["Article:a"]] == ["en", "zh"]
    assert site(dict(reversed(list(files.items())))).routes == s.routes


def test_assemble_and_check_never_read_what_a_body_gives() -> None:
    # build.Build swaps an item whose body alone changed into the Site instead of assembling it
    # again: that is only the same Site if assemble and check never read a body's fields.
    def sealed(item: Article | Page) -> Article | Page:
        def guard(self: object, name: str) -> object:
            assert name not in BODY_FIELDS, f"assemble or check read {name}"
            return object.__getattribute__(self, name)

        cls = type(f"Sealed{type(item).__name__}", (type(item),), {"__getattribute__": guard})
        copy = object.__new__(cls)
        copy.__dict__.update(item.__dict__)
        return copy

    files = dict(
        [
            news("signing", "2024-04-02", extra="projects: [robot]\npartners: [uni]\ntags: [AI, ai]\n"),
            news("signing", "2024-04-02", lang="zh", extra="projects: [robot]\n"),
            ("content/pages/about.md", "---\ntitle: About\n---\nText.\n"),
            ("content/projects/robot.yaml", PROJECT),
            ("content/partners/uni.yaml", PARTNER),
        ]
    )
    cfg = config()
    found = content(files, cfg)
    found = replace(found, articles=tuple(map(sealed, found.articles)), pages=tuple(map(sealed, found.pages)))
    built = assemble(cfg, found, drafts=False)
    assert check(built) == [] and len(built.routes) > 20


def test_substitute_swaps_an_item_everywhere_and_keeps_the_rest() -> None:
    s = site(dict([news("signing", "2024-04-02", extra="projects: [robot]\ntags: [AI]\n"), ("content/projects/robot.yaml", PROJECT)]))
    old = s.articles[0]
    new = replace(old, body="<p>New.</p>")
    where = places(s)
    assert len(where[id(old)]) == 6  # articles, news, tags, by_source, translations, project_news
    swapped = substitute(s, {id(old): new}, where)
    assert swapped.articles == (new,) and swapped.news["en"] == (new,) and swapped.by_source[old.source] is new
    assert swapped.tags["en"]["ai"] == ("AI", (new,)) and swapped.project_news[("en", "robot")] == (new,)
    assert swapped.routes is s.routes and swapped.projects is s.projects  # nothing to swap: the same objects
    assert id(new) in where and id(old) not in where  # the places move on to the new item
    assert places(swapped) == where
