"""One language's interface: the theme's catalog (catalog.py) for its text, Babel (CLDR) for its
plural rules, dates, numbers, lists and the names of languages. What templates call `t()`, `day()`,
`number()`, `join()` and `language_names` is made here, once per language of a build."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

import babel
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal

from .catalog import DATE_FORMAT, PLACEHOLDER, Catalog, Message, catalog_path
from .model import Localized
from .suggest import closest
from .yamlerrors import quoted


class MessageError(Exception):
    """A text a template asked for that its catalog cannot give: no such key, or a placeholder the
    template does not fill in. `path` and `line` place it in the catalog; render adds the template line."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.line = line


class Language:
    """The interface of one language of the site. `default` is the default language's catalog,
    whose text is offered as the example of a missing key."""

    def __init__(self, lang: str, catalog: Catalog, default: Catalog | None = None, rel_dir: str = "templates") -> None:
        self.lang = lang
        self.catalog = catalog
        self.default = default or catalog
        self.rel_dir = rel_dir
        self.locale = babel.Locale.parse(lang)
        pattern = catalog.messages.get(DATE_FORMAT)
        self.date_format = pattern.forms["other"] if pattern is not None else "long"

    def message(self, key: str) -> Message:
        found = self.catalog.messages.get(key)
        if found is None:
            example = self.default.messages.get(key)
            text = quoted(example.forms["other"]) if example is not None and self.default is not self.catalog else '"..."'
            # A key no catalog has is likely misspelt in the template; one the default has is untranslated.
            close = closest(key, self.catalog.messages) if example is None else None
            hint = f" (or did you mean '{close}'?)" if close else ""
            path = self.catalog.path or catalog_path(self.lang, self.rel_dir)
            raise MessageError(path, 0, f"has no '{key}', which {{where}} asks for; add the line   {key}: {text}{hint}")
        return found

    def text(self, key: str, n: int | None = None, **values: object) -> str:
        """The text of `key`: its plural form for `n` when it has plural forms, placeholders filled
        in from `n` (as a number of the language) and `values`. Without `n` or values, the text as
        written ({q} kept, for the search page's script). Raises MessageError."""
        message = self.message(key)
        form = message.forms.get(self.locale.plural_form(n), message.forms["other"]) if n is not None else message.forms["other"]
        if n is None and not values:
            return form
        given = {**{name: str(value) for name, value in values.items()}, **({"n": self.number(n)} if n is not None else {})}

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in given:
                known = ", ".join(f"{{{n}}}" for n in sorted(given)) or "none of them (remove it)"
                raise MessageError(
                    self.catalog.path,
                    message.line,
                    f"'{key}' has the placeholder {{{name}}}, which {{where}} does not fill in; use {known}",
                )
            return given[name]

        return PLACEHOLDER.sub(fill, form)

    def forms(self, key: str) -> dict[str, str]:
        """Every plural form of `key` by CLDR category ({'other': text} for a plain text), as written:
        for a script that counts in the browser (Intl.PluralRules picks the category)."""
        return dict(self.message(key).forms)

    def date(self, value: date | datetime) -> str:
        """A day as the catalog's `date_format` (default: CLDR's long format) writes it: '2 April 2024', '2024年4月2日'."""
        day = value.date() if isinstance(value, datetime) else value
        return str(format_date(day, self.date_format, locale=self.locale))

    def number(self, value: int | float) -> str:
        """A number as the language writes it: 12,345 in English, 12 345 in French."""
        return str(format_decimal(value, locale=self.locale))

    def join(self, items: Iterable[str]) -> str:
        """Items as a list of the language: 'A, B and C' in English, 'A、B和C' in Chinese."""
        return str(format_list(list(items), locale=self.locale))


class Translator:
    """`t` in templates: `t('key')`, `t('key', n=3, q=query)`, and `t.forms('key')`."""

    def __init__(self, language: Language) -> None:
        self.language = language

    def __call__(self, key: str, n: int | None = None, **values: object) -> str:
        return self.language.text(key, n, **values)

    def forms(self, key: str) -> dict[str, str]:
        return self.language.forms(key)


def language_names(languages: Sequence[str]) -> dict[str, str]:
    """Each language's name in itself, from CLDR: {'en': 'English', 'zh': '中文', 'fr': 'français'}."""
    return {lang: babel.Locale.parse(lang).get_display_name(lang) or lang for lang in languages}


def languages_of(catalogs: Mapping[str, Catalog], languages: Sequence[str], rel_dir: str = "templates") -> dict[str, Language]:
    """A Language for each language of site.yaml that has a catalog (catalog.check_catalogs reports the others)."""
    default = catalogs.get(languages[0])
    return {lang: Language(lang, catalogs[lang], default, rel_dir) for lang in languages if lang in catalogs}


def localize(value: Localized, lang: str, languages: Sequence[str]) -> str:
    """The text in `lang`, else in the first of `languages` (site.yaml's order, the default
    language first) that has it: a partner named only in Chinese keeps its name on English pages.
    Empty only when the field is empty in every language."""
    return value.get(lang) or next((value[other] for other in languages if value.get(other)), "")
