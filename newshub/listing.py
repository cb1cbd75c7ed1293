"""`newshub list drafts|scheduled|expired|untranslated`: what is waiting to go out, one line per
item, like `hugo list`: path, date, title, and for `untranslated` the languages it lacks."""

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
    """The languages a project's title or a partner's name is not written in (when it is written in any)."""
    title = item.title if isinstance(item, Project) else item.name
    return [lang for lang in config.languages if not title.get(lang)] if len(config.languages) > 1 else []
