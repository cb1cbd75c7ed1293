"""render: template errors name the template file and line, never a traceback."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import jinja2
import pytest

from newshub.errors import BuildError
from newshub.pipeline import Options, build, check_only
from newshub.render import make_environment, missing_templates

from ..conftest import MakeSite
from .helpers import config

ARTICLE = {"content/news/2024-04-02-a.md": "---\ntitle: A <b>bold</b> & co\n---\n\nBody with **bold**.\n"}


def edit(root: Path, template: str, old: str, new: str) -> int:
    """Replace `old` in a template; returns the line of the edit."""
    path = root / "templates" / template
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def build_error(root: Path) -> BuildError:
    with pytest.raises(BuildError) as info:
        build(Options(root=root, cache=False, jobs=1))
    assert not (root / "site").exists()
    return info.value


def test_a_misspelt_variable_names_the_template_and_line(make_site: MakeSite) -> None:
    root = make_site(ARTICLE)
    line = edit(root, "article.html", "{{ article.title }} — ", "{{ artcle.title }} — ")
    (problem, *_) = build_error(root).problems
    assert (problem.path, problem.line) == ("templates/article.html", line)
    assert "'artcle' is undefined" in problem.message
    assert "/news/a/" in problem.message  # and the page being rendered


def test_an_undefined_attribute_in_the_base_template(make_site: MakeSite) -> None:
    root = make_site({})
    line = edit(root, "base.html", "{{ t('skip') }}", "{{ config.no_such_field }}")
    problem = build_error(root).problems[0]
    assert (problem.path, problem.line) == ("templates/base.html", line)


def test_an_error_inside_a_macro_names_the_macro_file(make_site: MakeSite) -> None:
    root = make_site(ARTICLE)
    line = edit(root, "_macros.html", "n=article.minutes)", "n=article.minutes + article.nothing)")
    problem = build_error(root).problems[0]
    assert (problem.path, problem.line) == ("templates/_macros.html", line)


def test_syntax_errors_are_found_by_check_without_rendering(make_site: MakeSite) -> None:
    root = make_site({})
    line = edit(root, "tags.html", "{% endif %}", "{% endiff %}")
    with pytest.raises(BuildError) as info:
        check_only(Options(root=root))
    (problem,) = info.value.problems
    assert (problem.path, problem.line) == ("templates/tags.html", line)
    assert problem.message.startswith("template error:")


def test_a_missing_template_is_reported_and_search_html_only_with_search() -> None:
    env = make_environment(Path("/nonexistent"))
    found = [str(p) for p in missing_templates(env, config())]
    assert "templates/home.html: template missing; every theme needs it" in found
    assert "templates/search.html: template missing; a site with search needs it (or set search: false in site.yaml)" in found
    without = [str(p) for p in missing_templates(env, replace(config(), search=False))]
    assert "templates/home.html: template missing; every theme needs it" in without
    assert not [p for p in without if "search.html" in p]


def test_autoescape_and_strict_undefined_are_on(tmp_path: Path) -> None:
    (tmp_path / "x.html").write_text("{{ value }}|{{ missing }}")
    env = make_environment(tmp_path)
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("x.html").render(value="<b>")
    (tmp_path / "y.html").write_text("{{ value }}")
    assert env.get_template("y.html").render(value="<b>&") == "&lt;b&gt;&amp;"


def test_text_from_content_is_escaped_and_markdown_is_not(make_site: MakeSite) -> None:
    root = make_site(ARTICLE)
    build(Options(root=root, cache=False, jobs=1))
    page = (root / "site/news/a/index.html").read_text(encoding="utf-8")
    assert "<h1>A &lt;b&gt;bold&lt;/b&gt; &amp; co</h1>" in page
    assert "<strong>bold</strong>" in page
