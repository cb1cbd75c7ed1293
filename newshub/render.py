"""render: (Site, Route) -> bytes through the Jinja2 theme. Pure given the templates and assets."""

from __future__ import annotations

import os
import re
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2
from markupsafe import Markup, escape

from . import images, timeline
from .assemble import article_url, item_url, lang_prefix, list_page_url, page_item_url, pages_of, translation_group
from .assets import Asset
from .config import SiteConfig
from .errors import BuildError, Problem, fail
from .i18n import Language, MessageError, Translator, language_names, localize
from .images import Picture
from .markdown import FOOTNOTE_BACK, HEADING_LINK
from .model import Article, Localized, Milestone, Page, Project, Route, Site
from .schedule import SCHEDULED, publish_time, state
from .schema import PARTNER_KINDS, STATUSES
from .urls import absolute_links, href, page_url, slugify

TEMPLATES = {
    "home": "home.html", "news": "news.html", "article": "article.html", "page": "page.html",
    "projects": "projects.html", "project": "project.html", "partners": "partners.html",
    "partner": "partner.html", "tags": "tags.html", "tag": "tag.html", "search": "search.html", "404": "404.html",
    "feed": "feed.xml", "project_feed": "project_feed.xml", "sitemap": "sitemap.xml", "robots": "robots.txt",
}  # fmt: skip
OPTIONAL = {"withdrawn": "withdrawn.html"}  # needed only by a site that has what they render
UNLISTED = frozenset({"withdrawn", "alias", "redirects"})  # pages at a URL that no list, feed or sitemap names
# The stand-ins a parsed body carries for its anchors' titles (markdown.HEADING_LINK), as an HTML
# attribute or, in a feed's escaped content, as text.
_LABELS = re.compile(rf'title=(?P<q>"|&#34;)(?:{HEADING_LINK}|{FOOTNOTE_BACK} (?P<n>[0-9]+))(?P=q)')


def make_environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["slug"] = slugify
    env.filters["absolute_links"] = absolute_links
    env.filters["href"] = href  # a fragment or path as a valid URL: '#推动' -> '#%E6%8E%A8%E5%8A%A8'
    return env


def compile_templates(env: jinja2.Environment, rel_dir: str = "templates") -> list[Problem]:
    """Syntax errors in every template, without rendering anything."""
    problems = []
    for name in sorted(env.list_templates()):
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            problems.append(Problem(f"{rel_dir}/{exc.name or name}", exc.lineno or 0, f"template error: {exc.message}"))
    return problems


def missing_templates(env: jinja2.Environment, config: SiteConfig, rel_dir: str = "templates") -> list[Problem]:
    """The templates of TEMPLATES that the theme lacks; search.html only when the site has search."""
    listed = set(env.list_templates())
    why = {"search": "template missing; a site with search needs it (or set search: false in site.yaml)"}
    return [
        Problem(f"{rel_dir}/{name}", 0, why.get(kind, "template missing; every theme needs it"))
        for kind, name in TEMPLATES.items()
        if name not in listed and (kind != "search" or config.search)
    ]


def epoch_date() -> datetime:
    """A fallback timestamp for an empty site: SOURCE_DATE_EPOCH, else 1970, never the clock."""
    return datetime.fromtimestamp(int(os.environ.get("SOURCE_DATE_EPOCH", "0")), UTC)


