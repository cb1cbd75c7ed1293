"""The options of a build and what it reports: light to import, so that a no-op build (noop.py)
can answer before the stages are loaded."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from .errors import BuildError, Problem


@dataclass(frozen=True)
class Options:
    root: Path
    output: Path | None = None  # default: <root>/site
    drafts: bool = False
    future: bool = False  # scheduled items too (their date or publish_date is after the build time)
    base_url: str | None = None
    cache: bool = True  # .newshub-cache/; False: --no-cache
    jobs: int = 0  # worker processes; 0: all cores when the build is big enough, 1: serial
    progress: bool = False  # a progress bar on stderr, drawn only when it is a terminal
    strict: bool = False  # warnings stop the build, as errors do (for CI)
    external: bool = False  # check: request every external link too
    translations: bool = False  # check: list what is not translated yet (warnings)

    @property
    def out(self) -> Path:
        return self.output if self.output is not None else self.root / "site"


@dataclass
class Report:
    """What a build tells its caller: warnings, per-stage timings, counts, what it left out."""

    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    pages: int = 0
    written: int = 0
    left_out: dict[str, int] = field(default_factory=dict)  # schedule.DRAFT or SCHEDULED -> items not published
    next_scheduled: tuple[datetime, str] | None = None  # (when, source) of the next item to go out

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


def strict(options: Options, warnings: list[Problem]) -> None:
    """--strict: the content's warnings stop the build. BuildError when there are any."""
    if options.strict and warnings:
        raise BuildError([replace(w, message=f"{w.message} (an error with --strict)") for w in warnings])
