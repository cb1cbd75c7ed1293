"""newshub as pip installs it: its modules byte-compiled before a benchmark starts it.

`pip install` writes the .pyc files of a package it installs (as it did for Jinja2, PyYAML and
the peers' Python packages), so a user's first `newshub` run does not compile 9,000 lines of
source. An editable checkout gets them on its first import, unless PYTHONDONTWRITEBYTECODE is set,
as it is on this machine: every start would then compile newshub afresh (0.1 to 0.2 s, measured
with `python -c "import newshub.serve"`), a cost no installed newshub has.
"""

from __future__ import annotations

import compileall
from pathlib import Path


def compile_newshub(checkout: Path) -> None:
    """Write the .pyc files of `checkout`/newshub (the repository root, or a baseline's worktree)."""
    compileall.compile_dir(checkout / "newshub", quiet=1)
