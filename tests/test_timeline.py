"""Projects over time (issue 15): status history, milestones judged against the build time, the
board, the home page, the project feed, and milestone calendars. Every build runs at a fixed
SOURCE_DATE_EPOCH: 30 November 2026, noon UTC (20:00 in Asia/Shanghai)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import feedparser
import icalendar
import pytest

from newshub.errors import BuildError
from newshub.pipeline import Options, build

from .conftest import MakeSite, run_cli, tree
from .htmltools import page_text
from .preview_server import running

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
EPOCH = str(int(NOW.timestamp()))
ROBOT = "content/projects/robot.yaml"
HISTORY = """\
title:
  en: Guiding robot
  zh: 导引机器人
status_history:
  - date: 2024-04-02
    status: signed
    note: {en: Signed with the universities., zh: 与高校签约。}
  - date: 2025-03-01
    status: active
    note: Work began.
milestones:
  - date: 2024-04-02
    title: {en: Agreement signed, zh: 协议签署}
    done: true
    article: 2024-04-02-signing
  - date: 2025-06-30
    title: {en: Prototype built, zh: 样机完成}
  - date: 2026-12-31
    title: {en: Field trial, zh: 现场试验}
    note: {en: In two wards., zh: 在两个病区进行。}
  - date: 2027-05-01
    title: Report published
    done: true
