"""schedule: which articles and pages a build publishes at its build time.

An item is a draft (`draft: true`), scheduled (its `publish_date`, else its `date`, is after the
build time), expired (its `expires` is at or before the build time) or published. These are Hugo's
draft, publishDate/future and expiryDate rules; Jekyll calls the second "future" too. The build
time is SOURCE_DATE_EPOCH when it is set (reproducible builds), else the clock: a scheduled item
goes out at the first build after its time.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from .config import check_source_date_epoch
from .model import Article, Page

DRAFT, SCHEDULED, EXPIRED, PUBLISHED = "draft", "scheduled", "expired", "published"


def build_time() -> datetime:
    """The time a build publishes at (aware, UTC): SOURCE_DATE_EPOCH when set, else now.
    BuildError when SOURCE_DATE_EPOCH is not a whole number of seconds before the year 10000."""
    check_source_date_epoch()
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)


def publish_time(item: Article | Page) -> datetime | None:
    """When an item goes out: its `publish_date`, else an article's `date`; None for a page without one."""
    if item.publish_date is not None:
        return item.publish_date
    return item.date if isinstance(item, Article) else None


def state(item: Article | Page, now: datetime) -> str:
    """DRAFT, SCHEDULED, EXPIRED or PUBLISHED at build time `now`, in that order of precedence."""
    if item.draft:
        return DRAFT
    at = publish_time(item)
    if at is not None and at > now:
        return SCHEDULED
    if item.expires is not None and item.expires <= now:
        return EXPIRED
    return PUBLISHED


@dataclass(frozen=True)
class Publishing:
    """What a build publishes: at build time `now`, with drafts (`--drafts`) and scheduled items
    (`--future`) or without. Expired items are never listed; their URL keeps a withdrawal page."""

    now: datetime
    drafts: bool = False
    future: bool = False

    def listed(self, item: Article | Page) -> bool:
        found = state(item, self.now)
        return found == PUBLISHED or (found == DRAFT and self.drafts) or (found == SCHEDULED and self.future)

    def withdrawn(self, item: Article | Page) -> bool:
        return state(item, self.now) == EXPIRED

    def key(self, items: Iterable[Article | Page]) -> str:
        """What of the build depends on the time: each item that is not plainly published, and its
        state. Equal keys and equal content give equal sites (the no-op build compares them)."""
        return repr(sorted((item.source, found) for item in items if (found := state(item, self.now)) != PUBLISHED))


def next_scheduled(items: Iterable[Article | Page], now: datetime) -> tuple[datetime, Article | Page] | None:
    """The first scheduled item that is not a draft, and its time: when the site should be built again."""
    found = [(at, item) for item in items if state(item, now) == SCHEDULED and (at := publish_time(item)) is not None]
    return min(found, key=lambda pair: (pair[0], pair[1].source)) if found else None


def changes(items: Iterable[Article | Page]) -> list[datetime]:
    """The instants at which the state of an item changes with no edit: when it goes out, when it expires."""
    return [t for item in items for t in (publish_time(item), item.expires) if t is not None]
