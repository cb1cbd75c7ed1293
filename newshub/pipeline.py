"""The build as one readable chain of stages, each handing plain values to the next.

load_config -> discover -> parse -> assemble -> check -> render -> write
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .assemble import assemble
from .assets import Asset, load_assets
from .check import check
from .config import SiteConfig, load_config
from .discover import discover
from .errors import BuildError, Problem, Problems
from .markdown import MarkdownRenderer
from .model import Article, Content, Page, Partner, Project, Site
from .parse import parse
from .render import Renderer, compile_templates, make_environment
from .urls import output_file
from .write import check_output_dir, write_site


@dataclass(frozen=True)
class Options:
    root: Path
    output: Path | None = None  # default: <root>/site
    drafts: bool = False
    base_url: str | None = None

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


def parse_content(config: SiteConfig, root: Path, report: Report) -> Content:
    """discover + parse: every file is parsed, and every problem of every file reported at once."""
    with report.stage("discover"):
        sources, warnings, errors = discover(root)
    report.warnings.extend(warnings)
    problems = Problems()
    problems.items.extend(errors)
    renderer = MarkdownRenderer(config.html, urlsplit(config.base_url).path.rstrip("/"))
    items: dict[type, list[object]] = {Article: [], Page: [], Project: [], Partner: []}
    with report.stage("parse"):
        for source in sources:
            parsed = parse(source, config, renderer)
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


def load_site(options: Options, report: Report) -> Site:
    """Everything up to and including check: the Site, valid, or a BuildError."""
    with report.stage("config"):
        config = load_config(options.root, options.base_url)
    content = parse_content(config, options.root, report)
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


def build(options: Options) -> Report:
    report = Report()
    check_output_dir(options.root, options.out)  # before any work: a refused folder wastes nothing
    site = load_site(options, report)
    with report.stage("assets"):
        assets = load_assets(options.root)
    files = render_site(site, options.root, assets, report)
    with report.stage("write"):
        report.written = write_site(options.root, options.out, files, site.config.retain)
    return report
