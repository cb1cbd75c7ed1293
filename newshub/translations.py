"""`newshub check --translations`: what is not translated yet, as warnings an editor can act on.

- the interface: each key of the default language's catalog that another language's catalog
  lacks (catalog.missing_keys);
- the content: each article or page without a version in a language, and each text field of a
  project or partner not written in every language (the items `newshub list untranslated` lists).

They are warnings: a page in a language the text is missing in still shows it in another language
(i18n.localize), and a build does not stop. `--strict` makes them errors, for a CI job that
requires a complete translation.
"""

from __future__ import annotations

from .build import Build
from .catalog import missing_keys
from .errors import Problem
from .listing import listing, untranslated_fields
from .model import Article, Page, Partner, Project
from .yamlerrors import quoted


def translation_warnings(project: Build) -> list[Problem]:
    """Every missing translation of a loaded Build (interface strings first, then content), each
    as a warning placed at the file to edit, with what to add."""
    config = project.config
    assert config is not None
    found: list[Problem] = []
    default = project.catalogs.get(config.default_language)
    for lang, path, keys in missing_keys(project.catalogs, config):
        assert default is not None
        for key in keys:
            known = default.messages[key]
            example = quoted(known.forms["other"])
            found.append(
                Problem(path, 0, f"no '{key}' ({default.path}:{known.line} has {example}); add the line   {key}: <its text in {lang}>")
            )
    items = {item.source: item for item in project.items()}
    for source, _when, _title, lacking in listing(project, "untranslated"):
        item = items[source]
        if isinstance(item, Article | Page):
            for lang in lacking.split():
                found.append(Problem(source, 0, f"no translation in {lang}; add {_translation_file(item, lang)}"))
        elif isinstance(item, Project | Partner):
            for name, langs in untranslated_fields(item, config).items():
                line = next((item.lines[at] for at in (name, name.rsplit(".", 1)[0], name.split(".")[0]) if at in item.lines), 0)
                field = name.rsplit(".", 1)[-1]
                for lang in langs:
                    found.append(
                        Problem(
                            source, line, f"'{name}' has no {lang} text; write it as {field}: {{{lang}: ...}} or add '{lang}:' under it"
                        )
                    )
    return found


def _translation_file(item: Article | Page, lang: str) -> str:
    """The file a translation of `item` goes in: same folder and name, language suffix `.<lang>.md`."""
    folder, _, name = item.source.rpartition("/")
    stem = name.removesuffix(".md").removesuffix(f".{item.lang}")
    return f"{folder}/{stem}.{lang}.md"