class Renderer:
    """Renders routes of one Site. `extra_head` lets the preview server add to pages it serves.
    `languages`: the interface of each language of site.yaml (i18n.Language, from the theme's catalogs)."""

    def __init__(
        self, env: jinja2.Environment, site: Site, assets: dict[str, Asset], languages: dict[str, Language], rel_dir: str = "templates"
    ) -> None:
        self.env = env
        self.site = site
        self.assets = assets
        self.languages = languages
        self.rel_dir = rel_dir
        self.language_names = language_names(site.config.languages)
        config = site.config
        self.base_path = urlsplit(config.base_url).path.rstrip("/")
        self._contexts: dict[str, Callable[[Route], dict[str, Any]]] = {
            "home": self._home, "news": self._news, "article": self._article, "page": self._page,
            "projects": self._projects, "project": self._project, "project_feed": self._project_feed,
            "partners": self._partners, "partner": self._partner, "tags": self._tags, "tag": self._tag,
            "feed": self._feed, "sitemap": self._sitemap, "robots": self._none, "404": self._none, "search": self._none,
            "withdrawn": self._withdrawn,
        }  # fmt: skip
        # Made in Python, not by a template: redirects and calendars have formats that are not the theme's.
        self._made: dict[str, Callable[[Route], bytes]] = {"alias": self._alias, "redirects": self._redirects, "calendar": self._calendar}
        self.withdrawn = {item.source: item for item in site.withdrawn}
        self.pages_by_slug: dict[str, dict[str, Page]] = {}
        self._urls: dict[str, str] = {}  # url() memo: every page links the same few hundred paths
        self._absolute: dict[str, str] = {}  # absolute() memo
        self._base: dict[str, dict[str, Any]] = {}  # context() of each language, less the route's part
        for p in site.pages:
            self.pages_by_slug.setdefault(p.slug, {})[p.lang] = p

    # --- helpers exposed to templates ---------------------------------------------------------

    def url(self, path: str) -> str:
        found = self._urls.get(path)
        if found is None:
            found = self._urls[path] = href(self.base_path + path)
        return found

    def absolute(self, path: str) -> str:
        found = self._absolute.get(path)
        if found is None:
            found = self._absolute[path] = href(self.site.config.base_url + path)
        return found

    def asset(self, name: str) -> str:
        found = self.assets.get(name)
        if found is None:
            raise jinja2.TemplateRuntimeError(f"asset '{name}' is not in assets/; check the name")
        return self.url(found.url)

    def picture(self, picture: Picture, alt: str, eager: bool = False, sizes: str = images.SIZES) -> Markup:
        """A featured image or thumbnail as a sized, responsive <picture> (images.markup)."""
        return Markup(images.markup(picture, str(escape(alt)), self.base_path, eager, sizes=sizes))

    def _alternates(self, route: Route) -> list[tuple[str, str]]:
        config = self.site.config
        if route.kind in ("article", "page"):
            versions = self.site.translations[translation_group(self.site.by_source[route.subject])]
            return [(v.lang, article_url(config, v) if isinstance(v, Article) else page_item_url(config, v)) for v in versions]
        counts: dict[str, int] | None = None  # a list's length in each language that has the list
        if route.kind == "tag":
            counts = {
                lang: len(self.site.tags[lang][route.subject][1]) for lang in config.languages if route.subject in self.site.tags[lang]
            }
        elif route.kind == "news":
            counts = {lang: len(self.site.news[lang]) for lang in config.languages}
        if counts is not None:  # a later page of a list exists in the languages that have that many
            langs = [lang for lang, n in counts.items() if route.page == 1 or n > (route.page - 1) * config.per_page]
        else:
            langs = list(config.languages)
        tail = route.url[len(page_url(lang_prefix(config, route.lang))) - 1 :]
        return [(lang, page_url(lang_prefix(config, lang)).rstrip("/") + tail) for lang in langs]

    def render(self, route: Route) -> bytes:
        return b"".join(self.render_chunks(route))

    def render_chunks(self, route: Route, size: int = 1 << 18) -> Iterator[bytes]:
        """The bytes of render(route) in pieces, for pages that grow with the site (feeds, sitemap):
        they are written as they are made and never held whole in memory."""
        if route.kind in self._made:
            yield self._made[route.kind](route)
            return
        ctx = self.context(route)
        template = TEMPLATES.get(route.kind) or OPTIONAL[route.kind]
        if route.kind in OPTIONAL and template not in self.env.list_templates():
            raise fail(f"{self.rel_dir}/{template}", 0, f"template missing; the theme needs it for {route.url} ({route.kind})")
        labels = self._labels(ctx["lang"])
        try:
            buffer: list[str] = []
            held = 0
            for piece in self.env.get_template(template).generate(ctx):
                if "newshub:" in piece:  # a body's anchors: their titles in the page's language
                    piece = _LABELS.sub(labels, piece)
                buffer.append(piece)
                held += len(piece)
                if held >= size:
                    yield "".join(buffer).encode("utf-8")
                    buffer, held = [], 0
            yield "".join(buffer).encode("utf-8")
        except jinja2.TemplateSyntaxError as exc:
            raise fail(f"{self.rel_dir}/{exc.name or template}", exc.lineno or 0, f"template error: {exc.message}") from None
        except MessageError as exc:  # placed in the catalog, with the template line that asked
            where, line = self._template_line(template)
            raise fail(exc.path, exc.line, str(exc).replace("{where}", f"{where}:{line}" if line else where)) from None
        except Exception as exc:  # any error in a template: report its file and line, never a traceback
            raise BuildError([self._template_problem(exc, template, route)]) from None

    def context(self, route: Route) -> dict[str, Any]:
        """Everything a route's template sees."""
        lang = route.lang or self.site.config.default_language
        base = self._base.get(lang)
        if base is None:
            base = self._base[lang] = self._base_context(lang)
        ctx = dict(base)
        ctx["route"] = route
        unlike = ("sitemap", "robots", "feed", "project_feed", "calendar", "404", *UNLISTED)
        ctx["alternates"] = self._alternates(route) if route.kind not in unlike else []
        ctx.update(self._contexts[route.kind](route))
        return ctx

    def _base_context(self, lang: str) -> dict[str, Any]:
        """What every page of one language sees alike: made once per language, not per page."""
        config = self.site.config
        today = timeline.today(self.site)
        language = self.languages[lang]
        return {
            "site": self.site,
            "config": config,
            "lang": lang,
            "prefix": page_url(lang_prefix(config, lang)),
            "t": Translator(language),
            "loc": lambda value: localize(value, lang, config.languages),
            "day": language.date,
            "number": language.number,
            "join": language.join,
            "url": self.url,
            "absolute": self.absolute,
            "asset": self.asset,
            "picture": self.picture,
            "language_names": self.language_names,
            "statuses": STATUSES,
            "kinds": PARTNER_KINDS,
            "last_update": self.last_update,
            "midnight": self.midnight,
            "nav_pages": self._nav_pages(lang),
            "scheduled": self.scheduled,
            "standing": lambda project: timeline.standing(project, today),
            "timeline": lambda project: timeline.events(project, today),
            "reported_by": lambda milestone: self.reported_by(milestone, lang),
            "webcal": self.webcal,
            "today": today,
            "permalink": lambda item: self.url(item_url(config, item)),  # an article's or page's, in its language
        }

    def _template_problem(self, exc: Exception, template: str, route: Route) -> Problem:
        where, line = self._template_line(template)
        return Problem(where, line, f"template error while rendering {route.url}: {exc}")

    def _template_line(self, template: str) -> tuple[str, int]:
        """The template file and line the exception being handled was raised from."""
        for frame in reversed(traceback.extract_tb(sys.exc_info()[2])):
            path = Path(frame.filename)
            if path.suffix in (".html", ".xml", ".txt") and frame.lineno:
                return f"{self.rel_dir}/{path.name}", frame.lineno
        return f"{self.rel_dir}/{template}", 0

    def _labels(self, lang: str) -> Callable[[re.Match[str]], str]:
        """The replacement of a body's anchor-title stand-in (_LABELS) in `lang`, escaped for where it stands."""
        language = self.languages[lang]

        def label(match: re.Match[str]) -> str:
            n = match.group("n")
            text = str(escape(language.text("footnote_back", n=int(n)) if n else language.text("heading_link")))
            quote = match.group("q")
            shown = text if quote == '"' else str(escape(text))  # in a feed, the body is HTML escaped as text
            return f"title={quote}{shown}{quote}"

        return label

    # --- data the templates need ----------------------------------------------------------------

    def scheduled(self, item: Article | Page) -> datetime | None:
        """When a scheduled item (shown by the preview or `--future`) goes out; None for any other."""
        return publish_time(item) if state(item, self.site.build_time) == SCHEDULED else None

    def midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), self.site.config.tz)

    def reported_by(self, milestone: Milestone, lang: str) -> Article | None:
        """The article a milestone names (`article:`) in `lang`, else in the first language that has
        it published; None when none is."""
        if not milestone.article:
            return None
        versions = self.site.translations.get(f"Article:{milestone.article}", ())
        found = next((v for v in versions if v.lang == lang), versions[0] if versions else None)
        return found if isinstance(found, Article) else None

    def webcal(self, path: str) -> str:
        """The absolute URL of site path `path` with the webcal: scheme, which opens a calendar
        application to subscribe instead of downloading the file (a de facto standard, after Apple)."""
        return "webcal:" + self.absolute(path).split(":", 1)[1]

    def last_update(self, project: Project) -> date | None:
        """The date of a project's latest change: a milestone done, a status change, its latest news."""
        days = timeline.changed_on(project, timeline.today(self.site))
        days += [a.date.date() for lang in self.site.config.languages for a in self.site.project_news.get((lang, project.id), ())[:1]]
        if project.started:
            days.append(project.started)
        return max(days) if days else None

    def _nav_pages(self, lang: str) -> list[Page]:
        default = self.site.config.default_language
        return [by.get(lang) or by[default] for slug, by in sorted(self.pages_by_slug.items()) if lang in by or default in by]

    def _none(self, route: Route) -> dict[str, Any]:
        return {}

    def _grouped_projects(self) -> list[tuple[str, list[Project]]]:
        return [
            (status, [p for p in self.site.projects.values() if p.status == status])
            for status in STATUSES
            if any(p.status == status for p in self.site.projects.values())
        ]

    def _home(self, route: Route) -> dict[str, Any]:
        updates = timeline.updates(self.site.projects.values(), timeline.today(self.site), 5)
        return {"latest": self.site.news[route.lang][:5], "groups": self._grouped_projects(), "updates": updates}

    def _news(self, route: Route) -> dict[str, Any]:
        return self._list_page(self.site.news[route.lang], page_url(lang_prefix(self.site.config, route.lang), "news"), route.page)

    def _list_page(self, articles: Sequence[Article], base: str, page: int) -> dict[str, Any]:
        """Page `page` of a paginated list of articles at site path `base`: its articles, and the
        links to the newer and older pages (None at either end)."""
        per = self.site.config.per_page
        pages = pages_of(self.site.config, len(articles))
        return {
            "articles": articles[(page - 1) * per : page * per],
            "page": page,
            "pages": pages,
            "newer": list_page_url(base, page - 1) if page > 1 else None,
            "older": list_page_url(base, page + 1) if page < pages else None,
        }

    def _article(self, route: Route) -> dict[str, Any]:
        article = self.site.by_source[route.subject]
        assert isinstance(article, Article)
        return {
            "article": article,
            "projects": [self.site.projects[p] for p in article.projects],
            "partners": [self.site.partners[p] for p in article.partners],
        }

    def _page(self, route: Route) -> dict[str, Any]:
        return {"page_item": self.site.by_source[route.subject]}

    def _projects(self, route: Route) -> dict[str, Any]:
        return {"groups": self._grouped_projects()}

    def _project(self, route: Route) -> dict[str, Any]:
        project = self.site.projects[route.subject]
        news = self.site.project_news.get((route.lang, project.id), ())
        changes = timeline.changed_on(project, timeline.today(self.site))
        return {
            "project": project,
            "news": news,
            "partners": [self.site.partners[p] for p in project.partners],
            "lead": self.site.partners.get(project.lead),
            "updated": max(
                [a.date for a in news[:1]] + [self.midnight(d) for d in changes]
                # Nothing done or reported yet: still a date from the content, not SOURCE_DATE_EPOCH.
                or [self.midnight(d) for d in (project.started, *(m.date for m in project.milestones)) if d]
                or [a.date for a in self.site.articles[:1]]
                or [epoch_date()]
            ),
        }

    def _partners(self, route: Route) -> dict[str, Any]:
        return {"partners": list(self.site.partners.values())}

    def _partner(self, route: Route) -> dict[str, Any]:
        partner = self.site.partners[route.subject]
        return {
            "partner": partner,
            "projects": [self.site.projects[p] for p in self.site.partner_projects.get(partner.id, ())],
            "news": self.site.partner_news.get((route.lang, partner.id), ()),
        }

    def _tags(self, route: Route) -> dict[str, Any]:
        return {"tags": self.site.tags[route.lang]}

    def _tag(self, route: Route) -> dict[str, Any]:
        name, articles = self.site.tags[route.lang][route.subject]
        base = page_url(lang_prefix(self.site.config, route.lang), "tags", route.subject)
        return {"tag": name, **self._list_page(articles, base, route.page)}

    def _project_feed(self, route: Route) -> dict[str, Any]:
        ctx = self._project(route)
        limit, project, today = self.site.config.feed_limit, ctx["project"], timeline.today(self.site)
        ctx["news"] = ctx["news"][:limit]  # the latest of each kind, as in the site feed
        ctx["changes"] = project.status_history[-limit:]
        ctx["reached"] = timeline.reached(project, today)[-limit:]
        return ctx

    def _feed(self, route: Route) -> dict[str, Any]:
        articles = self.site.news[route.lang]
        # The latest `feed_limit` articles (site.yaml, default 50), like Hugo's rssLimit: readers
        # poll feeds for what is new, and a feed of every article would grow with the whole site.
        return {"articles": articles[: self.site.config.feed_limit], "updated": articles[0].date if articles else epoch_date()}

    def _withdrawn(self, route: Route) -> dict[str, Any]:
        item = self.withdrawn[route.subject]
        return {"item": item, "withdrawn_on": item.expires}

    def _alias(self, route: Route) -> bytes:
        """A redirect page (Hugo's alias.html): meta refresh, canonical link and a plain link, noindex."""
        target = self.url(route.subject)
        lang = escape(route.lang)
        return (
            f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n<title>{escape(target)}</title>\n'
            f'<link rel="canonical" href="{escape(self.absolute(route.subject))}">\n<meta name="robots" content="noindex">\n'
            f'<meta http-equiv="refresh" content="0; url={escape(target)}">\n</head>\n'
            f'<body><p><a href="{escape(target)}">{escape(target)}</a></p></body>\n</html>\n'
        ).encode()

    def _redirects(self, route: Route) -> bytes:
        """Every alias as a 301: `_redirects` in Netlify's format (Cloudflare Pages reads it too), or
        `_redirects.conf` as nginx `location` blocks for deploy/nginx.conf to include."""
        aliases = [r for r in self.site.routes if r.kind == "alias"]
        # Each language's 404 page for the addresses under its prefix (the default language's is /404.html).
        missing = [
            (self.url(r.url.removesuffix("404.html")), self.url(r.url))
            for r in self.site.routes
            if r.kind == "404" and r.url != "/404.html"
        ]
        if route.url.endswith(".conf"):
            # nginx matches the decoded path: '/合作/', not '/%E5%90%88%E4%BD%9C/' (aliases hold no ';', '{' or space).
            lines = [f"location = {unquote(self.url(r.url))} {{ return 301 {self.url(r.subject)}; }}" for r in aliases]
            # deploy/nginx.conf answers a missing file with error_page 404 $newshub_404 (default /404.html).
            lines += [f'if ($uri ~ "^{re.escape(unquote(under))}") {{ set $newshub_404 {page}; }}' for under, page in missing]
        else:
            lines = [f"{self.url(r.url)} {self.url(r.subject)} 301" for r in aliases]
            lines += [f"{under}* {page} 404" for under, page in missing]  # Netlify serves a file that exists first
        head = ["# Written by newshub from the aliases of the content: every old address, redirected."]
        if missing:
            head.append("# And each language's own page for an address that has no page.")
        return ("\n".join([*head, *lines]) + "\n").encode()

    def _calendar(self, route: Route) -> bytes:
        """`milestones.ics` of one project (`route.subject`), or of every project (subject '')."""
        lang, site = route.lang, self.site
        projects = [site.projects[route.subject]] if route.subject else [p for p in site.projects.values() if p.milestones]
        prefix = page_url(lang_prefix(site.config, lang))

        def loc(value: Localized) -> str:
            return localize(value, lang, site.config.languages)

        names = [loc(projects[0].title)] if route.subject else []
        name = " — ".join([*names, self.languages[lang].text("milestones"), loc(site.config.title)])

        def text(project: Project, milestone: Milestone) -> tuple[str, str]:
            summary = f"{loc(milestone.title)} — {loc(project.title)}" if not route.subject else loc(milestone.title)
            return summary, loc(milestone.note)

        def link(project: Project, milestone: Milestone) -> str:
            return self.absolute(f"{prefix}projects/{project.id}/") + f"#milestone--{milestone.id}"

        def stamp(project: Project) -> date:
            return self.last_update(project) or min((m.date for m in project.milestones), default=date(1970, 1, 1))

        def dropped(project: Project, milestone: Milestone) -> bool:
            return timeline.state(milestone, today, project.status) == timeline.DROPPED

        from . import ical  # icalendar, imported when a calendar is first rendered: a tenth of the preview's start

        today = timeline.today(site)
        return ical.calendar(site, projects, lang, name, text, dropped, link, stamp)

    def _sitemap(self, route: Route) -> dict[str, Any]:
        pages = [r for r in self.site.routes if r.url.endswith("/") and r.kind not in UNLISTED]
        return {"entries": [(r, self._alternates(r)) for r in pages]}
