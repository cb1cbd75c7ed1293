"""Work spread over all cores with forked worker processes: Markdown parsing and page rendering.

Workers are forked after the parent has built what they need (the Markdown renderer, or the Site,
the Jinja environment and the output writer), so nothing large is pickled on the way in: a render
task is a range of indexes, a parse task the bytes of a few sources (read as they are sent, so a
build never holds them all). Results come back in input order, so a parallel build is byte for
byte a serial one. Where fork is not available, everything runs in the calling process.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any

from . import images
from .config import SiteConfig
from .discover import Source
from .errors import BuildError, Problem
from .images import Picture
from .links import PageScan, Scanner
from .markdown import MarkdownRenderer
from .model import Route
from .parse import Parsed, parse
from .render import Renderer
from .urls import output_file
from .write import SiteWriter

STREAMED = frozenset({"feed", "project_feed", "sitemap"})  # pages that grow with the whole site
MIN_PARALLEL = 64  # fewer items than this are not worth a process pool
_CHUNK = 64
_AHEAD = 2  # chunks in flight per worker: one being worked on, one waiting for it

# What forked workers inherit. Set only in the parent, right before the pool is created.
_work: dict[str, Any] = {}

Tick = Callable[[int], None]


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _can_fork() -> bool:
    # Forking a process that runs other threads (the preview server's watcher) could copy a held
    # lock into the child; such a process builds serially.
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def workers_for(jobs: int, count: int) -> int:
    """How many processes to use: `jobs` 0 means all cores when there is enough work."""
    if not _can_fork():
        return 1
    if jobs == 0:
        return default_jobs() if count >= MIN_PARALLEL else 1
    return max(1, min(jobs, count // 2 or 1))


def _chunks(count: int, size: int = _CHUNK) -> list[tuple[int, int]]:
    return [(start, min(start + size, count)) for start in range(0, count, size)]


def ignore_interrupts() -> None:
    """In a worker: Ctrl+C reaches the whole process group, and the parent alone should answer it
    (it stops the workers); otherwise each worker prints a KeyboardInterrupt traceback. SIGTERM ends
    a worker quietly (the parent's handler, inherited by the fork, would raise in it)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _background_worker() -> None:
    """In a background parse worker: Ctrl+C is the parent's to answer, and a SIGTERM gives the worker
    two seconds to leave. A SIGTERM sent to the whole process group (a container stopping) thus
    reaches a parent that shuts its workers down in order (dying at once, they would break the pool
    under it, and its exit could wait on them), while one the executor sends to the rest of a
    broken pool still ends them."""
    ignore_interrupts()
    signal.signal(signal.SIGTERM, _leave_soon)


def _leave_soon(signum: int, frame: object) -> None:
    timer = threading.Timer(2.0, os._exit, (0,))
    timer.daemon = True  # a worker the parent shuts down sooner does not wait for it
    timer.start()


def _map(func: Callable[[Any], Any], tasks: Iterable[tuple[int, Any]], workers: int, tick: Tick | None) -> Iterator[tuple[Any, Any]]:
    """(argument, func(argument)) for each task (items, argument), in order, in `workers` forked
    processes; forked when the first task comes (none for no task). `tick` counts the items done."""
    queue = iter(tasks)
    first = next(queue, None)
    if first is None:
        return
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers, initializer=ignore_interrupts) as pool:
        # A few tasks ahead of the caller, not all of them (as imap would send): when the caller is
        # the slower (Pagefind takes the rendered pages), the results would pile up in this
        # process; when the tasks are read as they go (parse_each), so would the sources.
        pending: deque[tuple[int, Any, AsyncResult[Any]]] = deque()
        for items, argument in itertools.chain((first,), queue):
            pending.append((items, argument, pool.apply_async(func, (argument,))))
            if len(pending) > _AHEAD * workers:
                yield _take(pending, tick)
        while pending:
            yield _take(pending, tick)


def _take(pending: deque[tuple[int, Any, AsyncResult[Any]]], tick: Tick | None) -> tuple[Any, Any]:
    items, argument, result = pending.popleft()
    found = result.get()
    if tick:
        tick(items)
    return argument, found


def _spans(count: int, size: int = _CHUNK) -> Iterator[tuple[int, tuple[int, int]]]:
    """_map's tasks over the indexes 0..count, `size` at a time."""
    return ((stop - start, (start, stop)) for start, stop in _chunks(count, size))


