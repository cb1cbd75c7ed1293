"""assemble: parsed items into the Site: drafts dropped, indexes built, every route listed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from .config import SiteConfig
from .model import Article, Content, Page, Route, Site
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


def assemble(config: SiteConfig, content: Content, drafts: bool) -> Site:
    articles = _newest_first(a for a in content.articles if drafts or not a.draft)
    pages = tuple(sorted((p for p in content.pages if drafts or not p.draft), key=lambda p: (p.slug, p.lang)))
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
    )
    return _with_routes(site)


def _with_routes(site: Site) -> Site:

    config = site.config
    routes: list[Route] = [
        Route("/404.html", "404", config.default_language),
        Route("/sitemap.xml", "sitemap", ""),
        Route("/robots.txt", "robots", ""),
    ]
    for lang in config.languages:
        pre = lang_prefix(config, lang)
        articles = site.news[lang]
        routes.append(Route(page_url(pre), "home", lang))
        routes.append(Route(f"{page_url(pre)}feed.xml", "feed", lang))
        pages = max(1, -(-len(articles) // config.per_page))
        for n in range(1, pages + 1):
            routes.append(Route(page_url(pre, "news") if n == 1 else page_url(pre, "news", "page", str(n)), "news", lang, page=n))
        routes.extend(Route(article_url(config, a), "article", lang, a.source, source=a.source) for a in articles)
        routes.extend(Route(page_item_url(config, p), "page", lang, p.source, source=p.source) for p in site.pages if p.lang == lang)
        routes.append(Route(page_url(pre, "projects"), "projects", lang))
        for pid, project in site.projects.items():
            routes.append(Route(page_url(pre, "projects", pid), "project", lang, pid, source=project.source))
            routes.append(Route(f"{page_url(pre, 'projects', pid)}feed.xml", "project_feed", lang, pid, source=project.source))
        routes.append(Route(page_url(pre, "partners"), "partners", lang))
        routes.extend(Route(page_url(pre, "partners", pid), "partner", lang, pid, source=p.source) for pid, p in site.partners.items())
        routes.append(Route(page_url(pre, "tags"), "tags", lang))
        routes.extend(Route(page_url(pre, "tags", slug), "tag", lang, slug) for slug in site.tags[lang])
        routes.append(Route(page_url(pre, "search"), "search", lang))
    return replace(site, routes=tuple(routes))
