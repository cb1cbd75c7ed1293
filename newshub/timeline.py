"""timeline: a project over time. Its status history (which changes are allowed, in what order),
and its milestones judged against the build time: done, upcoming or overdue, progress and the
next one. The rules that need no clock run when a project file is parsed; the rest at assembly,
against the build time (schedule.build_time), as a scheduled article is judged.

Allowed status changes, the lifecycle of a joint project (documented in the README):

    planned   -> signed, active, cancelled
    signed    -> active, paused, cancelled
    active    -> paused, completed, cancelled
    paused    -> active, completed, cancelled
    completed, cancelled: final; a new phase of the work is a new project file, and the
    milestones not done by then are DROPPED (not reached), neither upcoming nor overdue
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from .errors import Problem, Problems
from .model import Milestone, Project, Site, StatusChange

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "planned": ("signed", "active", "cancelled"),
    "signed": ("active", "paused", "cancelled"),
    "active": ("paused", "completed", "cancelled"),
    "paused": ("active", "completed", "cancelled"),
    "completed": (),
    "cancelled": (),
}
DONE, UPCOMING, OVERDUE, DROPPED = "done", "upcoming", "overdue", "dropped"
FINAL = frozenset(status for status, after in TRANSITIONS.items() if not after)


def history_problems(rel: str, history: Iterable[StatusChange], status: str, status_line: int, problems: Problems) -> None:
    """What is wrong with a `status_history` as written (oldest first), whatever the date: a date
    that goes backwards, a change the lifecycle does not allow, and a `status:` that disagrees
    with the latest entry. Each problem at the line of the entry it is about."""
    before: StatusChange | None = None
    entered: dict[str, int] = {}  # StatusChange.id -> line: a status entered twice on one day would share an id
    for change in history:
        if change.id in entered:
            problems.add(
                rel,
                change.line,
                f"status_history: '{change.status}' is entered on {change.date} already (line {entered[change.id]});"
                " keep one entry per status and day",
            )
        entered.setdefault(change.id, change.line)
        if before is not None:
            if change.date < before.date:
                problems.add(
                    rel,
                    change.line,
                    f"status_history: this entry ({change.date}) is dated before the one above it"
                    f" ({before.date}, line {before.line}); list the changes oldest first",
                )
            elif change.status == before.status:
                problems.add(
                    rel, change.line, f"status_history: '{change.status}' repeats the entry at line {before.line}; remove one of them"
                )
            elif change.status not in TRANSITIONS[before.status]:
                allowed = TRANSITIONS[before.status]
                then = f"it can only become {', '.join(allowed)}" if allowed else "it is final; a new phase is a new project file"
                problems.add(
                    rel,
                    change.line,
                    f"status_history: a project cannot go from '{before.status}' (line {before.line}) to '{change.status}':"
                    f" after '{before.status}' {then}",
                )
        before = change
    if before is not None and status and status != before.status:
        problems.add(
            rel,
            status_line,
            f"status: '{status}' disagrees with the latest status_history entry ('{before.status}', line {before.line});"
            " delete 'status:' (the history gives it) or add the change to the history",
        )


def today(site: Site) -> date:
    """The build time's date in the site's time zone: what milestones are judged against."""
    return site.build_time.astimezone(site.config.tz).date()


def state(milestone: Milestone, day: date, status: str = "") -> str:
    """DONE; DROPPED when the project's `status` is final (completed, cancelled) and it was not
    reached; else OVERDUE (its date has passed and it is not done) or UPCOMING (due `day` or later)."""
    if milestone.done:
        return DONE
    if status in FINAL:
        return DROPPED
    return OVERDUE if milestone.date < day else UPCOMING


@dataclass(frozen=True)
class Standing:
    """Where a project stands at the build time: its status and the date that took effect (None
    without a status_history), milestones done of the total, the next one due, the overdue ones."""

    status: str
    since: date | None
    done: int
    total: int
    next: Milestone | None
    overdue: tuple[Milestone, ...]


def standing(project: Project, day: date) -> Standing:
    states = [(m, state(m, day, project.status)) for m in project.milestones]
    upcoming = [m for m, found in states if found == UPCOMING]
    return Standing(
        status=project.status,
        since=project.status_history[-1].date if project.status_history else None,
        done=sum(found == DONE for _, found in states),
        total=len(states),
        next=upcoming[0] if upcoming else None,
        overdue=tuple(m for m, found in states if found == OVERDUE),
    )


@dataclass(frozen=True)
class Event:
    """One entry of a project's timeline: a status change, or a milestone and its state."""

    date: date
    kind: str  # 'status' or 'milestone'
    change: StatusChange | None = None
    milestone: Milestone | None = None
    state: str = ""  # a milestone's DONE, UPCOMING or OVERDUE


