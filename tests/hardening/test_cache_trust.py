"""A build cache from anywhere else (committed to a repository, unpacked from an archive) is never
unpickled: its digest is keyed with a secret of this user's, so a crafted pickle cannot run code."""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from newshub.cache import _MAGIC, CACHE_DIR
from tests.conftest import MakeSite, run_cli

from .helpers import GOOD, no_traceback


class _Evil:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def test_a_crafted_cache_runs_nothing(make_site: MakeSite, tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    payload = pickle.dumps({"env": "x", "entries": _Evil(marker)})
    root = make_site(GOOD)
    (root / CACHE_DIR).mkdir()
    for name in ("parse.pickle", "state.pickle"):  # with the plain SHA-256 an integrity check would want
        (root / CACHE_DIR / name).write_bytes(_MAGIC + payload + hashlib.sha256(payload).hexdigest().encode())
    result = run_cli(root, "build")
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "warning: .newshub-cache: corrupt or foreign cache discarded; rebuilding it" in result.stderr.splitlines()
    assert not marker.exists()
    again = run_cli(root, "build")  # the rebuilt cache is this user's own: trusted, no warning
    assert again.returncode == 0 and "warning" not in again.stderr
