"""Translations owned by the theme: message catalogs in templates/i18n/, Babel's dates, numbers,
lists and language names, a 404 page per language, and `check --translations`.

tests/sites/french/ adds a third language with its site.yaml and one catalog only
(templates/i18n/fr.yaml, laid over the repository's theme): every page of it must speak French."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from newshub.build import Build
from newshub.pipeline import Options, build

from .conftest import MINIMAL_CONFIG, REPO, MakeSite, apply_batch, batch_of, preview_options, run_cli, save, theme_site, tree
from .preview_server import running

EN = yaml.safe_load((REPO / "templates/i18n/en.yaml").read_text(encoding="utf-8"))
FR = yaml.safe_load((REPO / "tests/sites/french/templates/i18n/fr.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def french(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The French test site, built once: its output folder."""
    root = theme_site("french", tmp_path_factory.mktemp("french"))
    build(Options(root=root, cache=False, jobs=1))
    return root / "site"


def page(out: Path, rel: str) -> str:
    return (out / rel).read_text(encoding="utf-8")


def errors(result: object) -> list[str]:
    stderr = result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in stderr, stderr
    return [line for line in stderr.splitlines() if line and not line.startswith(("warning: ", "Build failed", "Check failed"))]


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(root: Path, rel: str, text: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


# --- a third language from site.yaml and a catalog -------------------------------------------------


def test_french_pages_speak_french(french: Path) -> None:
    article = page(french, "fr/news/agreement/index.html")
    assert '<html lang="fr">' in article
    assert '<time datetime="2024-04-02" data-pagefind-meta="date">2 avril 2024</time>' in article  # Babel's long date
    assert "Par Marie Curie" in article and "1 min de lecture" in article
    assert '<nav class="toc" aria-label="Sur cette page"' in article
    # The anchors of headings and footnotes, parsed once for every language, titled in French.
    assert article.count('title="Lien vers cette section"') == 3
    assert 'title="Retour à la référence 1"' in article
    # The language switch names each language in itself (CLDR), the current one marked.
    assert '<span aria-current="true" lang="fr">français</span>' in article
    assert 'hreflang="en" lang="en">English</a>' in article and 'hreflang="zh" lang="zh">中文</a>' in article
    board = page(french, "fr/projects/index.html")
    assert "<dd>Hôpital de la ville, Université de technologie et Laboratoire de robotique</dd>" in board  # a French list


def test_no_french_page_falls_back_to_english_for_a_key_the_catalog_has(french: Path) -> None:
    english = {key: text for key, text in EN.items() if isinstance(text, str) and FR.get(key) != text and "{" not in text}
    english.pop("date_format")
    for file in sorted((french / "fr").rglob("*.html")):
        html = file.read_text(encoding="utf-8")
        for key, text in english.items():
            assert not re.search(rf'[>"]\s*{re.escape(text)}\s*[<"]', html), f"{file}: '{key}' in English: {text}"
        assert "newshub:" not in html  # no anchor-title stand-in left over


def test_the_same_article_in_english_and_chinese_keeps_its_dates_and_anchors(french: Path) -> None:
    english = page(french, "news/agreement/index.html")
    assert ">2 April 2024</time>" in english and english.count('title="Link to this section"') == 3
    assert ">2024年4月2日</time>" in page(french, "zh/news/agreement/index.html")
    assert "<dd>市医院、理工大学和机器人实验室</dd>" in page(french, "zh/projects/index.html")  # not '; '
    # In a feed the body is escaped text: the title is escaped with it.
    feed = page(french, "fr/feed.xml")
    assert "title=&#34;Lien vers cette section&#34;" in feed and "newshub:" not in feed


def test_each_language_has_its_404_page_and_the_hosts_are_told(french: Path) -> None:
    for lang, heading, home in (("fr", "Page introuvable", "/fr/"), ("zh", "页面不存在", "/zh/")):
        missing = page(french, f"{lang}/404.html")
        assert f'<html lang="{lang}">' in missing and f"<h1>{heading}</h1>" in missing
        assert f'<a class="brand" href="{home}">' in missing
    assert "<h1>Page not found</h1>" in page(french, "404.html")
    assert "404" not in page(french, "sitemap.xml")
    assert page(french, "_redirects").splitlines()[-2:] == ["/zh/* /zh/404.html 404", "/fr/* /fr/404.html 404"]
    nginx = page(french, "_redirects.conf")
    assert 'if ($uri ~ "^/fr/") { set $newshub_404 /fr/404.html; }' in nginx


def test_the_preview_answers_a_missing_address_in_its_language(tmp_path: Path) -> None:
    with running(theme_site("french", tmp_path), "--no-cache") as server:
        for path, lang, heading in (
            ("/fr/nulle-part/", "fr", "Page introuvable"),
            ("/zh/x/", "zh", "页面不存在"),
            ("/nowhere/", "en", "Page not found"),
        ):
            status, _, body = server.get(path)
            assert status == 404 and f'<html lang="{lang}">'.encode() in body and f"<h1>{heading}</h1>".encode() in body, path


def test_the_preview_follows_a_catalog_and_a_language_as_they_are_added(make_site: MakeSite) -> None:
    root = make_site({})
    project = Build(preview_options(root))
    project.load()
    zh = "templates/i18n/zh.yaml"
    save(root / zh, (root / zh).read_text(encoding="utf-8").replace("news: 新闻", "news: 资讯"))
    assert apply_batch(project, batch_of([zh]))
    assert '<li><a href="/zh/news/">资讯</a></li>' in (project.page("zh/index.html") or b"").decode()
    save(root / "content/site.yaml", MINIMAL_CONFIG.replace("languages: [en, zh]", "languages: [en, zh, fr]"))
    apply_batch(project, batch_of(["content/site.yaml"]))
    assert [str(p) for p in project.errors] == [
        "content/site.yaml:5: language 'fr' has no interface strings: add templates/i18n/fr.yaml"
        " (copy templates/i18n/en.yaml and translate its texts), or remove it from languages"
    ]
    fr = REPO / "tests/sites/french/templates/i18n/fr.yaml"
    save(root / "templates/i18n/fr.yaml", fr.read_text(encoding="utf-8"))
    apply_batch(project, batch_of(["templates/i18n/fr.yaml"]))
    assert project.errors == []
    assert "<h1>Page introuvable</h1>" in (project.page("fr/404.html") or b"").decode()


def test_the_search_page_gives_its_script_every_plural_form(french: Path) -> None:
    search = page(french, "fr/search/index.html")
    assert 'data-found-one="{n} résultat pour « {q} »"' in search and 'data-found-other="{n} résultats pour « {q} »"' in search
    assert 'data-found-one="1 result for “{q}”" data-found-other="{n} results for “{q}”"' in page(french, "search/index.html")
    assert "data-found-other=" in page(french, "zh/search/index.html") and "data-found-one" not in page(french, "zh/search/index.html")


def test_two_builds_of_the_french_site_are_byte_identical(tmp_path: Path) -> None:
    root = theme_site("french", tmp_path)
    for out in ("a", "b"):
        build(Options(root=root, output=root / out, cache=False, jobs=1))
    assert tree(root / "a") == tree(root / "b")


# --- a theme's own strings, plural forms and numbers ----------------------------------------------


def test_a_theme_adds_its_own_key_with_plural_forms(make_site: MakeSite) -> None:
    root = make_site({"content/news/2024-04-02-a.md": "---\ntitle: A\n---\n\nText.\n"})
    en = 'visits:\n  one: "{n} visit"\n  other: "{n} visits"\n'
    (root / "templates/i18n/en.yaml").open("a", encoding="utf-8").write(en)
    (root / "templates/i18n/zh.yaml").open("a", encoding="utf-8").write('visits: "{n} 次访问"\n')
    shown = "<p id=\"visits\">{{ t('visits', n=1) }}|{{ t('visits', n=2) }}|{{ t('visits', n=12345) }}</p>\n"
    edit(root, "templates/home.html", "{% block main %}\n", "{% block main %}\n" + shown)
    result = run_cli(root, "build")
    assert result.returncode == 0, result.stderr
    assert '<p id="visits">1 visit|2 visits|12,345 visits</p>' in page(root / "site", "index.html")
    assert '<p id="visits">1 次访问|2 次访问|12,345 次访问</p>' in page(root / "site", "zh/index.html")


# --- mistakes: file, line and what to type, never a traceback -----------------------------------


def test_a_language_without_a_catalog_names_site_yaml_and_the_file_to_add(make_site: MakeSite) -> None:
    config = "title: Hub\nbase_url: https://hub.example.org\nlanguages:\n  - en\n  - de\n"
    root = make_site({"content/site.yaml": config})
    result = run_cli(root, "build")
    assert result.returncode == 1
    assert errors(result) == [
        "content/site.yaml:5: language 'de' has no interface strings: add templates/i18n/de.yaml"
        " (copy templates/i18n/en.yaml and translate its texts), or remove it from languages"
    ]
    assert not (root / "site").exists()


def test_catalog_mistakes_are_placed_and_explained(make_site: MakeSite) -> None:
    root = make_site({})
    assert run_cli(root, "build").returncode == 0
    before = tree(root / "site")
    edit(root, "templates/i18n/en.yaml", "not_found: Page not found", "not_found: Page: not found")
    edit(root, "templates/i18n/zh.yaml", 'search_none: "没有找到与“{q}”相关的结果。"', 'search_none: "没有找到与“{query}”相关的结果。"')
    edit(root, "templates/i18n/zh.yaml", "home: 首页", "home:")
    result = run_cli(root, "build")
    assert result.returncode == 1
    found = errors(result)
    zh = "templates/i18n/zh.yaml"
    en_line = line_of(root, "templates/i18n/en.yaml", "not_found:")
    assert f"templates/i18n/en.yaml:{en_line}: the value of 'not_found' contains ':'" in found[0]
    assert found[0].endswith('put the value in quotes: not_found: "Page: not found"')
    assert f"{zh}:{line_of(root, zh, 'home:')}: 'home' is empty; write its text after 'home:', or delete the line" in found
    assert tree(root / "site") == before  # the last good site stays


def test_an_unknown_placeholder_names_the_ones_that_work(make_site: MakeSite) -> None:
    root = make_site({})
    zh = "templates/i18n/zh.yaml"
    edit(root, zh, 'search_none: "没有找到与“{q}”相关的结果。"', 'search_none: "没有找到与“{query}”相关的结果。"')
    edit(root, "templates/i18n/en.yaml", '  one: "1 result for “{q}”"', '  few: "a few results"\n  one: "1 result for “{q}”"')
    result = run_cli(root, "check")
    assert result.returncode == 1
    en_line = line_of(root, "templates/i18n/en.yaml", "few:")
    assert errors(result) == [
        f"templates/i18n/en.yaml:{en_line}: 'few' is not a plural form of 'en'; its forms are one, other (other is required)",
    ]
    edit(root, "templates/i18n/en.yaml", '  few: "a few results"\n', "")
    found = errors(run_cli(root, "check"))
    en_line = line_of(root, "templates/i18n/en.yaml", "search_none:")
    assert found == [
        f"{zh}:{line_of(root, zh, 'search_none:')}: 'search_none' has the placeholder {{query}}, which the text in"
        f" templates/i18n/en.yaml:{en_line} does not have; use {{q}} (a placeholder is filled in by the template)"
    ]


def test_a_key_a_template_asks_for_and_a_catalog_lacks(make_site: MakeSite) -> None:
    root = make_site({})
    edit(root, "templates/i18n/zh.yaml", "search_more: 更多结果\n", "")
    result = run_cli(root, "check")
    assert result.returncode == 1
    more_line = line_of(root, "templates/search.html", "search_more")
    assert errors(result) == [  # the English text as the example of what to type
        f"templates/i18n/zh.yaml: has no 'search_more', which templates/search.html:{more_line} asks for;"
        ' add the line   search_more: "More results"',
    ]
    edit(root, "templates/search.html", "{{ t('search_label') }}", "{{ t('search_lable') }}")
    search_line = line_of(root, "templates/search.html", "search_lable")
    assert (
        f"templates/i18n/en.yaml: has no 'search_lable', which templates/search.html:{search_line} asks for;"
        " add the line   search_lable: \"...\" (or did you mean 'search_label'?)"
    ) in errors(run_cli(root, "check"))


def test_a_placeholder_the_template_does_not_fill_in(make_site: MakeSite) -> None:
    root = make_site({"content/news/2024-04-02-a.md": "---\ntitle: A\nauthor: Ann\n---\n\nText.\n"})
    edit(root, "templates/i18n/en.yaml", 'by_author: "By {author}"', 'by_author: "By {writer}"')
    edit(root, "templates/i18n/zh.yaml", 'by_author: "作者 {author}"', 'by_author: "作者 {writer}"')
    result = run_cli(root, "check")
    line = line_of(root, "templates/i18n/en.yaml", "by_author:")
    template_line = line_of(root, "templates/article.html", "by_author")
    assert errors(result) == [
        f"templates/i18n/en.yaml:{line}: 'by_author' has the placeholder {{writer}}, which templates/article.html:{template_line}"
        " does not fill in; use {author}"
    ]


# --- check --translations --------------------------------------------------------------------------


def test_check_translations_lists_what_is_not_translated(make_site: MakeSite) -> None:
    project = "title:\n  en: Robot\n  zh: 机器人\nstatus: active\nsummary:\n  en: A robot.\n"
    root = make_site(
        {
            "content/news/2024-04-02-open-day.md": "---\ntitle: Open day\n---\n\nText.\n",
            "content/projects/robot.yaml": project,
        }
    )
    edit(root, "templates/i18n/zh.yaml", "status: 状态\n", "")  # a key no template of the theme uses
    result = run_cli(root, "check", "--translations")
    assert result.returncode == 0, result.stderr
    status_line = line_of(root, "templates/i18n/en.yaml", "status: Status")
    assert result.stderr.splitlines() == [
        f"warning: templates/i18n/zh.yaml: no 'status' (templates/i18n/en.yaml:{status_line} has \"Status\");"
        " add the line   status: <its text in zh>",
        "warning: content/news/2024-04-02-open-day.md: no translation in zh; add content/news/2024-04-02-open-day.zh.md",
        "warning: content/projects/robot.yaml:5: 'summary' has no zh text; write it as summary: {zh: ...} or add 'zh:' under it",
    ]
    assert "no errors, 3 warnings" in result.stdout
    assert run_cli(root, "list", "untranslated").stdout.splitlines() == [
        "content/news/2024-04-02-open-day.md\t2024-04-02T00:00:00+08:00\tOpen day\tzh",
        "content/projects/robot.yaml\t\tRobot\tzh",
    ]
    assert run_cli(root, "check").stderr == ""  # only when asked
    strict = run_cli(root, "check", "--translations", "--strict")
    assert strict.returncode == 1 and "(an error with --strict)" in strict.stderr