# --- parse ----------------------------------------------------------------------------------------


def _parse_chunk(sources: Sequence[Source]) -> list[Parsed]:
    return [parse(source, _work["config"], _work["renderer"]) for source in sources]


def parse_each(
    sources: Iterable[Source], config: SiteConfig, renderer: MarkdownRenderer, jobs: int, tick: Tick | None = None, chunk: int = _CHUNK
) -> Generator[tuple[Source, Parsed]]:
    """(source, parse(source)) for each source, in order, as the workers finish them. The sources
    go to the workers `chunk` at a time, taken from `sources` only a few chunks ahead of the caller:
    an iterator that reads each file as it is taken, and a caller that keeps only part of each
    result, never hold all of them. Fewer than MIN_PARALLEL (with `jobs` 0) are parsed here.
    A larger `chunk` suits a cheap parse (front matter only): fewer tasks, less of the pool's
    own work in this process."""
    queue = iter(sources)
    head = list(itertools.islice(queue, MIN_PARALLEL))  # enough to know whether a pool is worth it
    sources = itertools.chain(head, queue)
    workers = workers_for(jobs, len(head))
    if workers == 1:
        for source in sources:
            yield source, parse(source, config, renderer)
            if tick:
                tick(1)
        return
    _work.update(config=config, renderer=renderer)
    try:
        for taken, parsed in _map(_parse_chunk, _batches(sources, chunk), workers, tick):
            yield from zip(taken, parsed, strict=True)
    finally:
        _work.clear()


def _batches(sources: Iterable[Source], size: int) -> Iterator[tuple[int, list[Source]]]:
    """_map's tasks: the sources, `size` at a time."""
    queue = iter(sources)
    while chunk := list(itertools.islice(queue, size)):
        yield len(chunk), chunk


class BackgroundParse:
    """A parse started now, in forked workers, and read later, from any one thread, in order.

    The workers are forked here (on the first submit), so create it before the process starts
    threads of its own. A ProcessPoolExecutor, not a Pool: when a worker dies (the OOM killer, a
    kill -9) it says so instead of waiting forever, and it never forks a replacement from what is
    by then a threaded process. What the workers did not parse, the reading thread parses, with a
    renderer of its own (the caller's is not thread-safe)."""

    def __init__(self, sources: Sequence[Source], config: SiteConfig, base_path: str, root: Path, jobs: int) -> None:
        self.sources = sources
        self._config, self._base_path, self._root = config, base_path, root
        self._spans = _chunks(len(sources))
        self._futures: list[Future[list[Parsed]]] = []
        self._executor: ProcessPoolExecutor | None = None
        self.stopped = False  # by close(), before every chunk was read
        workers = workers_for(jobs, len(sources))
        if workers > 1:
            _work.update(config=config, renderer=MarkdownRenderer(config.html, base_path, root))
            try:
                context = multiprocessing.get_context("fork")
                self._executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_background_worker)
                self._futures = [self._executor.submit(_parse_chunk, sources[start:stop]) for start, stop in self._spans]
            finally:
                _work.clear()  # the workers have their copy

    def __iter__(self) -> Iterator[tuple[Sequence[Source], list[Parsed]]]:
        """(sources, their parse results), a chunk at a time, until all are read or close() is called."""
        renderer = None
        try:
            for i, (start, stop) in enumerate(self._spans):
                parsed = None
                if i < len(self._futures):
                    try:
                        parsed = self._futures[i].result()
                    except BrokenProcessPool:  # a worker died: the rest is parsed here
                        self._futures = []
                    except CancelledError:
                        return
                if self.stopped:
                    return
                if parsed is None:
                    renderer = renderer or MarkdownRenderer(self._config.html, self._base_path, self._root)
                    parsed = [parse(self.sources[j], self._config, renderer) for j in range(start, stop)]
                yield self.sources[start:stop], parsed
        finally:
            self._shut_down()

    def close(self) -> None:
        """Stop: chunks not started are dropped, the workers end after the one they are on."""
        self.stopped = True
        self._shut_down()

    def _shut_down(self) -> None:
        executor, self._executor = self._executor, None  # close() and the reading thread may both get here
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)


# --- images ---------------------------------------------------------------------------------------


