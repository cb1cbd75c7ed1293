"""ical: projects' milestones as iCalendar (RFC 5545) files that partners subscribe to.

Each milestone is an all-day event on its date in the site's time zone (DTSTART;VALUE=DATE, and
DTEND the next day, exclusive: RFC 5545, 3.6.1). Its UID is made of the milestone's id, the
project id, the language and the site's host, so that a calendar subscribed to the file updates
the event when a title, note or state changes instead of adding a second one. The file changes
only when its content does: DTSTAMP is the project's latest dated change, not the build time.
Written with the `icalendar` library: folding, escaping and CRLFs are not ours to get wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

from icalendar import Calendar, Event
from icalendar.prop import vText

from .model import Milestone, Project, Site


def uid(project: Project, milestone: Milestone, lang: str, host: str) -> str:
    """'<project id>/<milestone id>/<lang>@<host>': unique worldwide (RFC 5545, 3.8.4.7), since ids
    hold no '/', and the same in every build while the milestone keeps its id (which a new title
    or date does not change)."""
    return f"{project.id}/{milestone.id}/{lang}@{host}"


def calendar(
    site: Site,
    projects: Iterable[Project],
    lang: str,
    name: str,
    text: Callable[[Project, Milestone], tuple[str, str]],
    dropped: Callable[[Project, Milestone], bool],
    link: Callable[[Project, Milestone], str],
    stamp: Callable[[Project], date],
) -> bytes:
    """The .ics bytes of the milestones of `projects`, in language `lang`.

    `name`: the calendar's name (X-WR-CALNAME); `text(project, milestone)`: its (SUMMARY,
    DESCRIPTION); `dropped(...)`: not to be reached any more (STATUS:CANCELLED, so that subscribed
    calendars strike it out); `link(...)`: the absolute URL of the milestone on its project page; `stamp(project)`:
    the date of the project's latest change, its events' DTSTAMP (midnight in the site's zone)."""
    config = site.config
    host = urlsplit(config.base_url).hostname or "localhost"
    cal = Calendar()
    cal.add("prodid", "-//newshub//project milestones//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", vText(name))  # TEXT, escaped: the library knows no type for an X- property
    cal.add("x-wr-timezone", config.timezone)
    cal.add("refresh-interval", timedelta(days=1), parameters={"VALUE": "DURATION"})  # RFC 7986, 5.7
    cal.add("x-published-ttl", "P1D")  # the same, for clients that predate RFC 7986
    for project in projects:
        changed = datetime.combine(stamp(project), time(0), config.tz).astimezone(UTC)
        for milestone in project.milestones:
            summary, description = text(project, milestone)
            event = Event()
            event.add("uid", uid(project, milestone, lang, host))
            event.add("dtstamp", changed)
            event.add("dtstart", milestone.date)
            if milestone.date < date.max:
                event.add("dtend", milestone.date + timedelta(days=1))
            else:  # 9999-12-31 has no next day: the same all-day event as a duration (RFC 5545, 3.6.1)
                event.add("duration", timedelta(days=1))
            event.add("summary", summary)
            if description:
                event.add("description", description)
            event.add("url", link(project, milestone))
            event.add("transp", "TRANSPARENT")  # a milestone is a date to know, not time taken
            if dropped(project, milestone):
                event.add("status", "CANCELLED")
            cal.add_component(event)
    data: bytes = cal.to_ical()
    return data