"""
ARTICLE = "---\ntitle: Signing day\nprojects: [robot]\n---\n\nSigned.\n"
FILES = {ROBOT: HISTORY, "content/news/2024-04-02-signing.md": ARTICLE, "content/news/2024-04-02-signing.zh.md": ARTICLE}


@pytest.fixture(autouse=True)
def build_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def html(out: Path, rel: str) -> str:
    return (out / rel).read_text(encoding="utf-8")


def built(make_site: MakeSite, files: dict[str, str]) -> Path:
    root = make_site(files)
    build(Options(root=root, jobs=1))
    return root


def errors_of(make_site: MakeSite, project: str) -> list[str]:
    """'path:line: message' of each problem a build with `project` as robot.yaml stops with."""
    root = make_site({ROBOT: project})
    with pytest.raises(BuildError) as caught:
        build(Options(root=root, jobs=1))
    return [f"{p.path}:{p.line}: {p.message}" for p in caught.value.problems]


# --- milestones judged against the build time --------------------------------------------------------


def test_each_milestone_is_done_upcoming_or_overdue_at_the_build_time(make_site: MakeSite) -> None:
    root = built(make_site, FILES)
    page = html(root / "site", "projects/robot/index.html")
    assert '<li class="done" id="milestone--2024-04-02">' in page  # past and done
    assert '<li class="overdue" id="milestone--2025-06-30">' in page  # past and not done
    assert '<li class="upcoming" id="milestone--2026-12-31">' in page  # future and not done
    assert '<li class="done" id="milestone--2027-05-01">' in page  # future and done: a warning, below
    text = page_text(root / "site/projects/robot/index.html")
    assert "30 June 2025 Overdue Prototype built" in text
    assert "31 December 2026 Upcoming Field trial In two wards." in text
    assert "Milestones done 2 of 4" in text
    assert "Next milestone 31 December 2026 · Field trial" in text
    assert "Last update1 March 2025" in text  # not 2027: what is done ahead of its date is not news yet


def test_a_milestone_passes_its_date_and_the_next_build_calls_it_overdue(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    root = built(make_site, FILES)
    assert '<li class="upcoming" id="milestone--2026-12-31">' in html(root / "site", "projects/robot/index.html")
    # 1 January 2027, 00:30 in Shanghai (16:30 UTC the day before): nothing else changed, yet the
    # build is not a no-op, and the board shows the milestone as overdue.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2026, 12, 31, 16, 30, tzinfo=UTC).timestamp())))
    report = build(Options(root=root, jobs=1))
    assert report.written > 0
    assert '<li class="overdue" id="milestone--2026-12-31">' in html(root / "site", "projects/robot/index.html")
    board = page_text(root / "site/projects/index.html")
    assert "Overdue milestones 30 June 2025 · Prototype built 31 December 2026 · Field trial" in board


def test_the_board_shows_status_since_progress_next_and_overdue(make_site: MakeSite) -> None:
    root = built(make_site, FILES)
    board = page_text(root / "site/projects/index.html")
    assert "Active 1 Guiding robot since 1 March 2025" in board
    assert "Milestones done 2 of 4 Next milestone 31 December 2026 · Field trial Overdue milestones 30 June 2025 · Prototype built" in board
    zh = page_text(root / "site/zh/projects/index.html")
    assert "自2025年3月1日起" in zh and "已完成里程碑 2 / 4" in zh and "逾期里程碑 2025年6月30日 · 样机完成" in zh


def test_a_milestone_done_in_the_future_is_a_warning_at_its_line(make_site: MakeSite) -> None:
    root = make_site(FILES)
    result = run_cli(root, "build")
    assert result.returncode == 0, result.stderr
    assert (
        "warning: content/projects/robot.yaml:21: milestones: this milestone is 'done: true' but dated 2027-05-01,"
        " after the build date (2026-11-30); correct its date, or write 'done: false' until it happens"
    ) in result.stderr
    strict = run_cli(root, "check", "--strict")
    assert strict.returncode == 1 and "content/projects/robot.yaml:21:" in strict.stderr


def test_a_milestone_links_the_article_that_reports_it_in_the_reader_s_language(make_site: MakeSite) -> None:
    root = built(make_site, FILES)
    assert '<a class="note" href="/news/signing/">Read the report</a>' in html(root / "site", "projects/robot/index.html")
    assert '<a class="note" href="/zh/news/signing/">阅读相关报道</a>' in html(root / "site", "zh/projects/robot/index.html")
    # Only in English: the Chinese page links the English article and says so.
    alone = make_site({ROBOT: HISTORY, "content/news/2024-04-02-signing.md": ARTICLE}, name="alone")
    build(Options(root=alone, jobs=1))
    assert '<a class="note" href="/news/signing/" hreflang="en">' in html(alone / "site", "zh/projects/robot/index.html")


def test_a_milestone_naming_no_article_is_an_error_with_the_closest_name(make_site: MakeSite) -> None:
    root = make_site(
        {ROBOT: HISTORY.replace("article: 2024-04-02-signing", "article: signin"), **{k: v for k, v in FILES.items() if k != ROBOT}}
    )
    with pytest.raises(BuildError) as caught:
        build(Options(root=root, jobs=1))
    assert [f"{p.path}:{p.line}: {p.message}" for p in caught.value.problems] == [
        "content/projects/robot.yaml:12: milestone article 'signin': no file in content/news/ has that name"
        " (less its date and language); did you mean 'signing'?"
    ]


# --- status history -------------------------------------------------------------------------------------


def test_the_status_is_the_latest_entry_and_shows_when_it_took_effect(make_site: MakeSite) -> None:
    root = built(make_site, FILES)
    page = page_text(root / "site/projects/robot/index.html")
    assert "Guiding robot Active since 1 March 2025" in page
    timeline = html(root / "site", "projects/robot/index.html").split('id="project--timeline"', 1)[1]
    # merged by date, a status change before a milestone of the same date
    order = [timeline.index(anchor) for anchor in (
        'id="status--2024-04-02-signed"', 'id="milestone--2024-04-02"', 'id="status--2025-03-01-active"', 'id="milestone--2025-06-30"',
    )]  # fmt: skip
    assert order == sorted(order)


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        (
            "status_history:\n  - {date: 2025-03-01, status: signed}\n  - {date: 2024-04-02, status: active}\n",
            "content/projects/robot.yaml:4: status_history: this entry (2024-04-02) is dated before the one above it"
            " (2025-03-01, line 3); list the changes oldest first",
        ),
        (
            "status_history:\n  - {date: 2024-04-02, status: signed}\n  - {date: 2026-12-01, status: active}\n",
            "content/projects/robot.yaml:4: status_history: this change is dated 2026-12-01, after the build date (2026-11-30);"
            " record a change once it has happened, and plan what is to come as a milestone",
        ),
        (
            "status_history:\n  - {date: 2024-04-02, status: completed}\n  - {date: 2024-05-02, status: planned}\n",
            "content/projects/robot.yaml:4: status_history: a project cannot go from 'completed' (line 3) to 'planned':"
            " after 'completed' it is final; a new phase is a new project file",
        ),
        (
            "status_history:\n  - {date: 2024-04-02, status: active}\n  - {date: 2024-05-02, status: signed}\n",
            "content/projects/robot.yaml:4: status_history: a project cannot go from 'active' (line 3) to 'signed':"
            " after 'active' it can only become paused, completed, cancelled",
        ),
        (
            "status_history:\n  - {date: 2024-04-02, status: active}\n  - {date: 2024-05-02, status: active}\n",
            "content/projects/robot.yaml:4: status_history: 'active' repeats the entry at line 3; remove one of them",
        ),
        (
            "status: paused\nstatus_history:\n  - {date: 2024-04-02, status: signed}\n  - {date: 2024-05-02, status: active}\n",
            "content/projects/robot.yaml:2: status: 'paused' disagrees with the latest status_history entry ('active', line 5);"
            " delete 'status:' (the history gives it) or add the change to the history",
        ),
        (
            "status_history:\n  - {date: 2024-04-02, status: begun}\n",
            "content/projects/robot.yaml:3: status_history: status: 'begun' is not allowed; use one of:"
            " planned, signed, active, paused, completed, cancelled",
        ),
        (
            "area: Robots\n",
            "content/projects/robot.yaml:1: missing required field 'status' in project; add a line such as 'status: active',"
            " or a 'status_history:' list",
        ),
    ],
    ids=["backwards", "after-build-time", "completed-to-planned", "active-to-signed", "repeated", "disagrees", "unknown", "missing"],
)
def test_every_history_error_names_its_line(make_site: MakeSite, history: str, expected: str) -> None:
    assert errors_of(make_site, "title: Robot\n" + history) == [expected]


def test_a_failed_history_leaves_the_previous_site_as_it_was(make_site: MakeSite) -> None:
    root = built(make_site, FILES)
    before = tree(root / "site")
    (root / ROBOT).write_text(HISTORY.replace("date: 2025-03-01", "date: 2023-01-01"), encoding="utf-8")
    result = run_cli(root, "build")
    assert result.returncode == 1 and "content/projects/robot.yaml:8: status_history: this entry (2023-01-01)" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree(root / "site") == before


def test_a_project_with_only_status_builds_as_before(make_site: MakeSite) -> None:
    root = built(make_site, {ROBOT: "title: Robot\nstatus: active\n"})
    board = page_text(root / "site/projects/index.html")
    assert "Active 1 Robot" in board and "since" not in board and "Milestones done" not in board
    feed = feedparser.parse((root / "site/projects/robot/feed.xml").read_bytes())
    assert feed.bozo == 0 and feed.entries == []


# --- status changes as news: the home page and the project feed ----------------------------------------


def entries(root: Path, lang: str = "") -> dict[str, str]:
    feed = feedparser.parse((root / "site" / lang / "projects/robot/feed.xml").read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    return {entry.id: entry.title for entry in feed.entries}


def test_a_status_change_is_an_update_on_the_home_page_and_in_the_project_feed(make_site: MakeSite) -> None:
    root = built(make_site, FILES)
    base = "https://hub.example.org/projects/robot/"
    assert entries(root) == {
        "https://hub.example.org/news/signing/": "Signing day",
        f"{base}#status--2024-04-02-signed": "Status: Signed",
        f"{base}#status--2025-03-01-active": "Status: Active",
        f"{base}#milestone--2024-04-02": "Milestone: Agreement signed",
    }  # not the milestone marked done ahead of its date (2027): not news yet
    assert entries(root, "zh")["https://hub.example.org/zh/projects/robot/#status--2025-03-01-active"] == "状态：进行中"
    home = page_text(root / "site/index.html")
    assert "Project updates 1 March 2025 Guiding robot Status: Active 2 April 2024 Guiding robot Status: Signed" in home
    assert "Report published" not in home  # marked done, but dated after the build: not news yet

    # The project moves on: paused today. The board, the home page and the feed say so, and
    # every entry that was there keeps its id.
    before = entries(root)
    (root / ROBOT).write_text(
        HISTORY.replace("    note: Work began.\n", "    note: Work began.\n  - date: 2026-11-30\n    status: paused\n"), encoding="utf-8"
    )
    build(Options(root=root, jobs=1))
    after = entries(root)
    assert after.items() >= before.items()
    assert after[f"{base}#status--2026-11-30-paused"] == "Status: Paused"
    board = page_text(root / "site/projects/index.html")
    assert "Paused 1 Guiding robot since 30 November 2026" in board and "Active" not in board
    assert "Project updates 30 November 2026 Guiding robot Status: Paused" in page_text(root / "site/index.html")


def test_feed_ids_survive_edits_of_notes_titles_and_other_entries(make_site: MakeSite) -> None:
    root = built(make_site, FILES)
    before = set(entries(root))
    edited = (
        HISTORY.replace("note: Work began.", "note: Work began in earnest.")
        .replace("Agreement signed, zh", "Agreement signed in Shanghai, zh")
        .replace("milestones:\n", "milestones:\n  - date: 2024-01-10\n    title: Kick-off\n    done: true\n")
    )
    (root / ROBOT).write_text(edited, encoding="utf-8")
    build(Options(root=root, jobs=1))
    after = set(entries(root))
    assert before <= after and after - before == {"https://hub.example.org/projects/robot/#milestone--2024-01-10"}


# --- calendars -------------------------------------------------------------------------------------------


def calendar(root: Path, rel: str) -> icalendar.Calendar:
    data = (root / "site" / rel).read_bytes()
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")  # CRLF only (RFC 5545, 3.1)
    return icalendar.Calendar.from_ical(data)


def events(cal: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in cal.walk("VEVENT")}


def test_each_project_and_the_site_publish_milestone_calendars_per_language(make_site: MakeSite) -> None:
    files = {**FILES, "content/projects/lab.yaml": "title: Lab\nstatus: planned\nmilestones:\n  - {date: 2027-01-05, title: Lab opens}\n"}
    root = built(make_site, files)
    robot = calendar(root, "projects/robot/milestones.ics")
    assert str(robot["X-WR-CALNAME"]) == "Guiding robot — Milestones — Test Hub"
    assert str(robot["X-WR-TIMEZONE"]) == "Asia/Shanghai" and str(robot["METHOD"]) == "PUBLISH"
    found = events(robot)
    assert sorted(found) == [f"robot/{d}/en@hub.example.org" for d in ("2024-04-02", "2025-06-30", "2026-12-31", "2027-05-01")]
    trial = found["robot/2026-12-31/en@hub.example.org"]
    assert str(trial["SUMMARY"]) == "Field trial" and str(trial["DESCRIPTION"]) == "In two wards."
    assert str(trial["URL"]) == "https://hub.example.org/projects/robot/#milestone--2026-12-31"
    # An all-day event: a DATE, not a date-time, ending (exclusively) the next day.
    assert trial["DTSTART"].dt == date(2026, 12, 31) and trial["DTEND"].dt == date(2027, 1, 1)
    assert trial["DTSTART"].params["VALUE"] == "DATE"
    zh = events(calendar(root, "zh/projects/robot/milestones.ics"))
    assert str(zh["robot/2024-04-02/zh@hub.example.org"]["SUMMARY"]) == "协议签署"
    everything = events(calendar(root, "milestones.ics"))
    assert len(everything) == 5 and str(everything["lab/2027-01-05/en@hub.example.org"]["SUMMARY"]) == "Lab opens — Lab"
    assert len(events(calendar(root, "zh/milestones.ics"))) == 5
    page = html(root / "site", "projects/robot/index.html")
    assert '<a href="webcal://hub.example.org/projects/robot/milestones.ics">Subscribe to the milestones in your calendar</a>' in page
    assert '<a href="/projects/robot/milestones.ics" type="text/calendar" download>' in page
    assert 'href="webcal://hub.example.org/milestones.ics"' in html(root / "site", "projects/index.html")
    assert "milestones.ics" not in html(root / "site", "sitemap.xml")


def test_calendar_uids_are_stable_across_builds_and_edits(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    root = built(make_site, FILES)
    first = (root / "site/projects/robot/milestones.ics").read_bytes()
    build(Options(root=root, output=root / "again", cache=False, jobs=1))
    assert (root / "again/projects/robot/milestones.ics").read_bytes() == first  # the same content, the same bytes
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp()) + 86400 * 3))
    build(Options(root=root, output=root / "later", cache=False, jobs=1))
    assert (root / "later/projects/robot/milestones.ics").read_bytes() == first  # a later build: no change to subscribe to
    before = events(calendar(root, "projects/robot/milestones.ics"))
    edited = HISTORY.replace("title: {en: Prototype built, zh: 样机完成}", "title: {en: Prototype ready, zh: 样机就绪}\n    done: true")
    (root / ROBOT).write_text(edited.replace("milestones:\n", "milestones:\n  - date: 2023-12-01\n    title: Idea\n    done: true\n"))
    build(Options(root=root, jobs=1))
    after = events(calendar(root, "projects/robot/milestones.ics"))
    assert set(before) <= set(after) and len(after) == len(before) + 1
    assert str(after["robot/2025-06-30/en@hub.example.org"]["SUMMARY"]) == "Prototype ready"  # updated, not duplicated


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("2024-04-01T23:30:00Z", date(2024, 4, 2)),  # 07:30 the next morning in Shanghai
        ("2024-04-02T00:30:00+08:00", date(2024, 4, 2)),  # 16:30 the day before in UTC
        ("2024-04-02T23:59:59+08:00", date(2024, 4, 2)),
        ("2024-04-02T16:00:00Z", date(2024, 4, 3)),  # midnight in Shanghai
        ("2024-04-02", date(2024, 4, 2)),
    ],
)
def test_calendar_dates_are_the_site_time_zone_s_around_midnight(make_site: MakeSite, written: str, day: date) -> None:
    root = built(make_site, {ROBOT: f"title: Robot\nstatus: active\nmilestones:\n  - date: {written}\n    title: Moment\n"})
    (event,) = events(calendar(root, "projects/robot/milestones.ics")).values()
    assert event["DTSTART"].dt == day and event["DTEND"].dt == date.fromordinal(day.toordinal() + 1)
    assert f'id="milestone--{day.isoformat()}"' in html(root / "site", "projects/robot/index.html")


def test_the_preview_serves_calendars_as_text_calendar(make_site: MakeSite) -> None:
    root = make_site(FILES)
    with running(root) as server:
        status, headers, body = server.get("/projects/robot/milestones.ics")
    assert status == 200 and headers["content-type"] == "text/calendar; charset=utf-8"
    assert len(events(icalendar.Calendar.from_ical(body))) == 4


# --- what a fresh reviewer found -------------------------------------------------------------------------


def test_a_cancelled_project_s_open_milestones_are_not_reached_not_overdue(make_site: MakeSite) -> None:
    cancelled = HISTORY.replace("    note: Work began.\n", "    note: Work began.\n  - date: 2025-09-01\n    status: cancelled\n")
    root = built(make_site, {**FILES, ROBOT: cancelled})
    page = html(root / "site", "projects/robot/index.html")
    assert '<li class="dropped" id="milestone--2025-06-30">' in page and '<li class="dropped" id="milestone--2026-12-31">' in page
    assert "Not reached" in page_text(root / "site/projects/robot/index.html")
    board = page_text(root / "site/projects/index.html")
    assert "Next milestone" not in board and "Overdue" not in board and "Milestones done 2 of 4" in board
    found = events(calendar(root, "projects/robot/milestones.ics"))
    assert str(found["robot/2026-12-31/en@hub.example.org"]["STATUS"]) == "CANCELLED"
    assert "STATUS" not in found["robot/2024-04-02/en@hub.example.org"]  # reached: as it was


def test_uids_of_dotted_ids_do_not_collide(make_site: MakeSite) -> None:
    root = built(
        make_site,
        {
            "content/projects/b.c.yaml": "title: BC\nstatus: active\nmilestones:\n  - {date: 2026-01-01, title: One, id: a}\n",
            "content/projects/c.yaml": "title: C\nstatus: active\nmilestones:\n  - {date: 2026-01-01, title: Two, id: a.b}\n",
        },
    )
    assert sorted(events(calendar(root, "milestones.ics"))) == ["b.c/a/en@hub.example.org", "c/a.b/en@hub.example.org"]


def test_a_project_without_milestones_publishes_no_empty_calendar(make_site: MakeSite) -> None:
    root = built(make_site, {ROBOT: "title: Robot\nstatus_history:\n  - {date: 2024-04-02, status: signed}\n"})
    assert not (root / "site/projects/robot/milestones.ics").exists() and not (root / "site/milestones.ics").exists()
    assert "milestones.ics" not in html(root / "site", "projects/robot/index.html")
    assert "milestones.ics" not in html(root / "site", "projects/index.html")


def test_the_last_day_of_the_calendar_is_an_event_too(make_site: MakeSite) -> None:
    root = built(make_site, {ROBOT: "title: Robot\nstatus: active\nmilestones:\n  - {date: 9999-12-31, title: The end}\n"})
    (event,) = events(calendar(root, "projects/robot/milestones.ics")).values()
    assert event["DTSTART"].dt == date(9999, 12, 31) and str(event["DURATION"].dt) == "1 day, 0:00:00"


def test_a_calendar_name_is_escaped_text(make_site: MakeSite) -> None:
    root = built(make_site, {ROBOT: "title: 'Robots, arms; and more'\nstatus: active\nmilestones:\n  - {date: 2026-01-01, title: One}\n"})
    data = (root / "site/projects/robot/milestones.ics").read_bytes()
    assert "X-WR-CALNAME:Robots\\, arms\\; and more — Milestones — Test Hub".encode() in data  # RFC 5545, 3.3.11


def test_the_same_status_twice_on_one_day_is_an_error(make_site: MakeSite) -> None:
    history = (
        "status_history:\n  - {date: 2024-05-01, status: signed}\n  - {date: 2024-05-01, status: active}\n"
        "  - {date: 2024-05-01, status: paused}\n  - {date: 2024-05-01, status: active}\n"
    )
    assert errors_of(make_site, "title: Robot\n" + history) == [
        "content/projects/robot.yaml:6: status_history: 'active' is entered on 2024-05-01 already (line 4);"
        " keep one entry per status and day"
    ]


def test_an_empty_history_is_called_empty(make_site: MakeSite) -> None:
    assert errors_of(make_site, "title: Robot\nstatus_history: []\n") == [
        "content/projects/robot.yaml:2: status_history: is empty; add an entry such as '- {date: 2024-04-02, status: signed}'"
    ]


def test_project_feeds_hold_the_latest_feed_limit_of_each_kind(make_site: MakeSite) -> None:
    steps = "".join(f"  - {{date: 2020-01-{d:02d}, status: {'active' if d % 2 else 'paused'}}}\n" for d in range(1, 21))
    config = "title: Hub\nbase_url: https://hub.example.org\nlanguages: [en]\ntimezone: UTC\nfeed_limit: 5\n"
    root = built(make_site, {"content/site.yaml": config, ROBOT: "title: Robot\nstatus_history:\n" + steps})
    assert sorted(entries(root)) == [f"https://hub.example.org/projects/robot/#status--2020-01-{d}-{s}" for d, s in (
        ("16", "paused"), ("17", "active"), ("18", "paused"), ("19", "active"), ("20", "paused"),
    )]  # fmt: skip


def test_the_preview_moves_on_when_a_milestone_falls_due(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    # A preview left open: at midnight in the site's time zone the milestone is overdue, with no edit.
    from newshub.build import Build

    from .conftest import preview_options

    root = make_site(FILES)
    project = Build(preview_options(root))
    project.load()
    assert b'<li class="upcoming" id="milestone--2026-12-31">' in (project.page("projects/robot/index.html") or b"")
    assert not project.tick()  # nothing due yet
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2026, 12, 31, 16, 0, tzinfo=UTC).timestamp())))  # 00:00 in Shanghai
    assert project.tick()
    assert b'<li class="overdue" id="milestone--2026-12-31">' in (project.page("projects/robot/index.html") or b"")
