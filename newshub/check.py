"""check: cross-file rules over the assembled Site. Every problem names both files involved.

`references` also runs on its own over the items of a build that stops on other problems (a file
with a malformed `tags:` still has its `partners:` checked), so that one pass reports everything."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection, Iterable

from . import timeline
from .assemble import alias_url, lang_prefix
from .errors import Problem
from .model import Article, Page, Partner, Project, Route, Site
from .suggest import closest
from .urls import RESERVED_TOP, output_file, page_url, shown, slug_problem, slugify, term_key


def references(
    articles: Iterable[Article],
    projects: Iterable[Project],
    project_ids: Collection[str],
    partner_ids: Collection[str],
    article_keys: Collection[str],
) -> list[Problem]:
    """Every project and partner id (`projects:`, `partners:`, `lead:`) and article (a milestone's
    `article:`, a translation key) that the articles and projects name and that has no file, with
    the closest known one when one is close. The ids are those of the files there are: a build
    that stops on other problems checks the items that parsed against them."""
    problems: list[Problem] = []

    def ref(source: str, line: int, kind: str, ident: str, known: Collection[str]) -> None:
        if ident not in known:
            folder = "projects" if kind == "project" else "partners"
            close = closest(ident, known)
            hint = f"; did you mean '{close}'?" if close else ""
            problems.append(Problem(source, line, f"unknown {kind} '{ident}': there is no content/{folder}/{ident}.yaml{hint}"))

    def refs(item: Article | Project, key: str, kind: str, known: Collection[str]) -> None:
        for i, ident in enumerate(getattr(item, key)):  # each id at its own line when the list has one per line
            ref(item.source, item.lines.get(f"{key}.{i}", item.lines.get(key, 0)), kind, ident, known)

    for article in articles:
        refs(article, "projects", "project", project_ids)
        refs(article, "partners", "partner", partner_ids)
    for project in projects:
        refs(project, "partners", "partner", partner_ids)
        if project.lead:
            ref(project.source, project.lines.get("lead", 0), "partner", project.lead, partner_ids)
        for milestone in project.milestones:
            if milestone.article and milestone.article not in article_keys:
                close = closest(milestone.article, article_keys)
                hint = f"; did you mean '{close}'?" if close else ""
                why = f"milestone article '{milestone.article}': no file in content/news/ has that name (less its date and language){hint}"
                problems.append(Problem(project.source, milestone.line, why))
    return problems


def check(site: Site) -> list[Problem]:
    """Every problem of the Site as a whole: unknown ids, tags and slugs that clash, URL
    collisions, and status changes dated after the build time (timeline.dated_problems)."""
    projects, partners = site.projects, site.partners
    keys = {a.translation_key for a in (*site.articles, *site.withdrawn) if isinstance(a, Article)}
    problems = references(site.articles, projects.values(), projects, partners, keys)
    problems += timeline.dated_problems(projects.values(), timeline.today(site))[0]
    add = problems.append

    terms: dict[tuple[str, str], tuple[str, str, Article, int]] = {}  # (lang, slug) -> first (term key, name, where)
    clashes: set[tuple[str, str, str]] = set()
    for article in site.articles:
        for i, tag in enumerate(article.tags):
            tag_slug = slugify(tag)
            if not tag_slug:
                add(Problem(article.source, _tag_line(article, i), f"tag '{tag}' has no letters or digits to make a URL from"))
                continue
            if why := slug_problem(tag_slug):  # 'CON' -> tags/con/, a folder Windows cannot hold
                add(Problem(article.source, _tag_line(article, i), f"tag '{tag}': {why}"))
            # Two different terms at one URL would be merged under one name: 'AI' and 'AI!'.
            key = term_key(tag)
            first_key, first_name, first, at = terms.setdefault((article.lang, tag_slug), (key, tag, article, i))
            if first_key != key and (article.lang, tag_slug, key) not in clashes:
                clashes.add((article.lang, tag_slug, key))
                url = page_url(lang_prefix(site.config, article.lang), "tags", tag_slug)
                where = f"{first.source}:{_tag_line(first, at)}"
                add(
                    Problem(
                        article.source,
                        _tag_line(article, i),
                        f"tag '{shown(tag)}' and tag '{shown(first_name)}' ({where}) would share the URL {url};"
                        " spell them alike, or rename one",
                    )
                )
        if article.slug == "page":
            add(Problem(article.source, article.lines.get("slug", 0), "slug 'page' is taken by the news list's pagination; choose another"))
    reserved: set[str] = set()  # already reported: not reported again as a URL collision
    for page in site.pages:
        if page.slug.lower() in RESERVED_TOP or page.slug.lower() in site.config.languages:
            add(Problem(page.source, page.lines.get("slug", 0), f"slug '{page.slug}' is used by the site itself; choose another"))
            reserved.add(page.source)

    # Two outputs at one path, also when they differ only in case or Unicode form: on macOS and
    # Windows file systems, and on many CDNs, they would overwrite each other.
    seen: dict[str, str] = {}
    files: dict[str, Route] = {}  # folded output file -> its route
    aliases = [route for route in site.routes if route.kind == "alias"]
    for route in site.routes:
        if route.kind == "alias":
            continue
        folded = unicodedata.normalize("NFC", route.url).casefold()
        files[output_file(folded)] = route
        other = seen.setdefault(folded, route.source or route.url)
        if other != (route.source or route.url) and not reserved & {route.source, other}:
            add(
                Problem(
                    route.source or other,
                    _slug_line(site, route),
                    f"{route.url} is also produced by {other}; give one of them another slug",
                )
            )
    _check_aliases(site, aliases, files, add)
    # A page inside a folder that is another output's file: 'index.html' as a slug gives
    # /index.html/index.html beside the home page's index.html. Neither could be written.
    folders: set[str] = set()
    for file in files:
        at = file.rfind("/")
        while at > 0 and file[:at] not in folders:  # its ancestors are there already
            folders.add(file[:at])
            at = file.rfind("/", 0, at)
    for folder in folders & files.keys():
        outer = files[folder]
        for file, route in files.items():
            if file.startswith(folder + "/"):
                where = f"{route.url} would be written inside {outer.url}, which is a file of the site; give it another slug"
                add(Problem(route.source or route.url, _slug_line(site, route), where))
    return problems


ALIAS_RESERVED = {
    "assets", "images", "pagefind", "_redirects", "_redirects.conf", "feed.xml", "sitemap.xml", "robots.txt", "404.html", "milestones.ics"
}  # fmt: skip


def _check_aliases(site: Site, aliases: list[Route], files: dict[str, Route], add: Callable[[Problem], None]) -> None:
    """An alias may not be the address of a page, nor another alias: one of the two would be lost."""
    first: dict[str, tuple[str, int]] = {}
    for route in aliases:
        where = _alias_line(site, route)
        folded = output_file(unicodedata.normalize("NFC", route.url).casefold())
        page = files.get(folded)
        top = route.url.strip("/").split("/")[0]
        if top.lower() in ALIAS_RESERVED or top in site.config.retain:
            add(Problem(route.source, where, f"alias {route.url} is where the site keeps its own files ({top}); choose another address"))
        elif page is not None and page.kind != "alias":
            owner = page.source or "the site itself"
            add(Problem(route.source, where, f"alias {route.url} is the address of {owner} ({page.url}); remove the alias"))
        elif folded in first and first[folded][0] != route.source:
            other, line = first[folded]
            add(Problem(route.source, where, f"alias {route.url} is also an alias in {other}:{line}; keep it in one file"))
        else:
            first.setdefault(folded, (route.source, where))
            files[folded] = route  # for the check of outputs inside other outputs, as a page


def _alias_line(site: Site, route: Route) -> int:
    item: Article | Page | Project | Partner | None = site.by_source.get(route.source)
    item = item or next((i for i in (*site.projects.values(), *site.partners.values(), *site.withdrawn) if i.source == route.source), None)
    if item is None:
        return 0
    for i, alias in enumerate(item.aliases):
        if alias_url(alias) == route.url:
            return item.lines.get(f"aliases.{i}", item.lines.get("aliases", 0))
    return 0


def _tag_line(article: Article, index: int) -> int:
    return article.lines.get(f"tags.{index}", article.lines.get("tags", 0))


def _slug_line(site: Site, route: Route) -> int:
    item = site.by_source.get(route.source) if route.source else None
    return item.lines.get("slug", 0) if item is not None else 0
