"""The plain values the stages hand each other. Frozen: a stage never edits another's result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from .config import SiteConfig
from .images import Picture
from .markdown import TocEntry

EARLIEST = datetime.min.replace(tzinfo=UTC)
Localized = Mapping[str, str]  # language -> text, in at least one language (i18n.localize falls back)


@dataclass(frozen=True)
class Article:
    source: str  # path relative to the project root
    translation_key: str  # shared by an article and its translations: the file name without date and language
    slug: str
    lang: str
    title: str
    date: datetime  # aware, in the site's time zone
    summary: str  # plain text
    body: str  # sanitised HTML
    toc: tuple[TocEntry, ...]
    tags: tuple[str, ...]
    projects: tuple[str, ...]
    partners: tuple[str, ...]
    author: str
    draft: bool
    image: Picture | None  # the featured image: heads the article, shows in lists, og:image
    image_alt: str
    minutes: int
    lines: Mapping[str, int] = field(compare=False, hash=False)  # line of each front-matter key
    publish_date: datetime | None = None  # goes out then, not at `date` (schedule.py)
    expires: datetime | None = None  # withdrawn then: out of every list, a withdrawal page at its URL
    aliases: tuple[str, ...] = ()  # old site paths that redirect here


@dataclass(frozen=True)
class Page:
    source: str
    translation_key: str  # shared with its translations: the file name without language
    slug: str
    lang: str
    title: str
    summary: str
    body: str
    toc: tuple[TocEntry, ...]
    draft: bool
    lines: Mapping[str, int] = field(compare=False, hash=False)
    publish_date: datetime | None = None
    expires: datetime | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Milestone:
    date: date  # in the site's time zone
    title: Localized
    done: bool
    id: str  # stable: its calendar UID, feed entry id and page anchor; 'id:' in YAML, else its date (timeline.py)
    note: Localized = field(default_factory=dict)
    article: str = ""  # the translation key of the article that reports it
    line: int = field(default=0, compare=False, hash=False)  # where it is written in the project file


@dataclass(frozen=True)
class StatusChange:
    """One entry of a project's `status_history`: from `date` on, the project is `status`."""

    date: date  # in the site's time zone
    status: str
    note: Localized
    line: int = field(default=0, compare=False, hash=False)

    @property
    def id(self) -> str:
        """Stable, for feed entry ids and page anchors: a status is entered at most once a day."""
        return f"{self.date.isoformat()}-{self.status}"


@dataclass(frozen=True)
class Project:
    id: str
    source: str
    title: Localized
    status: str  # the current one: `status:`, else the latest of `status_history`
    summary: Localized
    partners: tuple[str, ...]
    lead: str
    area: Localized
    started: date | None
    milestones: tuple[Milestone, ...]  # sorted by date
    body: Localized  # sanitised HTML per language
    lines: Mapping[str, int] = field(compare=False, hash=False)
    image: Picture | None = None
    image_alt: Localized = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    status_history: tuple[StatusChange, ...] = ()  # oldest first; the last is `status`


@dataclass(frozen=True)
class Partner:
    id: str
    source: str
    name: Localized
    kind: str
    url: str
    location: Localized
    summary: Localized
    lines: Mapping[str, int] = field(compare=False, hash=False)
    image: Picture | None = None  # the logo
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Content:
    """Everything parsed from content/, before cross-file assembly."""

    articles: tuple[Article, ...]
    pages: tuple[Page, ...]
    projects: tuple[Project, ...]
    partners: tuple[Partner, ...]


@dataclass(frozen=True)
class Route:
    """One output file: which template renders it, for which language, about what."""

    url: str  # site path, '/zh/news/x/' or '/feed.xml'
    # home, news, article, page, projects, project, project_feed, partners, partner, tags, tag, search, feed, 404, sitemap,
    # robots; withdrawn (an expired article or page), alias (a redirect to `subject`, a site path), redirects,
    # calendar (the milestones of project `subject`, or of every project)
    kind: str
    lang: str
    subject: str = ""  # what the page is about: article/page source, project or partner id, tag slug
    page: int = 1  # for paginated lists
    source: str = ""  # the file this route comes from, for collision messages

    @property
    def key(self) -> str:
        """What `subject` was called before: themes written for that name still render."""
        return self.subject


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    articles: tuple[Article, ...]  # newest first, every language
    pages: tuple[Page, ...]
    projects: Mapping[str, Project]
    partners: Mapping[str, Partner]
    routes: tuple[Route, ...]
    # derived indexes, computed once in assemble
    news: Mapping[str, tuple[Article, ...]]  # lang -> articles, newest first
    tags: Mapping[str, Mapping[str, tuple[str, tuple[Article, ...]]]]  # lang -> tag slug -> (name, articles)
    by_source: Mapping[str, Article | Page]
    translations: Mapping[str, tuple[Article | Page, ...]]  # key -> every language version
    project_news: Mapping[tuple[str, str], tuple[Article, ...]]  # (lang, project id) -> articles
    partner_news: Mapping[tuple[str, str], tuple[Article, ...]]  # (lang, partner id) -> articles
    partner_projects: Mapping[str, tuple[str, ...]]  # partner id -> project ids
    withdrawn: tuple[Article | Page, ...] = ()  # expired: a withdrawal page at their URL, listed nowhere
    build_time: datetime = EARLIEST  # what is scheduled is judged against it (schedule.py)
