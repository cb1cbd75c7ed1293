"""The preview's build, kept in memory and redone only where a change reaches.

Preview holds the parse result of every source, the last good Site, and the rendered files. A
batch of changed paths is applied by kind: a content file is parsed again on its own; when it still
sorts, groups and routes as before (a text edit), it is swapped into the Site (assemble.replace_item),
else the Site is assembled again from the kept parse results. A template change re-renders every
page without parsing; an asset change replaces the asset (and re-renders pages only if they name
it); site.yaml reloads everything.

Which pages to re-render comes from comparing each route's inputs (what its template is given)
between the old and the new Site. Pages are rendered lazily: a changed page is marked pending and
rendered when it is asked for, or by a background thread when the server is idle. So what is
served always equals what a full build of the same files would write.

A cold start (many news files and no build cache) parses only their front matter before serving:
routes, lists and links need nothing else. Their bodies are parsed in worker processes behind it
(complete()), and a page that shows a body not parsed yet parses it first (_parse_bodies_for). So
the first page comes in about a second at 10,000 articles, and is still the full build's page.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jinja2

from . import parallel
from .assemble import assemble, replace_items
from .assets import Asset, load_assets
from .cache import Cache, config_key, source_key, tree_digest
from .check import check
from .config import SiteConfig, load_config
from .discover import Source, discover, read_source, section_of
from .errors import BuildError, Problem
from .markdown import FrontMatterOnly, MarkdownRenderer
from .model import Article, Content, Page, Partner, Project, Route, Site
from .parse import Parsed, parse
from .pipeline import Options
from .render import Renderer, compile_templates, make_environment
from .urls import output_file
from .watch import Batch

STAGES = ("config", "content", "check", "templates")  # a build stops at the first that fails
DEFER_AT = 256  # news files to parse at start (not in the cache) from which their bodies wait
# A page showing at most this many unparsed bodies parses them itself (up to about 1.5 s on one
# core, at 10,000 articles every project, partner and tag page); beyond, it waits for the workers.
ON_DEMAND = 1000


class _Tracking(Renderer):
    """A Renderer that remembers which assets pages name, so a change to another one re-renders nothing."""

    used: set[str]

    def asset(self, name: str) -> str:
        self.used.add(name)
        return super().asset(name)


@dataclass(frozen=True)
class _Entry:
    data: bytes | None  # None: the file could not be read
    parsed: Parsed
    full: bool = True  # False: front matter only (FrontMatterOnly), the body is still to parse


@dataclass
class _Deferred:
    """The bodies load() left for later: their parse, running, and where to keep the results."""

    parse: parallel.BackgroundParse
    cache: Cache | None
    digest: str
    claimed: bool = False  # a thread is reading its results


def _articles_in(value: object, found: set[str]) -> None:
    """Add the sources of the articles inside a route's inputs (nested tuples, lists and mappings)."""
    if isinstance(value, Article):
        found.add(value.source)
    elif isinstance(value, tuple | list):
        for inner in value:
            _articles_in(inner, found)
    elif isinstance(value, Mapping):
        for inner in value.values():
            _articles_in(inner, found)


def _shape(item: object) -> tuple[Any, ...] | None:
    """What assemble sorts, groups and routes an item by: equal shapes allow replace_items."""
    if isinstance(item, Article):
        return (Article, item.source, item.key, item.slug, item.lang, item.date, item.date.isoformat(), item.draft)
    if isinstance(item, Page):
        return (Page, item.source, item.key, item.slug, item.lang, item.draft)
    return None


def _base_path(config: SiteConfig) -> str:
    return urlsplit(config.base_url).path.rstrip("/")


def _links(item: Article) -> tuple[Any, ...]:
    return (item.tags, item.projects, item.partners)


