"""The theme's message catalogs: `templates/i18n/<lang>.yaml`, one per language, as Hugo's i18n/.

A catalog maps a key to its text, or to its plural forms by CLDR category for the language:

    reading_time: "{n} min read"
    search_found:
      one: "1 result for “{q}”"
      other: "{n} results for “{q}”"

`{name}` is a placeholder the template fills in (`t('search_found', n=3, q=...)`). Catalogs are
read strictly, as content is: a YAML mistake, an empty text, a plural category the language does
not have, a placeholder the default language's text does not have, or a language of site.yaml
without a catalog is a problem naming the file, the line and what to type instead.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import babel
from babel.dates import format_date

from .config import CONFIG_FILE, SiteConfig
from .errors import BuildError, Problem
from .source import control_problem, read_text
from .yamlerrors import quoted
from .yamlnodes import MappingNode, ScalarNode, SequenceNode, compose, is_null, mapping_items

FOLDER = "i18n"  # inside the theme's folder (templates/)
DATE_FORMAT = "date_format"  # the key of the catalog's date pattern: short, medium, long, full or a CLDR pattern
DATE_STYLES = ("short", "medium", "long", "full")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
CATEGORIES = ("zero", "one", "two", "few", "many", "other")  # CLDR's plural categories, in its order


@dataclass(frozen=True)
class Message:
    """One key of a catalog: its text by plural category ({'other': text} for a plain text)."""

    forms: dict[str, str]
    line: int
    plural: bool  # written as a mapping of plural forms

    @property
    def placeholders(self) -> frozenset[str]:
        return frozenset(name for text in self.forms.values() for name in PLACEHOLDER.findall(text))


@dataclass(frozen=True)
class Catalog:
    lang: str
    path: str  # relative to the project root: templates/i18n/fr.yaml
    messages: dict[str, Message]


def catalog_path(lang: str, rel_dir: str = "templates") -> str:
    return f"{rel_dir}/{FOLDER}/{lang}.yaml"


def locale_of(lang: str) -> babel.Locale | None:
    """Babel's locale for a language code of site.yaml; None when Babel has no data for it."""
    try:
        return babel.Locale.parse(lang)
    except (ValueError, babel.UnknownLocaleError):
        return None


def plural_categories(locale: babel.Locale) -> tuple[str, ...]:
    """The CLDR plural categories of a language, in CLDR's order: ('one', 'other') for English."""
    tags = locale.plural_form.tags | {"other"}
    return tuple(c for c in CATEGORIES if c in tags)


def load_catalogs(templates: Path, rel_dir: str = "templates") -> tuple[dict[str, Catalog], list[Problem]]:
    """Every `<lang>.yaml` of `templates/i18n/`, by language, and the problems of those that cannot
    be read (each as `path:line: message`); a catalog with problems is left out."""
    catalogs: dict[str, Catalog] = {}
    problems: list[Problem] = []
    folder = templates / FOLDER
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    for path in files:
        lang, rel = path.stem, f"{rel_dir}/{FOLDER}/{path.name}"
        try:
            catalogs[lang] = read_catalog(lang, read_text(path, rel), rel)
        except BuildError as exc:
            problems.extend(exc.problems)
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        problems.append(Problem(f"{rel_dir}/{FOLDER}/{path.name}", 0, f"catalogs end in .yaml; rename it to {path.stem}.yaml"))
    return catalogs, problems


def read_catalog(lang: str, text: str, rel: str) -> Catalog:
    """One catalog's text as a Catalog. Raises BuildError with every problem of the file."""
    node = compose(text, rel)
    locale = locale_of(lang)
    categories = plural_categories(locale) if locale is not None else CATEGORIES
    messages: dict[str, Message] = {}
    problems: list[Problem] = []
    if node is None:
        return Catalog(lang, rel, {})
    for key, value, line in mapping_items(node, rel, 0):
        try:
            messages[key] = _message(key, value, line, categories, lang, rel)
        except _Invalid as exc:
            problems.append(Problem(rel, exc.line or line, str(exc)))
    date_format = messages.get(DATE_FORMAT)
    if date_format is not None and locale is not None and (why := date_problem(date_format.forms["other"], locale)):
        problems.append(Problem(rel, date_format.line, why))
    if problems:
        raise BuildError(problems)
    return Catalog(lang, rel, messages)


class _Invalid(ValueError):
    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