def _image_range(span: tuple[int, int]) -> list[dict[str, bytes]]:
    todo: Sequence[Picture] = _work["images"]
    return [images.produce(_work["root"], _work["cache"], todo[i]) for i in range(*span)]


def make_images(todo: Sequence[Picture], root: Path, cache: Path | None, jobs: int) -> Iterator[dict[str, bytes]]:
    """The published files of each picture (url -> bytes), in order: from the image cache, else
    made in forked workers, a picture at a time."""
    workers = workers_for(jobs, len(todo) * MIN_PARALLEL)  # one picture is worth a pool
    if workers == 1:
        yield from (images.produce(root, cache, picture) for picture in todo)
        return
    _work.update(images=todo, root=root, cache=cache)
    try:
        for _, chunk in _map(_image_range, _spans(len(todo), 1), workers, None):
            yield from chunk
    finally:
        _work.clear()


# --- render and write ------------------------------------------------------------------------------


def render_one(
    route: Route, renderer: Renderer, writer: SiteWriter | None, scanner: Scanner | None
) -> tuple[int, PageScan | None, bytes | None]:
    """Render one route (into the writer's folder, when there is one): the files written, the links
    of an HTML page when there is a scanner, and the page's bytes (None for a streamed page)."""
    rel = output_file(route.url)
    if route.kind in STREAMED:
        chunks = renderer.render_chunks(route)
        if writer is not None:
            return writer.put_chunks(rel, chunks), None, None
        for _ in chunks:  # check: rendered for its template errors, never held whole
            pass
        return 0, None, None
    data = renderer.render(route)
    scan = scanner.scan(route.url, data) if scanner is not None and rel.endswith(".html") else None
    return (writer.put(rel, data) if writer is not None else 0), scan, data


Scans = dict[str, PageScan]  # output file -> the links of its page
Kept = list[tuple[str, bytes]]  # (URL, bytes) of the pages asked for, in route order


def _render_range(span: tuple[int, int]) -> tuple[int, list[Problem], Scans, Kept]:
    routes: Sequence[Route] = _work["routes"]
    keep: frozenset[str] = _work["keep"]
    written, scans, kept = 0, Scans(), Kept()
    for i in range(*span):
        route = routes[i]
        try:
            count, scan, data = render_one(route, _work["renderer"], _work["writer"], _work["scanner"])
        except BuildError as exc:
            return written, list(exc.problems), scans, kept
        written += count
        if scan is not None:
            scans[output_file(route.url)] = scan
        if data is not None and route.kind in keep:
            kept.append((route.url, data))
    return written, [], scans, kept


def render_each(
    routes: Sequence[Route],
    renderer: Renderer,
    writer: SiteWriter | None,
    scanner: Scanner | None,
    jobs: int,
    tick: Tick | None = None,
    keep: frozenset[str] = frozenset(),
) -> Iterator[tuple[int, Scans, Kept]]:
    """Render every route, into the writer's folder when there is a writer, a few at a time and in
    order: the number of files written (not linked), each HTML page's links when there is a
    scanner, and the bytes of the pages whose kind is in `keep` (for the search index)."""
    workers = workers_for(jobs, len(routes))
    if workers == 1:
        for route in routes:
            count, scan, data = render_one(route, renderer, writer, scanner)
            if tick:
                tick(1)
            found = {output_file(route.url): scan} if scan is not None else {}
            yield count, found, [(route.url, data)] if data is not None and route.kind in keep else []
        return
    _work.update(routes=routes, renderer=renderer, writer=writer, scanner=scanner, keep=keep)
    try:
        for _, (count, problems, scans, kept) in _map(_render_range, _spans(len(routes)), workers, tick):
            if problems:
                raise BuildError(problems[:1])  # the serial build stops at the first failing page, too
            yield count, scans, kept
    finally:
        _work.clear()


def render_all(
    routes: Sequence[Route], renderer: Renderer, writer: SiteWriter | None, scanner: Scanner | None, jobs: int, tick: Tick | None = None
) -> tuple[int, Scans]:
    """render_each() to the end: the number of files written and each HTML page's links."""
    written, scans = 0, Scans()
    for count, found, _ in render_each(routes, renderer, writer, scanner, jobs, tick):
        written += count
        scans.update(found)
    return written, scans