class _Inputs:
    """What each route's template is given, for one Site: equal inputs render equal bytes."""

    def __init__(self, site: Site) -> None:
        self.site = site
        langs = site.config.languages
        # last_update() reads only the date of each project's newest article.
        firsts = tuple(tuple(a.date for a in site.project_news.get((lang, pid), ())[:1]) for pid in site.projects for lang in langs)
        # Project and partner cards (home, boards, partner pages) show titles, partners and last updates.
        self.shared = (tuple(site.projects.items()), tuple(site.partners.items()), tuple(site.partner_projects.items()), firsts)
        # Every page shows the title, languages and the standalone pages in its navigation.
        self.frame = (site.config, tuple((p.source, p.slug, p.lang, p.title) for p in site.pages))
        self.newest = tuple(a.date for a in site.articles[:1])

    def of(self, route: Route) -> tuple[Any, ...]:
        site, kind, lang = self.site, route.kind, route.lang
        if kind == "article" or kind == "page":
            item = site.by_source[route.key]
            group = site.translations[f"{type(item).__name__}:{item.key}"]
            if isinstance(item, Article):
                return (item, group, tuple(site.projects.get(p) for p in item.projects), tuple(site.partners.get(p) for p in item.partners))
            return (item, group)
        if kind == "news":
            per, news = site.config.per_page, site.news[lang]
            start = (route.page - 1) * per
            alternates = tuple(len(site.news[other]) > start for other in site.config.languages)
            return (news[start : start + per], -(-len(news) // per), alternates)
        if kind == "home":
            return (site.news[lang][:5], self.shared)
        if kind == "feed":
            return (site.news[lang][: site.config.feed_limit],)  # the feed shows the latest only
        if kind in ("project", "project_feed"):
            # With no news, milestones or start date, `updated` is the newest article's date.
            return (site.project_news.get((lang, route.key), ()), self.shared, self.newest)
        if kind == "partner":
            return (site.partner_news.get((lang, route.key), ()), self.shared)
        if kind in ("projects", "partners"):
            return (self.shared,)
        if kind == "tags":
            return (site.tags[lang],)
        if kind == "tag":
            return (site.tags[lang].get(route.key), tuple(route.key in site.tags[other] for other in site.config.languages))
        if kind == "sitemap":
            return (site.routes,)  # the same tuple object after replace_items: compared by identity then
        return ()  # 404, robots: the frame only


class Preview:
    """The served site. Thread-safe: every public method holds `lock`; `changed` is notified on
    every new `generation` (a change the open pages should reload for)."""

    def __init__(self, options: Options, defer_at: int = DEFER_AT) -> None:
        self.options = options
        self.defer_at = defer_at
        self.root = options.root
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.generation = 0
        self.entries: dict[str, _Entry] = {}
        self.problems: dict[str, list[Problem]] = {stage: [] for stage in STAGES}
        self.render_problems: dict[str, list[Problem]] = {}  # output file -> problems of its last render
        self.warnings: list[Problem] = []
        self.config: SiteConfig | None = None
        self.markdown: MarkdownRenderer | None = None
        self.env: jinja2.Environment | None = None
        self.templates_digest: list[bytes] = []
        self.assets: dict[str, Asset] = {}
        self.used_assets: set[str] = set()
        # The last good build: its Site, renderer, rendered files and each route's inputs.
        self.site: Site | None = None
        self.renderer: _Tracking | None = None
        self.files: dict[str, bytes] = {}
        self.routes: dict[str, Route] = {}  # output file -> route
        self.inputs: dict[str, tuple[Any, ...]] = {}
        self.pending: dict[str, Route] = {}  # rendered before they are served
        self.epoch = 0  # renderer version: a render started under another epoch is dropped
        self.stale = False  # the Site must be assembled again from the parse results
        # A cold start's deferred bodies: still parsing, the job, and the Site's front-matter-only items.
        self.loading = False
        self.deferred: list[Source] = []
        self.job: _Deferred | None = None
        self.provisional: dict[str, bytes] = {}  # source -> the bytes its front-matter-only item came from

    # --- reading ---------------------------------------------------------------------------------

    @property
    def all_warnings(self) -> list[Problem]:
        """What a full build would print as warnings now: discover's and every file's parse."""
        with self.lock:
            return sorted({*self.warnings, *(w for entry in self.entries.values() for w in entry.parsed.warnings)})

    @property
    def errors(self) -> list[Problem]:
        """What a full build would stop with now (first failing stage), and pages that failed to render."""
        for stage in STAGES:
            if self.problems[stage]:
                return sorted(set(self.problems[stage]))
        return sorted({p for found in self.render_problems.values() for p in found})

    def get(self, file: str) -> bytes | None:
        """The bytes of one output file, rendered now if it is pending; None if there is none."""
        with self.lock:
            ready = file not in self.pending or not self.provisional or self._parse_bodies_for(file, ON_DEMAND)
        if not ready:
            self.complete()  # outside the lock: the server answers other requests meanwhile
        with self.lock:
            if file in self.pending and self.provisional:
                self._parse_bodies_for(file)  # what the workers left, if an error kept the Site from them
            route = self.pending.get(file)
            if route is not None:
                assert self.renderer is not None
                self._store(file, route, *self._render(self.renderer, route))
            return self.files.get(file)

    def has_dir(self, file: str) -> bool:
        with self.lock:
            return f"{file}/index.html" in self.files or f"{file}/index.html" in self.pending

    def render_everything(self) -> dict[str, bytes]:
        """Every output file, as a full build would write them (pending pages rendered first)."""
        self.complete()
        with self.lock:
            for file in list(self.pending):
                self.get(file)
            return dict(self.files)

    def take_pending(self) -> tuple[str, Route, Renderer, int] | None:
        """One pending page for the background renderer, which renders it outside the lock."""
        with self.lock:
            if not self.pending or self.renderer is None or self.provisional:
                return None  # pages rendered now from front matter only would be rendered again
            file, route = next(iter(self.pending.items()))
            return file, route, self.renderer, self.epoch

    def put_rendered(self, file: str, route: Route, epoch: int, data: bytes | None, problems: list[Problem]) -> None:
        with self.lock:
            if epoch == self.epoch and self.pending.get(file) is route:
                self._store(file, route, data, problems)

    @staticmethod
    def _render(renderer: Renderer, route: Route) -> tuple[bytes | None, list[Problem]]:
        try:
            return renderer.render(route), []
        except BuildError as exc:
            return None, exc.problems

    def _store(self, file: str, route: Route, data: bytes | None, problems: list[Problem]) -> None:
        del self.pending[file]
        if data is not None:
            self.files[file] = data
            if self.render_problems.pop(file, None):
                self._bump()
        elif self.render_problems.get(file) != problems:
            self.render_problems[file] = problems  # the last good bytes stay served, under the overlay
            self._bump()

    def _bump(self) -> None:
        self.generation += 1
        self.changed.notify_all()

    # --- loading ---------------------------------------------------------------------------------

    def load(self) -> None:
        """The first build: every file read and parsed, through the build cache and worker processes."""
        with self.lock:
            cache = None
            if self._load_config():
                self._load_templates()
                self._load_assets()
                cache = Cache.open(self.root, self.options.cache)
                self._rescan(cache)
            self._rebuild(set())
            self._bump()
            if self.deferred and self.config is not None:  # forked last: the first page need not share the cores
                base_path = _base_path(self.config)
                background = parallel.BackgroundParse(self.deferred, self.config, base_path, self.options.jobs)
                self.job = _Deferred(background, cache, config_key(self.config, base_path))
                self.deferred = []

    def complete(self) -> None:
        """Parse the bodies load() deferred, and serve the full Site; returns once that is done.
        The first caller (the server's own thread, or a page that needs every body) reads the
        workers' results, without holding the lock; later callers wait for it."""
        with self.lock:
            job = self.job
            if job is None or job.claimed:
                self.changed.wait_for(lambda: self.job is None)  # the full Site is served (the cache may still be saving)
                return
            job.claimed = True
        try:
            for sources, results in job.parse:
                with self.lock:
                    for source, parsed in zip(sources, results, strict=True):
                        if job.cache is not None:
                            job.cache.put(source_key(source, job.digest), parsed)
                        entry = self.entries.get(source.rel)
                        if entry is not None and not entry.full and entry.data == source.data:
                            self.entries[source.rel] = _Entry(source.data, parsed)
        finally:
            with self.lock:
                before = self.errors
                for rel, entry in list(self.entries.items()):
                    if not entry.full and not job.parse.stopped:  # an error stopped the background parse
                        self._parse_body(rel)
                self.job = None
                self.stale = self.stale or bool(self.provisional)
                self._rebuild(set())
                if self.errors != before:
                    self._bump()
                self.changed.notify_all()
            try:  # outside the lock: pages are served and rendered meanwhile
                if job.cache is not None:
                    job.cache.save()
            finally:
                with self.lock:
                    self.loading = False  # done only now: a server stopped after this starts warm next time
                    self.changed.notify_all()

    def close(self) -> None:
        """Stop a background parse that is still running."""
        job = self.job
        if job is not None:
            job.parse.close()

    def apply(self, batch: Batch) -> bool:
        """Apply one batch of changes; True when open pages should reload."""
        with self.lock:
            before = (self.generation, self.epoch, self.errors)
            if batch.config:
                old = self.config
                if self._load_config() and self.config != old:
                    self.stale = True
                    batch.rescan = True
                    if old is None:  # the first build failed on site.yaml: nothing else was loaded
                        batch.templates = batch.assets = True
            if self.config is None:
                return self.errors != before[2]
            if batch.templates:
                self._load_templates()
            if batch.assets:
                self._load_assets()
            changed = self._rescan() if batch.rescan else {rel for rel in sorted(batch.content) if self._read(rel)}
            self._rebuild(changed)
            if (self.generation, self.epoch, self.errors) != before:
                self._bump()
                return True
            return False

    def _load_config(self) -> bool:
        try:
            config = load_config(self.root, self.options.base_url)
        except BuildError as exc:
            self.problems["config"] = exc.problems
            return False
        self.problems["config"] = []
        if self.config is None or config_key(config, "") != config_key(self.config, ""):
            self.entries.clear()  # the settings parse reads changed: parse everything again
            self.close()  # and what the background parse does with the old ones is of no use
        self.config = config
        self.markdown = MarkdownRenderer(config.html, _base_path(config))
        return True

    def _load_templates(self) -> None:
        digest = tree_digest(self.root / "templates")
        if digest == self.templates_digest and self.env is not None:
            return  # a probe or backup file came and went
        self.templates_digest = digest
        env = make_environment(self.root / "templates")
        env.auto_reload = False  # the last good templates stay in use while a file is broken
        self.problems["templates"] = compile_templates(env)
        if not self.problems["templates"]:
            self.env = env
            self._new_renderer(everything=True)

    def _load_assets(self) -> None:
        assets = load_assets(self.root)
        names = {name for name in self.assets.keys() | assets.keys() if self.assets.get(name) != assets.get(name)}
        for name in names:
            if name in self.assets:
                self.files.pop(self.assets[name].url.lstrip("/"), None)
        self.assets = assets
        for asset in assets.values():
            self.files[asset.url.lstrip("/")] = asset.data
        if names:
            self._new_renderer(everything=bool(names & self.used_assets))

    def _read(self, rel: str) -> bool:
        """Read and parse one content path again; True if it changed."""
        section = section_of(rel)
        if section is None:
            return False
        path = self.root / rel
        old = self.entries.get(rel)
        if not path.is_file():
            return self.entries.pop(rel, None) is not None
        found = read_source(self.root, section, path)  # as discover reads it: links out of the project refused
        if isinstance(found, Problem):
            entry = _Entry(None, Parsed(None, (found,), ()))
        elif old is not None and old.data == found.data:
            return False
        else:
            assert self.config is not None and self.markdown is not None
            entry = _Entry(found.data, parse(found, self.config, self.markdown))
        self.entries[rel] = entry
        return old is None or old.parsed != entry.parsed

    def _rescan(self, cache: Cache | None = None) -> set[str]:
        """Every content file again (discover), parsing only those whose bytes changed. With the
        build cache (the first load), results come from it, and many news files may be deferred."""
        assert self.config is not None and self.markdown is not None
        sources, warnings, errors = discover(self.root)
        self.warnings = warnings
        old = self.entries
        todo = [s for s in sources if s.rel not in old or old[s.rel].data != s.data]
        digest = config_key(self.config, _base_path(self.config))
        found: dict[str, Parsed] = {}
        if cache is not None:
            for source in todo:
                hit = cache.get(source_key(source, digest))
                if hit is not None:
                    found[source.rel] = hit
        fresh = [s for s in todo if s.rel not in found]
        later = [s for s in fresh if s.section == "news"] if cache is not None else []
        if len(later) < self.defer_at:
            later = []
        deferred = {s.rel for s in later}
        now = [s for s in fresh if s.rel not in deferred]
        found.update(zip((s.rel for s in now), parallel.parse_all(now, self.config, self.markdown, self.options.jobs), strict=True))
        if later:  # a cold start: serve from front matter first, load() starts parsing the bodies
            front_matter_only = FrontMatterOnly(self.config.html)
            found.update((s.rel, parse(s, self.config, front_matter_only)) for s in later)
            self.deferred, self.loading = later, True
        if cache is not None:
            for source in now:
                cache.put(source_key(source, digest), found[source.rel])
            if not later:
                cache.save()  # else complete() saves it, with the bodies
        self.entries = {s.rel: old[s.rel] if s.rel not in found else _Entry(s.data, found[s.rel], s.rel not in deferred) for s in sources}
        for problem in errors:
            self.entries[problem.path] = _Entry(None, Parsed(None, (problem,), ()))
        return set(found) | (old.keys() - self.entries.keys()) | {p.path for p in errors}

    # --- rebuilding ------------------------------------------------------------------------------

    def _content(self) -> Content:
        """The parse results in discover's order, so that a tie sorts exactly as in a full build."""
        items: dict[type, list[Any]] = {Article: [], Page: [], Project: [], Partner: []}
        for rel in sorted(self.entries, key=lambda rel: tuple(rel.split("/"))):
            item = self.entries[rel].parsed.item
            if item is not None:
                items[type(item)].append(item)
        return Content(tuple(items[Article]), tuple(items[Page]), tuple(items[Project]), tuple(items[Partner]))

    def _parse_body(self, rel: str) -> None:
        """Parse in full one file that was parsed for its front matter only."""
        entry = self.entries[rel]
        assert entry.data is not None and self.config is not None and self.markdown is not None
        self.entries[rel] = _Entry(entry.data, parse(Source(rel, "news", entry.data), self.config, self.markdown))

    def _parse_bodies_for(self, file: str, limit: int | None = None) -> bool:
        """Before a page is rendered: swap the front-matter-only articles it shows for full ones,
        parsed here (holding the lock: the Markdown renderer is not thread-safe). False when there
        are more than `limit`: the caller waits for the background parse instead.

        The served Site stays the one it was, only completed: an article edited or deleted since is
        parsed from the bytes the Site shows, so an error elsewhere, which keeps the last good Site
        on screen, does not leave its pages without their bodies."""
        needed: set[str] = set()
        _articles_in(self.inputs.get(file), needed)
        needed &= self.provisional.keys()
        if limit is not None and len(needed) > limit:  # the tags index, a big feed: wait for the workers
            return False
        if not needed:
            return True
        assert self.site is not None and self.config is not None and self.markdown is not None
        before = self.errors
        pairs = []
        for rel in sorted(needed):
            data, entry = self.provisional[rel], self.entries.get(rel)
            if entry is not None and entry.data == data:
                if not entry.full:
                    self._parse_body(rel)
                parsed = self.entries[rel].parsed
            else:
                parsed = parse(Source(rel, "news", data), self.config, self.markdown)
            old = self.site.by_source[rel]
            if isinstance(parsed.item, Article) and _shape(parsed.item) == _shape(old):
                pairs.append((old, parsed.item))
        if pairs:
            self._adopt(replace_items(self.site, pairs), {old.source for old, _ in pairs})
        self.problems["content"] = [p for entry in self.entries.values() for p in entry.parsed.problems]
        if self.problems["content"]:
            self.stale = True  # as _rebuild() does: the next change assembles the Site again
        if self.errors != before:  # a body error found here: the overlay on every open page
            self._bump()
        return True

    def _rebuild(self, changed: set[str]) -> None:
        if self.problems["config"]:
            self.stale = True
            return
        self.problems["content"] = [p for entry in self.entries.values() for p in entry.parsed.problems]
        if self.problems["content"]:
            self.stale = True
            return
        if not changed and not self.stale and self.site is not None:
            return
        assert self.config is not None
        site = None if self.stale else self._swap(changed)
        if site is None:
            site = assemble(self.config, self._content(), self.options.drafts)
            self.problems["check"] = check(site)
            if self.problems["check"]:
                self.stale = True
                return
        if self.problems["templates"]:
            self.stale = True  # a broken template: keep the whole last good build
            return
        self.stale = False
        self._adopt(site, changed)

    def _swap(self, changed: set[str]) -> Site | None:
        """The new Site by replace_items when every change keeps its item's shape, else None."""
        site = self.site
        if site is None:
            return None
        pairs = []
        for rel in sorted(changed):
            old = site.by_source.get(rel)
            entry = self.entries.get(rel)
            new = entry.parsed.item if entry else None
            if not isinstance(old, Article | Page) or not isinstance(new, Article | Page) or _shape(old) != _shape(new):
                return None
            if isinstance(old, Article) and isinstance(new, Article) and _links(old) != _links(new):
                return None
            pairs.append((old, new))
        return replace_items(site, pairs)

    def _adopt(self, site: Site, changed: set[str]) -> None:
        """Make `site` the served one: pages whose inputs changed become pending, gone pages go."""
        old = self.site
        inputs = _Inputs(site)
        everything = old is None or _Inputs(old).frame != inputs.frame
        swapped = old is not None and site.routes is old.routes
        routes = self.routes if swapped else {output_file(route.url): route for route in site.routes}
        if swapped and not everything:
            # Only the changed items' own pages (and their translations') can differ among item pages.
            groups = {f"{type(i).__name__}:{i.key}" for rel in changed if (i := site.by_source.get(rel)) is not None}
            sources = {v.source for g in groups for v in site.translations[g]}
            candidates: Iterable[str] = (f for f, r in routes.items() if r.kind not in ("article", "page") or r.key in sources)
        else:
            candidates = routes
        new_inputs = dict(self.inputs) if swapped else {}
        for file in candidates:
            now = inputs.of(routes[file])
            if everything or self.inputs.get(file) != now:
                self.pending[file] = routes[file]
            new_inputs[file] = now
        for file in self.routes.keys() - routes.keys():
            self.files.pop(file, None)
            self.pending.pop(file, None)
            self.render_problems.pop(file, None)
        self.site, self.routes, self.inputs = site, routes, new_inputs
        if swapped:
            for rel in changed:  # a change is always parsed in full
                self.provisional.pop(rel, None)
        else:
            self.provisional = {rel: e.data for rel in site.by_source if not (e := self.entries[rel]).full and e.data is not None}
        self._new_renderer(everything=False)

    def _new_renderer(self, everything: bool) -> None:
        if self.site is None or self.env is None:
            return
        renderer = _Tracking(self.env, self.site, self.assets)
        renderer.used = self.used_assets
        self.renderer = renderer
        self.epoch += 1
        if everything:
            self.pending.update(self.routes)
        for file in self.render_problems:  # try failed pages again with the new renderer
            if file in self.routes:
                self.pending[file] = self.routes[file]
