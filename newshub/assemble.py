"""assemble: parsed items into the Site: drafts dropped, indexes built, every route listed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from .config import SiteConfig
from .model import Article, Content, Page, Route, Site
from .schedule import Publishing, build_time
from .urls import page_url, slugify


def lang_prefix(config: SiteConfig, lang: str) -> str:
    return "" if lang == config.default_language else lang


def article_url(config: SiteConfig, article: Article) -> str:
    return page_url(lang_prefix(config, article.lang), "news", article.slug)


def page_item_url(config: SiteConfig, page: Page) -> str:
    return page_url(lang_prefix(config, page.lang), page.slug)


def translation_group(item: Article | Page) -> str:
    """The group of an article or page and its translations: 'Article:<key>' or 'Page:<key>'."""
    return f"{'Article' if isinstance(item, Article) else 'Page'}:{item.translation_key}"


def _newest_first(articles: Iterable[Article]) -> tuple[Article, ...]:
    # Ties broken by slug so that the order never depends on the file system.
    return tuple(sorted(articles, key=lambda a: (-a.date.timestamp(), a.slug, a.lang)))


def assemble(config: SiteConfig, content: Content, drafts: bool, now: datetime | None = None, future: bool = False) -> Site:
    """The Site of `content` as published at build time `now` (default: schedule.build_time()),
    with drafts and scheduled items (`future`) or without; expired items become withdrawal pages."""
    publishing = Publishing(now or build_time(), drafts, future)
    articles = _newest_first(a for a in content.articles if publishing.listed(a))
    pages = tuple(sorted((p for p in content.pages if publishing.listed(p)), key=lambda p: (p.slug, p.lang)))
    everything: list[Article | Page] = [*content.articles, *content.pages]
    withdrawn = tuple(sorted((i for i in everything if publishing.withdrawn(i)), key=lambda i: i.source))
    projects = {p.id: p for p in sorted(content.projects, key=lambda p: p.id)}
    partners = {p.id: p for p in sorted(content.partners, key=lambda p: p.id)}

    news: dict[str, list[Article]] = {lang: [] for lang in config.languages}
    tags: dict[str, dict[str, tuple[str, list[Article]]]] = {lang: {} for lang in config.languages}
    project_news: dict[tuple[str, str], list[Article]] = defaultdict(list)
    partner_news: dict[tuple[str, str], list[Article]] = defaultdict(list)
    for article in articles:
        news[article.lang].append(article)
        for tag in article.tags:
            listed = tags[article.lang].setdefault(slugify(tag) or tag, (tag, []))[1]
            if not listed or listed[-1] is not article:  # once per term, however it is spelled
                listed.append(article)
        for pid in article.projects:
            project_news[(article.lang, pid)].append(article)
        for pid in article.partners:
            partner_news[(article.lang, pid)].append(article)

    partner_projects: dict[str, list[str]] = defaultdict(list)
    for project in projects.values():
        for pid in dict.fromkeys((project.lead, *project.partners)):
            if pid:
                partner_projects[pid].append(project.id)

    translations: dict[str, list[Article | Page]] = defaultdict(list)
    items: tuple[Article | Page, ...] = (*articles, *pages)
    for item in items:
        translations[translation_group(item)].append(item)

    site = Site(
        config=config,
        articles=articles,
        pages=pages,
        projects=projects,
        partners=partners,
        routes=(),
        news={lang: tuple(items) for lang, items in news.items()},
        tags={lang: {slug: (name, tuple(items)) for slug, (name, items) in sorted(by.items())} for lang, by in tags.items()},
        by_source={item.source: item for item in items},
        translations={key: tuple(sorted(items, key=lambda i: config.languages.index(i.lang))) for key, items in translations.items()},
        project_news={key: tuple(items) for key, items in project_news.items()},
        partner_news={key: tuple(items) for key, items in partner_news.items()},
        partner_projects={key: tuple(items) for key, items in partner_projects.items()},
        withdrawn=withdrawn,
        build_time=publishing.now,
    )
    return _with_routes(site)


def _with_routes(site: Site) -> Site:

    config = site.config
    routes: list[Route] = [
        *(Route(f"{page_url(lang_prefix(config, lang))}404.html", "404", lang) for lang in config.languages),
        Route("/sitemap.xml", "sitemap", ""),
        Route("/robots.txt", "robots", ""),
    ]
    for lang in config.languages:
        pre = lang_prefix(config, lang)
        articles = site.news[lang]
        routes.append(Route(page_url(pre), "home", lang))
        routes.append(Route(f"{page_url(pre)}feed.xml", "feed", lang))
        routes.extend(_paginated(config, "news", len(articles), page_url(pre, "news"), lang))
        routes.extend(Route(article_url(config, a), "article", lang, a.source, source=a.source) for a in articles)
        routes.extend(Route(page_item_url(config, p), "page", lang, p.source, source=p.source) for p in site.pages if p.lang == lang)
        routes.append(Route(page_url(pre, "projects"), "projects", lang))
        if any(project.milestones for project in site.projects.values()):
            routes.append(Route(f"{page_url(pre)}milestones.ics", "calendar", lang))
        for pid, project in site.projects.items():
            routes.append(Route(page_url(pre, "projects", pid), "project", lang, pid, source=project.source))
            routes.append(Route(f"{page_url(pre, 'projects', pid)}feed.xml", "project_feed", lang, pid, source=project.source))
            if project.milestones:  # a calendar holds at least one event (RFC 5545, 3.6)
                routes.append(Route(f"{page_url(pre, 'projects', pid)}milestones.ics", "calendar", lang, pid, source=project.source))
        routes.append(Route(page_url(pre, "partners"), "partners", lang))
        routes.extend(Route(page_url(pre, "partners", pid), "partner", lang, pid, source=p.source) for pid, p in site.partners.items())
        routes.append(Route(page_url(pre, "tags"), "tags", lang))
        for slug, (_, tagged) in site.tags[lang].items():  # paginated as the news list is, like every peer's term pages
            routes.extend(_paginated(config, "tag", len(tagged), page_url(pre, "tags", slug), lang, slug))
        if config.search:
            routes.append(Route(page_url(pre, "search"), "search", lang))
    for item in site.withdrawn:
        routes.append(Route(item_url(config, item), "withdrawn", item.lang, item.source, source=item.source))
    aliases = _aliases(site)
    # The same redirects for hosts that read a file of them (Netlify, Cloudflare Pages; nginx), with
    # each language's 404 page for the addresses under its prefix.
    if aliases or len(config.languages) > 1:
        routes += [*aliases, Route("/_redirects", "redirects", ""), Route("/_redirects.conf", "redirects", "")]
    return replace(site, routes=tuple(routes))


def pages_of(config: SiteConfig, count: int) -> int:
    """How many pages a list of `count` articles takes: `per_page` each, and at least one."""
    return max(1, -(-count // config.per_page))


def list_page_url(base: str, page: int) -> str:
    """The site path of page `page` of the list at `base` ('/news/'): '/news/page/2/' (Hugo's form)."""
    return base if page == 1 else f"{base}page/{page}/"


def _paginated(config: SiteConfig, kind: str, count: int, base: str, lang: str, subject: str = "") -> list[Route]:
    return [Route(list_page_url(base, n), kind, lang, subject, page=n) for n in range(1, pages_of(config, count) + 1)]


def item_url(config: SiteConfig, item: Article | Page) -> str:
    return article_url(config, item) if isinstance(item, Article) else page_item_url(config, item)


def alias_url(alias: str) -> str:
    """The site path an alias is written at: '/old/path' and '/old/path/' are a folder, '/old.html' a file."""
    last = alias.rstrip("/").rsplit("/", 1)[-1]
    return alias if alias.endswith("/") or "." in last else alias + "/"


def _aliases(site: Site) -> list[Route]:
    """A redirect for each alias of what the site publishes (a withdrawn item's lead to its notice)."""
    config = site.config
    found: list[Route] = []
    items: list[Article | Page] = [*site.articles, *site.pages, *site.withdrawn]
    for item in items:
        found.extend(Route(alias_url(a), "alias", item.lang, item_url(config, item), source=item.source) for a in item.aliases)
    default = config.default_language
    for pid, project in site.projects.items():
        found.extend(Route(alias_url(a), "alias", default, page_url("projects", pid), source=project.source) for a in project.aliases)
    for pid, partner in site.partners.items():
        found.extend(Route(alias_url(a), "alias", default, page_url("partners", pid), source=partner.source) for a in partner.aliases)
    return found
