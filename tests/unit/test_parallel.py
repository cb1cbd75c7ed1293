"""parallel: parse results in order, and the sources taken from their iterator only a few chunks ahead."""

from __future__ import annotations

from collections.abc import Iterator

from newshub import parallel
from newshub.discover import Source
from newshub.markdown import MarkdownRenderer

from .helpers import config

CONFIG = config()


def test_parse_each_takes_sources_a_few_chunks_ahead_and_gives_them_back_in_order() -> None:
    """A build reads each file as parse_each takes it: taking them all first would hold them all."""
    count, taken = 1000, []

    def sources() -> Iterator[Source]:
        for i in range(count):
            taken.append(i)
            yield Source(f"content/news/2024-04-02-n{i:04}.md", "news", f"---\ntitle: N{i}\n---\n\nBody {i}.\n".encode())

    workers = parallel.workers_for(2, count)
    results = parallel.parse_each(sources(), CONFIG, MarkdownRenderer(CONFIG.html), 2)
    first_source, first = next(results)
    ahead = (parallel._AHEAD * workers + 1) * parallel._CHUNK
    assert len(taken) <= ahead < count  # not all of them read before the first result
    rest = list(results)
    assert [s.rel for s, _ in [(first_source, first), *rest]] == [f"content/news/2024-04-02-n{i:04}.md" for i in range(count)]
    assert all(p.item is not None and p.item.title == f"N{i}" for i, (_, p) in enumerate([(first_source, first), *rest]))  # type: ignore[union-attr]
    assert workers == 2 or not parallel._can_fork()  # the pool's path, where fork is there
