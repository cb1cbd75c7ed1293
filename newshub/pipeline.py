"""The build as one readable chain of stages, each handing plain values to the next.

load_config -> discover -> parse -> assemble -> check -> render -> write
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from . import parallel
from .assemble import assemble
from .assets import Asset, load_assets
from .cache import Cache, config_key, environment_key, fingerprint, manifest_of, output_intact, source_key, tree_digest
from .check import check
from .config import SiteConfig, load_config
from .discover import discover
from .errors import BuildError, Problem, Problems
from .markdown import MarkdownRenderer
from .model import Article, Content, Page, Partner, Project, Site
from .parse import Parsed
from .progress import Progress
from .render import Renderer, compile_templates, make_environment
from .urls import output_file
from .write import SiteWriter, check_not_foreign, check_output_dir


@dataclass(frozen=True)
class Options:
    root: Path
    output: Path | None = None  # default: <root>/site
    drafts: bool = False
    base_url: str | None = None
    cache: bool = True  # .newshub-cache/; False: --no-cache
    jobs: int = 0  # worker processes; 0: all cores when the build is big enough, 1: serial
    progress: bool = False  # a progress bar on stderr, drawn only when it is a terminal

    @property
    def out(self) -> Path:
        return self.output if self.output is not None else self.root / "site"


@dataclass
class Report:
    """What a build tells its caller: warnings, per-stage timings, counts."""

    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    pages: int = 0
    written: int = 0

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


def parse_content(
    config: SiteConfig,
    root: Path,
    report: Report,
    cache: Cache | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
    keys: list[bytes] | None = None,
) -> Content:
    """discover + parse: every file is parsed, and every problem of every file reported at once.

    Results come from `cache` when the file's bytes and the parse settings are unchanged, else from
    `jobs` worker processes. `keys`, if given, receives every source's cache key in order."""
    with report.stage("discover"):
        sources, warnings, errors = discover(root)
    report.warnings.extend(warnings)
    problems = Problems()
    problems.items.extend(errors)
    base_path = urlsplit(config.base_url).path.rstrip("/")
    renderer = MarkdownRenderer(config.html, base_path)
    items: dict[type, list[object]] = {Article: [], Page: [], Project: [], Partner: []}
    with report.stage("parse"):
        digest = config_key(config, base_path)
        source_keys = [source_key(source, digest) for source in sources]
        if keys is not None:
            keys.extend(source_keys)
        results: list[Parsed | None] = [cache.get(key) if cache else None for key in source_keys]
        todo = [i for i, found in enumerate(results) if found is None]
        if progress and len(todo) >= parallel.MIN_PARALLEL:
            progress.start("parse", len(todo))
        fresh = parallel.parse_all([sources[i] for i in todo], config, renderer, jobs, progress.tick if progress else None)
        for i, new in zip(todo, fresh, strict=True):
            results[i] = new
            if cache is not None:
                cache.put(source_keys[i], new)
        for parsed in results:
            assert parsed is not None
            problems.items.extend(parsed.problems)
            report.warnings.extend(parsed.warnings)
            if parsed.item is not None:
                items[type(parsed.item)].append(parsed.item)
    problems.raise_if_any()
    return Content(
        articles=tuple(items[Article]),  # type: ignore[arg-type]
        pages=tuple(items[Page]),  # type: ignore[arg-type]
        projects=tuple(items[Project]),  # type: ignore[arg-type]
        partners=tuple(items[Partner]),  # type: ignore[arg-type]
    )


def load_site(
    options: Options, report: Report, cache: Cache | None = None, progress: Progress | None = None, keys: list[bytes] | None = None
) -> Site:
    """Everything up to and including check: the Site, valid, or a BuildError."""
    with report.stage("config"):
        config = load_config(options.root, options.base_url)
    content = parse_content(config, options.root, report, cache, options.jobs, progress, keys)
    with report.stage("assemble"):
        site = assemble(config, content, options.drafts)
        problems = check(site)
    if problems:
        raise BuildError(problems)
    return site


def render_site(site: Site, root: Path, assets: dict[str, Asset], report: Report) -> dict[str, bytes]:
    env = make_environment(root / "templates")
    problems = compile_templates(env)
    if problems:
        raise BuildError(problems)
    renderer = Renderer(env, site, assets)
    files: dict[str, bytes] = {}
    with report.stage("render"):
        for route in site.routes:
            files[output_file(route.url)] = renderer.render(route)
    for asset in assets.values():
        files[asset.url.lstrip("/")] = asset.data
    report.pages = len(site.routes)
    return files


def check_only(options: Options) -> Report:
    """`newshub check`: the pipeline stopped before render, plus a compile of every template."""
    report = Report()
    load_site(options, report)
    problems = compile_templates(make_environment(options.root / "templates"))
    if problems:
        raise BuildError(problems)
    return report


def _fingerprint(options: Options, site: Site, keys: list[bytes], assets: dict[str, Asset]) -> str:
    """Everything the output depends on; equal fingerprints give byte-identical sites."""
    parts = [
        environment_key().encode(),
        repr((site.config, options.drafts, options.base_url, str(options.out.resolve()))).encode(),
        os.environ.get("SOURCE_DATE_EPOCH", "").encode(),
        *keys,
        *tree_digest(options.root / "templates"),
        *(f"{name}\0{asset.url}".encode() + b"\0" + asset.data for name, asset in sorted(assets.items())),
    ]
    return fingerprint(parts)


def build(options: Options) -> Report:
    report = Report()
    check_output_dir(options.root, options.out)  # before any work: a refused folder wastes nothing
    progress = Progress(options.progress)
    with report.stage("cache"):
        cache = Cache.open(options.root, options.cache)
    if cache.discarded:
        report.warnings.append(Problem(".newshub-cache", 0, f"{cache.discarded}; rebuilding it"))
    keys: list[bytes] = []
    site = load_site(options, report, cache, progress, keys)
    with report.stage("assets"):
        assets = load_assets(options.root)
    report.pages = len(site.routes)
    out = options.out.resolve()
    files = [output_file(route.url) for route in site.routes] + [asset.url.lstrip("/") for asset in assets.values()]
    with report.stage("check-out"):
        stamp = _fingerprint(options, site, keys, assets) if options.cache else ""
        unchanged = bool(stamp) and cache.state.fingerprint == stamp and cache.state.output == str(out)
        unchanged = unchanged and output_intact(out, cache.state.manifest, site.config.retain)
    if unchanged:  # a no-op build: everything validated above, and the output is already right
        report.written = 0
        with report.stage("cache"):
            cache.save()
        return report
    env = make_environment(options.root / "templates")
    env.auto_reload = False  # templates are read once per build: no mtime check of each on every page
    problems = compile_templates(env)
    if problems:
        raise BuildError(problems)
    renderer = Renderer(env, site, assets)
    check_not_foreign(options.root, options.out, site.config.retain)  # before any staging folder exists
    writer = SiteWriter(options.root, options.out, site.config.retain)
    try:
        with report.stage("render"):
            if progress:
                progress.start("render", len(site.routes))
            report.written = parallel.render_all(site.routes, renderer, writer, options.jobs, progress.tick)
        with report.stage("write"):
            for asset in assets.values():
                report.written += writer.put(asset.url.lstrip("/"), asset.data)
            writer.commit(files)
    except BaseException:
        writer.abort()
        raise
    with report.stage("cache"):
        if options.cache:
            cache.state.fingerprint, cache.state.output = stamp, str(out)
            cache.state.manifest = manifest_of(out, files) or {}
            cache.state_dirty = True
        cache.save()
    return report
