"""`newshub build` and `newshub check`: the stages of build.Build run once, then every page
rendered in parallel and written atomically (or, for check, nothing rendered).

load_config -> discover -> parse -> assemble -> check -> render (links) -> write
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator, Iterable, Iterator
from pathlib import Path

from . import images, noop, parallel, search, timeline
from .assets import Asset
from .build import Build
from .cache import Cache, digest_of, tree_digest
from .errors import BuildError, Problem
from .images import Picture
from .links import LinkCheck, Locator, Scanner
from .model import Article, Page, Site
from .noop import CACHE_DIR
from .options import Options, Report, strict
from .progress import Progress
from .schedule import DRAFT, SCHEDULED, Publishing, build_time, next_scheduled, state
from .search import SEARCHABLE
from .store import BodyStore, available
from .write import SiteWriter, refuse_foreign_output, refuse_unsafe_output

__all__ = ["Options", "Report", "build", "check_only"]  # Options and Report live in options.py


def check_only(options: Options) -> Report:
    """`newshub check`: every stage, every page rendered and its links checked, nothing written.
    As in a build, articles' bodies wait for their pages in a temporary file (in the project
    folder: a check has no output folder), and each source is let go once parsed."""
    with _body_store(options.root) as store:
        return _check_only(options, store)


@contextlib.contextmanager
def _body_store(folder: Path) -> Iterator[BodyStore | None]:
    """A body store in `folder` (not a /tmp that may be memory), closed after; where that cannot be
    written (a read-only checkout, a folder not there), in the system's temporary folder; failing
    that, none: the bodies are then kept in memory, as where pread is missing."""
    store = None
    for where in (folder, None) if available() else ():
        with contextlib.suppress(OSError):
            store = BodyStore(where)
            break
    try:
        yield store
    finally:
        if store is not None:
            store.close()


def _check_only(options: Options, store: BodyStore | None) -> Report:
    report = Report()
    project = Build(options, store=store)
    project.now = build_time()
    project.load(report=report)
    report.warnings.extend(project.warnings)
    if project.errors:
        raise BuildError(project.errors)
    strict(options, report.warnings)
    _schedule(options, project, report)
    site = project.site
    assert site is not None
    report.pages = len(site.routes)
    scanner = Scanner(set(project.output(search=False)).__contains__, site.config.base_url, external=options.external)
    with report.stage("render"):
        _, scans = parallel.render_all(site.routes, project.renderer(), None, scanner, options.jobs)
    with report.stage("links"):
        found, locator = LinkCheck(scans), Locator(options.root, project.routes, scanner, project.unpublished)
        dead = found.problems(locator)
        if options.external:
            from .external import check_links  # the network stack, only for --external

            errors, warnings = check_links(found.external_places(locator), _external_cache(options))
            dead += errors
            report.warnings.extend(warnings)
            strict(options, warnings)
    _links_found(options, site.config.dead_links, dead, report)
    if options.translations:
        from .translations import translation_warnings

        untranslated = translation_warnings(project)
        report.warnings.extend(untranslated)
        strict(options, untranslated)
    return report


def _links_found(options: Options, level: str, dead: list[Problem], report: Report) -> None:
    """Dead links stop the build, or are warnings with `dead_links: warning` in site.yaml."""
    if dead and level == "error":
        raise BuildError(dead)
    report.warnings.extend(dead)
    strict(options, dead)


def _schedule(options: Options, project: Build, report: Report) -> str:
    """What the build left out, and the next scheduled item; the key of what depends on the time."""
    assert project.now is not None
    documents = [item for item in project.items() if isinstance(item, Article | Page)]
    for item in documents:
        found = state(item, project.now)
        if (found == DRAFT and not options.drafts) or (found == SCHEDULED and not options.future):
            report.left_out[found] = report.left_out.get(found, 0) + 1
    expiring = next((item for item in documents if item.expires is not None), None)
    if expiring is not None and not (options.root / "templates" / "withdrawn.html").is_file():
        # Now, not on the day the item expires and an unattended build fails on it.
        why = f"template missing; {expiring.source} has expires:, and its withdrawal page needs it (copy newshub's)"
        raise BuildError([Problem("templates/withdrawn.html", 0, why)])
    upcoming = next_scheduled(documents, project.now)
    report.next_scheduled = (upcoming[0], upcoming[1].source) if upcoming else None
    assert project.site is not None
    projects = project.site.projects.values()
    milestones = timeline.key(projects, timeline.today(project.site))
    return Publishing(project.now, options.drafts, options.future).key(documents) + milestones


def _input_digest(
    context: str, root: Path, site: Site, keys: Iterable[bytes], assets: dict[str, Asset], image_files: Iterable[str], timed: str
) -> str:
    """A digest of everything the output depends on: equal digests give byte-identical sites.
    `context` is _context's; `timed` what depends on the build time (an item that comes due or
    expires, a milestone that falls due changes it)."""
    parts = [
        context.encode(),
        repr((site.config, timed)).encode(),
        *sorted(keys),
        *tree_digest(root / "templates"),
        *(f"{name}\0{asset.url}".encode() + b"\0" + asset.data for name, asset in sorted(assets.items())),
        *(name.encode() for name in sorted(image_files)),  # content-addressed: the name holds the digest
    ]
    return digest_of(parts)


def _external_cache(options: Options) -> Path | None:
    return options.root / ".newshub-cache" / "external.json" if options.cache else None


def _keep_images(cache: Cache, project: Build) -> None:
    """What each image gave, for the next build: it then reads none that did not change."""
    known = {path: (*stamp, found) for path, (stamp, found) in project.image_index.items() if isinstance(found, Picture)}
    if known != cache.state.images:
        cache.state.images, cache.state_dirty = known, True


def build(options: Options, looked: noop.Look | None = None) -> Report:
    """`newshub build`: load every stage (parse results from the cache), then render every page in
    parallel and write the output folder atomically. A no-op build writes nothing: known from file
    stats alone when none moved (noop.py), else from content hashes once every stage has run.
    `looked`: the caller's noop.look(options), when it took one (the CLI does, before importing this);
    the build lets go of its stamp once the no-op check is done."""
    report = Report()
    refuse_unsafe_output(options.root, options.out)  # before any work: a refused folder wastes nothing
    out = options.out.resolve()
    with report.stage("stamp"):
        looked = looked or noop.look(options)
        if looked.said is not None:  # nothing moved: what the last build said
            return looked.said
    # Articles' bodies wait for their pages in a file beside the output folder (the staging folder
    # goes there too): not in memory, nor in a /tmp that may be memory.
    with _body_store(out.parent) as store:
        return _build(options, looked, report, store)


def _build(options: Options, looked: noop.Look, report: Report, store: BodyStore | None) -> Report:
    out = options.out.resolve()
    # The last build's stamp lists every input and output file (some 80 MB at 100,000 articles):
    # needed until the no-op check below, then let go before the pages are rendered.
    stamp, looked.stamp = looked.stamp, None
    progress = Progress(options.progress)
    with report.stage("cache"):
        cache = Cache.open(options.root, options.cache, store)
    if cache.discarded:
        report.warnings.append(Problem(".newshub-cache", 0, f"{cache.discarded}; rebuilding it"))
    project = Build(options, store=store, digests=noop.racily_clean(looked.inputs, looked.taken_ns))
    project.now = build_time()
    project.load(cache, report, progress, templates=False)
    report.warnings.extend(project.warnings)
    if project.errors:
        raise BuildError(project.errors)
    site = project.site
    assert site is not None
    timed = _schedule(options, project, report)
    report.pages = len(site.routes)
    files = project.output(search=False)  # the search index's files are known once it is made
    digest = ""
    with report.stage("check-out"):
        if options.cache:
            digest = _input_digest(looked.context, options.root, site, cache.used, project.assets, project.image_files(), timed)
        unchanged = (
            stamp is not None
            and bool(digest)
            and cache.state.input_digest == digest
            and stamp.output == str(out)
            and noop.output_intact(out, stamp.manifest, site.config.retain)
        )
    if unchanged and stamp is not None:  # a no-op build: everything validated above, and the output is already right
        report.warnings.extend(cache.state.link_warnings)
        strict(options, [*project.warnings, *cache.state.link_warnings])
        with report.stage("cache"):
            _keep_images(cache, project)
            cache.save()
            _stamp(options, project, report, looked, stamp.manifest)
        return report
    del stamp
    strict(options, project.warnings)
    project.apply(templates=True)
    renderer = project.renderer()  # BuildError: a template that does not compile
    refuse_foreign_output(options.root, options.out, site.config.retain)  # before any staging folder exists
    writer = SiteWriter(options.root, options.out, site.config.retain)
    try:
        scans: parallel.Scans = {}
        scanner = Scanner(set(files).__contains__, site.config.base_url)

        searched = SEARCHABLE if site.config.search else frozenset()

        def rendered() -> Generator[tuple[str, bytes]]:
            """Every page rendered and written; the pages to search, for the index, as they come."""
            for count, found, kept in parallel.render_each(site.routes, renderer, writer, scanner, options.jobs, progress.tick, searched):
                report.written += count
                scans.update(found)
                yield from kept

        with report.stage("render"):  # and the search index, made as the pages come
            if progress:
                progress.start("render", len(site.routes))
            with contextlib.closing(rendered()) as pages:  # on an error, the workers stop at once
                found = search.index(pages) if searched else {}
                for _ in pages:  # with no search index (site.yaml `search: false`), rendered all the same
                    pass
        with report.stage("search"):
            for rel, data in found.items():
                report.written += writer.put(rel, data)
            files = [*files, *found]
        with report.stage("links"):
            dead = LinkCheck(scans).problems(Locator(options.root, project.routes, scanner, project.unpublished))
            _links_found(options, site.config.dead_links, dead, report)
        with report.stage("write"):
            for asset in project.assets.values():
                report.written += writer.put(asset.url.lstrip("/"), asset.data)
        with report.stage("images"):
            pictures = list(dict.fromkeys(project.image_files().values()))
            for made in parallel.make_images(pictures, options.root, project.image_cache(), options.jobs):
                for url, data in made.items():
                    report.written += writer.put(url.lstrip("/"), data)
            if (kept := project.image_cache()) is not None:
                images.prune(kept, pictures)
        with report.stage("commit"):
            writer.commit(files)
    except BaseException:
        writer.abort()
        raise
    with report.stage("cache"):
        if options.cache:
            cache.state.input_digest = digest
            cache.state.link_warnings = dead
            cache.state_dirty = True
            _keep_images(cache, project)
        cache.save()
        if options.cache:
            _stamp(options, project, report, looked, noop.manifest_of(out, files) or {})
    return report


def _stamp(
    options: Options,
    project: Build,
    report: Report,
    looked: noop.Look,
    manifest: dict[str, tuple[int, int, int]],
) -> None:
    """Leave the stamp of this build for the next one (noop.py)."""
    assert project.site is not None and project.now is not None
    site = project.site
    upcoming = report.next_scheduled
    stamp = noop.Stamp(
        inputs=looked.inputs,
        taken_ns=looked.taken_ns,
        context=looked.context,
        output=str(options.out.resolve()),
        manifest=manifest,
        retain=site.config.retain,
        until=project.due,
        warnings=[w for w in report.warnings if w.path != CACHE_DIR],  # not "cache discarded" again
        pages=report.pages,
        left_out=report.left_out,
        next_scheduled=(upcoming[0].isoformat(), upcoming[1]) if upcoming else None,
        racy=noop.racy(looked.inputs, looked.taken_ns, project.used_digest),
        format=noop.FORMAT,
    )
    noop.save(options.root / CACHE_DIR, stamp)
