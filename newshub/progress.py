"""A one-line progress bar on stderr, drawn only on a terminal (never into CI logs)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, enabled: bool, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self.label, self.total, self.done, self._drawn = "", 0, 0, 0.0

    def start(self, label: str, total: int) -> None:
        self.label, self.total, self.done, self._drawn = label, total, 0, 0.0
        self._draw()

    def tick(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if now - self._drawn >= 0.1 or self.done >= self.total:
            self._draw()

    def _draw(self) -> None:
        if not self.enabled or self.total <= 0:
            return
        self._drawn = time.monotonic()
        width = 30
        filled = width * self.done // self.total
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r{self.label:<8} [{bar}] {self.done}/{self.total}")
        if self.done >= self.total:
            self.stream.write("\r\x1b[K")
        self.stream.flush()
