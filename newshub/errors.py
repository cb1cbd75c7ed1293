"""Positioned problems: every user-facing error names a file, a line and what to do."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    path: str  # relative to the project root, with forward slashes
    line: int  # 1-based; 0 when the problem concerns the whole file
    message: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}: {self.message}"
        return f"{self.path}: {self.message}"


class BuildError(Exception):
    """One or more problems that stop the build. The only exception newshub lets escape."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


def fail(path: str, line: int, message: str) -> BuildError:
    return BuildError([Problem(path, line, message)])


class Problems:
    """Collects problems across a stage so that one pass reports all of them."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, path: str, line: int, message: str) -> None:
        self.items.append(Problem(path, line, message))

    def extend(self, error: BuildError) -> None:
        self.items.extend(error.problems)

    def raise_if_any(self) -> None:
        if self.items:
            raise BuildError(self.items)
