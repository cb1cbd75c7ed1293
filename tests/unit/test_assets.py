"""assets: content-hashed names, and the asset() helper templates use to refer to them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from newshub.assets import hashed_name, load_assets
from newshub.errors import BuildError
from newshub.pipeline import Options, build

from ..conftest import MakeSite


def test_hashed_name_depends_on_the_bytes_only() -> None:
    digest = hashlib.sha256(b"body{}").hexdigest()[:10]
    assert hashed_name("css/site.css", b"body{}") == f"css/site.{digest}.css"
    assert hashed_name("css/site.css", b"body{}") != hashed_name("css/site.css", b"body{ }")
    assert hashed_name("LICENSE", b"x").startswith("LICENSE.")
    assert hashed_name("img/logo.min.svg", b"x").startswith("img/logo.min.") and hashed_name("img/logo.min.svg", b"x").endswith(".svg")


def test_load_assets_skips_editor_scratch_files(tmp_path: Path) -> None:
    (tmp_path / "assets/css").mkdir(parents=True)
    (tmp_path / "assets/css/site.css").write_text("a{}")
    (tmp_path / "assets/css/.site.css.swp").write_text("x")
    (tmp_path / "assets/css/site.css~").write_text("x")
    (tmp_path / "assets/img").mkdir()
    (tmp_path / "assets/img/logo.svg").write_bytes(b"<svg/>")
    assets = load_assets(tmp_path)
    assert sorted(assets) == ["css/site.css", "img/logo.svg"]
    assert assets["css/site.css"].url == "/assets/" + hashed_name("css/site.css", b"a{}")
    assert load_assets(tmp_path / "nowhere") == {}


def test_pages_link_the_hashed_file_that_is_written(make_site: MakeSite) -> None:
    root = make_site({"content/news/2024-01-01-a.md": "---\ntitle: A\n---\nText.\n"})
    build(Options(root=root, cache=False, jobs=1))
    css = {path.name.split(".")[0]: path for path in (root / "site/assets/css").iterdir()}  # site.css and hub.css
    assert sorted(css) == ["hub", "site"] and css["site"].name != "site.css"
    assert css["site"].read_bytes() == (root / "assets/css/site.css").read_bytes()
    assert f'<link rel="stylesheet" href="/assets/css/{css["site"].name}">' in (root / "site/index.html").read_text()

    (root / "assets/css/site.css").write_text("body { color: red; }\n")  # a change gives a new name
    build(Options(root=root, cache=False, jobs=1))
    (new,) = [path for path in (root / "site/assets/css").iterdir() if path.name.startswith("site.")]  # the old one is gone
    assert new.name != css["site"].name
    assert new.name in (root / "site/news/a/index.html").read_text()


def test_asset_urls_respect_the_base_path(make_site: MakeSite) -> None:
    root = make_site({})
    build(Options(root=root, base_url="https://example.org/hub", cache=False, jobs=1))
    assert 'href="/hub/assets/css/site.' in (root / "site/index.html").read_text()


def test_an_unknown_asset_is_a_template_error(make_site: MakeSite) -> None:
    root = make_site({})
    base = root / "templates/base.html"
    base.write_text(base.read_text().replace("asset('css/site.css')", "asset('css/missing.css')"))
    with pytest.raises(BuildError) as info:
        build(Options(root=root, cache=False, jobs=1))
    problem = info.value.problems[0]
    assert problem.path == "templates/base.html" and problem.line > 0
    assert "asset 'css/missing.css' is not in assets/" in problem.message
    assert not (root / "site").exists()
