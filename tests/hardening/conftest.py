"""Fixtures of the hardening suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own content/, built once into a temporary folder (never into site/)."""
    out = tmp_path_factory.mktemp("sample") / "site"
    result = run_cli(REPO, "build", "--no-cache", "--output", str(out))
    assert result.returncode == 0, result.stderr
    return out