def _message(key: str, node: object, line: int, categories: tuple[str, ...], lang: str, rel: str) -> Message:
    if isinstance(node, MappingNode):
        forms: dict[str, str] = {}
        for category, value, at in mapping_items(node, rel, 0):
            if category not in categories:
                known = ", ".join(categories)
                raise _Invalid(f"'{category}' is not a plural form of '{lang}'; its forms are {known} (other is required)", at)
            forms[category] = _text(key, value, at, f"{category}:")
        if "other" not in forms:
            raise _Invalid(f"'{key}' has plural forms but no 'other:'; add the line   other: {quoted(next(iter(forms.values())))}")
        return Message(forms, line, plural=True)
    return Message({"other": _text(key, node, line, f"{key}:")}, line, plural=False)


def _text(key: str, node: object, line: int, head: str) -> str:
    if isinstance(node, SequenceNode):
        raise _Invalid(f"'{key}' is a list; write its text, for example {head} \"...\"", line)
    if not isinstance(node, ScalarNode) or is_null(node) or not str(node.value).strip():
        raise _Invalid(f"'{key}' is empty; write its text after '{head}', or delete the line", line)
    value = str(node.value)
    found = control_problem(value)
    if found is not None:
        raise _Invalid(f"'{key}' {found[1]}", line)
    return value


def date_problem(pattern: str, locale: babel.Locale) -> str:
    """What is wrong with a date_format value, or ''."""
    if pattern in DATE_STYLES:
        return ""
    try:
        format_date(date(2024, 4, 2), pattern, locale=locale)
    except (ValueError, KeyError, IndexError) as exc:
        return f"date_format '{pattern}' is not a date pattern ({exc}); write long, medium, short, or a CLDR pattern such as \"d MMMM y\""
    if not re.search(r"[dDEeMLyY]", pattern.replace("''", "")):
        return f"date_format '{pattern}' shows no day, month or year; write long, or a CLDR pattern such as \"d MMMM y\""
    return ""


def check_catalogs(
    catalogs: dict[str, Catalog], config: SiteConfig, unreadable: Collection[str] = (), rel_dir: str = "templates"
) -> list[Problem]:
    """Problems between the catalogs and site.yaml: a language without a catalog or without Babel
    data (placed at its line of site.yaml), and a placeholder that the default language's text of
    the same key does not have (placed at its catalog line). `unreadable`: the languages whose
    catalog is there but has problems of its own (load_catalogs), which are not said to be missing."""
    problems: list[Problem] = []
    default = catalogs.get(config.default_language)
    for i, lang in enumerate(config.languages):
        line = config.language_lines[i] if i < len(config.language_lines) else 0
        if locale_of(lang) is None:
            problems.append(Problem(CONFIG_FILE, line, f"'{lang}' is not a language Babel knows; write an ISO 639 code such as fr or de"))
        elif lang not in catalogs and lang not in unreadable:
            model = catalog_path(config.default_language if default is not None and lang != config.default_language else "en", rel_dir)
            problems.append(
                Problem(
                    CONFIG_FILE,
                    line,
                    f"language '{lang}' has no interface strings: add {catalog_path(lang, rel_dir)} (copy {model} and translate"
                    " its texts), or remove it from languages",
                )
            )
    if default is None:
        return problems
    for lang, catalog in sorted(catalogs.items()):
        if lang == config.default_language or lang not in config.languages:
            continue
        for key, message in catalog.messages.items():
            known = default.messages.get(key)
            if known is None:
                continue  # a key of this language only: nothing to compare with (check --translations lists it)
            unknown = sorted(message.placeholders - known.placeholders)
            if unknown:
                allowed = ", ".join(f"{{{n}}}" for n in sorted(known.placeholders)) or "none"
                where = f"{default.path}:{known.line}"
                problems.append(
                    Problem(
                        catalog.path,
                        message.line,
                        f"'{key}' has the placeholder {{{unknown[0]}}}, which the text in {where} does not have;"
                        f" use {allowed} (a placeholder is filled in by the template)",
                    )
                )
    return problems


def missing_keys(catalogs: dict[str, Catalog], config: SiteConfig) -> list[tuple[str, str, list[str]]]:
    """(language, catalog path, keys of the default language's catalog it lacks) for each other
    language of site.yaml with a catalog that lacks any: what `check --translations` lists."""
    default = catalogs.get(config.default_language)
    if default is None:
        return []
    found = []
    for lang in config.languages[1:]:
        catalog = catalogs.get(lang)
        if catalog is not None and (lacking := [key for key in default.messages if key not in catalog.messages]):
            found.append((lang, catalog.path, lacking))
    return found
