"""`newshub list drafts|scheduled|expired|untranslated`: what is waiting to go out, one line per
item, like `hugo list`: path, date, title, and for `untranslated` the languages it lacks (an article
or page without a translation; a project or partner with a text field not written in every language)."""

from __future__ import annotations

from collections.abc import Iterator

from .assemble import translation_group
from .build import Build
from .config import SiteConfig
from .model import Article, Page, Partner, Project
from .schedule import DRAFT, EXPIRED, SCHEDULED, build_time, publish_time, state

KINDS = ("drafts", "scheduled", "expired", "untranslated")
_STATES = {"drafts": DRAFT, "scheduled": SCHEDULED, "expired": EXPIRED}


def listing(project: Build, kind: str) -> Iterator[tuple[str, str, str, str]]:
    """(path, date, title, what it lacks) for each item of `kind` (one of KINDS), by path. The date is
    when a scheduled item goes out, when an expired one expired, else the item's date ('' if none)."""
    config = project.config
    assert config is not None
    now = project.now or build_time()
    items = project.items()
    documents = [item for item in items if isinstance(item, Article | Page)]
    if kind in _STATES:
        for item in documents:
            if state(item, now) == _STATES[kind]:
                when = item.expires if kind == "expired" else publish_time(item)
                yield item.source, when.isoformat() if when else "", item.title, ""
        return
    groups: dict[str, list[Article | Page]] = {}
    for item in documents:
        groups.setdefault(translation_group(item), []).append(item)
    for versions in groups.values():
        lacking = [lang for lang in config.languages if lang not in {v.lang for v in versions}]
        if lacking:
            first = min(versions, key=lambda v: config.languages.index(v.lang))
            when = publish_time(first)
            yield first.source, when.isoformat() if when else "", first.title, " ".join(lacking)
    for record in items:
        if isinstance(record, Project | Partner):
            lacking = _untranslated(record, config)
            if lacking:
                title = record.title if isinstance(record, Project) else record.name
                yield record.source, "", next(iter(title.values()), ""), " ".join(lacking)


def _untranslated(item: Project | Partner, config: SiteConfig) -> list[str]:
    """The languages any text field of a project or partner is not written in."""
    lacking = {lang for langs in untranslated_fields(item, config).values() for lang in langs}
    return [lang for lang in config.languages if lang in lacking]


def untranslated_fields(item: Project | Partner, config: SiteConfig) -> dict[str, list[str]]:
    """{field: the languages of site.yaml it is not written in} for each text field of a project
    or partner written in some language but not all: 'title', 'summary', 'milestones.2.title'..."""
    if len(config.languages) < 2:
        return {}
    if isinstance(item, Project):
        fields = {"title": item.title, "summary": item.summary, "area": item.area, "body": item.body, "image_alt": item.image_alt}
        fields.update({f"milestones.{i}.title": m.title for i, m in enumerate(item.milestones)})
    else:
        fields = {"name": item.name, "location": item.location, "summary": item.summary}
    found = {}
    for name, text in fields.items():
        lacking = [lang for lang in config.languages if not text.get(lang)]
        if text and lacking and len(lacking) < len(config.languages):
            found[name] = lacking
    return found
