"""check: cross-file rules over the assembled Site. Every problem names both files involved."""

from __future__ import annotations

import unicodedata

from .errors import Problem
from .model import Article, Project, Site
from .urls import RESERVED_TOP, slug_problem, slugify


def check(site: Site) -> list[Problem]:
    problems: list[Problem] = []
    add = problems.append
    projects, partners = site.projects, site.partners

    def ref(source: str, line: int, kind: str, ident: str, known: dict[str, object] | object) -> None:
        if ident not in known:  # type: ignore[operator]
            folder = "projects" if kind == "project" else "partners"
            add(Problem(source, line, f"unknown {kind} '{ident}': there is no content/{folder}/{ident}.yaml"))

    def refs(item: Article | Project, key: str, kind: str, known: dict[str, object] | object) -> None:
        for i, ident in enumerate(getattr(item, key)):  # each id at its own line when the list has one per line
            ref(item.source, item.lines.get(f"{key}.{i}", item.lines.get(key, 0)), kind, ident, known)

    for article in site.articles:
        refs(article, "projects", "project", projects)
        refs(article, "partners", "partner", partners)
        for tag in article.tags:
            tag_slug = slugify(tag)
            if not tag_slug:
                add(Problem(article.source, article.lines.get("tags", 0), f"tag '{tag}' has no letters or digits to make a URL from"))
            elif why := slug_problem(tag_slug):  # 'CON' -> tags/con/, a folder Windows cannot hold
                add(Problem(article.source, article.lines.get("tags", 0), f"tag '{tag}': {why}"))
        if article.slug == "page":
            add(Problem(article.source, article.lines.get("slug", 0), "slug 'page' is taken by the news list's pagination; choose another"))
    for project in projects.values():
        refs(project, "partners", "partner", partners)
        if project.lead:
            ref(project.source, project.lines.get("lead", 0), "partner", project.lead, partners)
    reserved: set[str] = set()  # already reported: not reported again as a URL collision
    for page in site.pages:
        if page.slug.lower() in RESERVED_TOP or page.slug.lower() in site.config.languages:
            add(Problem(page.source, page.lines.get("slug", 0), f"slug '{page.slug}' is used by the site itself; choose another"))
            reserved.add(page.source)

    # Two outputs at one path, also when they differ only in case or Unicode form: on macOS and
    # Windows file systems, and on many CDNs, they would overwrite each other.
    seen: dict[str, str] = {}
    for route in site.routes:
        folded = unicodedata.normalize("NFC", route.url).casefold()
        other = seen.setdefault(folded, route.source or route.url)
        if other != (route.source or route.url) and not reserved & {route.source, other}:
            item = site.by_source.get(route.source) if route.source else None
            line = item.lines.get("slug", 0) if item is not None else 0
            add(Problem(route.source or other, line, f"{route.url} is also produced by {other}; give one of them another slug"))
    return problems