def events(project: Project, day: date) -> list[Event]:
    """The status history and the milestones, merged by date; on one date a status change first."""
    found = [Event(c.date, "status", change=c) for c in project.status_history]
    found += [Event(m.date, "milestone", milestone=m, state=state(m, day, project.status)) for m in project.milestones]
    return sorted(found, key=lambda e: (e.date, e.kind != "status"))  # stable: the file's order within a date


def reached(project: Project, day: date) -> list[Milestone]:
    """The milestones done by `day`: one marked done ahead of its date is not news yet."""
    return [m for m in project.milestones if m.done and m.date <= day]


def changed_on(project: Project, day: date) -> list[date]:
    """The dates of the project's changes up to `day`: milestones reached and status changes."""
    return [m.date for m in reached(project, day)] + [c.date for c in project.status_history]


@dataclass(frozen=True)
class Update:
    """A dated change to one project, for the home page: a status change or a milestone done."""

    date: date
    project: Project
    change: StatusChange | None = None
    milestone: Milestone | None = None


def updates(projects: Iterable[Project], day: date, limit: int) -> list[Update]:
    """The `limit` latest status changes and milestones done up to `day`, newest first."""
    found = [Update(c.date, p, change=c) for p in projects for c in p.status_history]
    found += [Update(m.date, p, milestone=m) for p in projects for m in reached(p, day)]
    found.sort(key=lambda u: (-u.date.toordinal(), u.project.id, u.change is None))
    return found[:limit]


def dated_problems(projects: Iterable[Project], day: date) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) that depend on the build date `day`: a status change dated after it (an
    error: history records what happened), and a milestone marked done with a date after it (a
    warning: usually a wrong date or a premature `done: true`)."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for project in projects:
        for change in project.status_history:
            if change.date > day:
                errors.append(
                    Problem(
                        project.source,
                        change.line,
                        f"status_history: this change is dated {change.date}, after the build date ({day});"
                        " record a change once it has happened, and plan what is to come as a milestone",
                    )
                )
        for milestone in project.milestones:
            if milestone.done and milestone.date > day:
                warnings.append(
                    Problem(
                        project.source,
                        milestone.line,
                        f"milestones: this milestone is 'done: true' but dated {milestone.date}, after the build date ({day});"
                        " correct its date, or write 'done: false' until it happens",
                    )
                )
    return errors, warnings


def key(projects: Iterable[Project], day: date) -> str:
    """What of the projects' pages depends on the build date: each milestone's state. Equal keys
    give equal pages (the no-op build compares them, as schedule.Publishing.key)."""
    return repr(sorted((p.id, m.id, state(m, day, p.status)) for p in projects for m in p.milestones if not m.done))


def changes(projects: Iterable[Project], tz: tzinfo) -> list[datetime]:
    """The instants at which the projects' pages change with no edit: the start of each milestone's
    day (a milestone done ahead of its date becomes news) and of the day after it (an undone one
    becomes overdue), in the site's time zone."""
    days = {d for p in projects for m in p.milestones if m.date < date.max for d in (m.date, m.date + timedelta(days=1))}
    return [datetime.combine(day, time(0), tz) for day in sorted(days)]
