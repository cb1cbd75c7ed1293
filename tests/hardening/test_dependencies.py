"""12. Dependency floors that carry security fixes stay in pyproject.toml."""

from __future__ import annotations

import re
import tomllib

from packaging.version import Version

from tests.conftest import REPO

FLOORS = {"jinja2": "3.1.6", "markdown": "3.8.1", "pyyaml": "6.0", "nh3": "0.2.17"}


def test_security_floors() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    found: dict[str, str] = {}
    for requirement in project["dependencies"]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*>=\s*([0-9.]+)", requirement)
        assert match, f"write '{requirement}' as name>=version"
        found[match.group(1).lower()] = match.group(2)
    for name, floor in FLOORS.items():
        assert name in found, name
        assert Version(found[name]) >= Version(floor), (name, found[name])
