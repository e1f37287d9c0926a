"""CalDAV capture against a real Radicale: events with other attendees become meetings on their day,
updated when the event moves or its attendees change, removed when it is cancelled or deleted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.conftest import FIXED_NOW
from tests.sync_servers import PASSWORD, USER, Radicale, radicale, secrets_file  # noqa: F401  (fixtures)

from kith.runtime import Kith
from kith.services import sync as sync_service
from kith.services.people import find_people
from kith.services.sync_accounts import add_account
from kith.store.models import Interaction

ME = "alice@example.org"


def event(uid: str, start: str, *, status: str = "", attendees: tuple[str, ...] = ("bo@example.net",),
          rrule: str = "") -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "BEGIN:VEVENT", f"UID:{uid}",
             "DTSTAMP:20260101T000000Z", f"DTSTART:{start}", "DURATION:PT1H", "SUMMARY:Coffee",
             f"ORGANIZER;CN=Alice:mailto:{ME}", f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{ME}"]
    lines += [f"ATTENDEE;CN=Bo Chen;PARTSTAT=ACCEPTED:mailto:{a}" for a in attendees]
    if status:
        lines.append(f"STATUS:{status}")
    if rrule:
        lines.append(f"RRULE:{rrule}")
    lines += ["END:VEVENT", "END:VCALENDAR", ""]
    return "\r\n".join(lines)


pytestmark = pytest.mark.usefixtures("secrets_file")


@pytest.fixture
def cal(radicale: Radicale, kith: Kith) -> str:  # noqa: F811
    url = radicale.make_collection("calendar", "cal")
    with kith.session() as s:
        add_account(s, "caldav", "work", url=url, user=USER, password=PASSWORD, now=FIXED_NOW,
                    options={"me": [ME]})
    return url


def sync(kith: Kith, now: datetime = FIXED_NOW) -> sync_service.SyncReport:
    with kith.session() as s:
        return sync_service.sync_account(s, "work", now=now)


def meetings(kith: Kith) -> list[tuple[datetime, str, str]]:
    with kith.session() as s:
        return sorted((i.occurred_at, i.kind, i.direction) for i in s.query(Interaction))


def test_an_event_with_attendees_becomes_a_meeting_with_them_on_its_day(
        kith: Kith, radicale: Radicale, cal: str) -> None:  # noqa: F811
    radicale.put(cal, "e1.ics", event("e1", "20260610T090000Z"), "cal")
    radicale.put(cal, "solo.ics", event("solo", "20260611T090000Z", attendees=()), "cal")
    report = sync(kith)
    assert report.error == "" and report.interactions_added == 1 and report.added == 1, report.as_dict()
    assert report.skipped == {"event without other attendees": 1}
    assert meetings(kith) == [(datetime(2026, 6, 10, 9, 0, tzinfo=UTC), "meeting", "out")]
    with kith.session() as s:
        assert len(find_people(s, "Bo Chen")) == 1
    assert sync(kith).interactions_added == 0


def test_a_moved_event_moves_its_meeting_and_a_cancelled_one_removes_it(
        kith: Kith, radicale: Radicale, cal: str) -> None:  # noqa: F811
    radicale.put(cal, "e1.ics", event("e1", "20260610T090000Z"), "cal")
    radicale.put(cal, "e2.ics", event("e2", "20260612T090000Z"), "cal")
    sync(kith)
    radicale.put(cal, "e1.ics", event("e1", "20260609T140000Z"), "cal")
    radicale.put(cal, "e2.ics", event("e2", "20260612T090000Z", status="CANCELLED"), "cal")
    report = sync(kith)
    assert (report.interactions_updated, report.interactions_removed) == (1, 1), report.as_dict()
    assert meetings(kith) == [(datetime(2026, 6, 9, 14, 0, tzinfo=UTC), "meeting", "out")]
    radicale.delete(cal, "e1.ics")
    assert sync(kith).interactions_removed == 1
    assert meetings(kith) == []


def test_a_future_event_counts_once_it_has_happened(kith: Kith, radicale: Radicale, cal: str) -> None:  # noqa: F811
    radicale.put(cal, "later.ics", event("later", "20260620T090000Z"), "cal")
    assert sync(kith).interactions_added == 0
    assert sync(kith, FIXED_NOW + timedelta(days=10)).interactions_added == 1
    assert meetings(kith) == [(datetime(2026, 6, 20, 9, 0, tzinfo=UTC), "meeting", "out")]


def test_a_recurring_event_gives_one_meeting_per_occurrence_so_far(
        kith: Kith, radicale: Radicale, cal: str) -> None:  # noqa: F811
    radicale.put(cal, "weekly.ics", event("weekly", "20260601T090000Z", rrule="FREQ=WEEKLY;COUNT=4"), "cal")
    assert sync(kith).interactions_added == 3  # June 1, 8 and 15 (09:00) have happened by June 15 12:00
    assert sync(kith, FIXED_NOW + timedelta(days=30)).interactions_added == 1
    assert len(meetings(kith)) == 4



def meeting_with(uid: str, start: str, people: dict[str, str]) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "BEGIN:VEVENT", f"UID:{uid}",
             "DTSTAMP:20260101T000000Z", f"DTSTART:{start}", "DURATION:PT1H", "SUMMARY:Planning",
             f"ORGANIZER;CN=Alice:mailto:{ME}", f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{ME}"]
    lines += [f"ATTENDEE;CN={name};PARTSTAT=ACCEPTED:mailto:{email}" for email, name in people.items()]
    lines += ["END:VEVENT", "END:VCALENDAR", ""]
    return "\r\n".join(lines)


def participants(kith: Kith) -> list[list[str]]:
    from kith.services.tie_states import states_match_log
    from kith.store.models import Person

    with kith.session() as s:
        assert states_match_log(s)  # the tie states follow the participants, without a full rebuild
        names = dict(s.query(Person.id, Person.display_name).all())
        return [sorted(names[p.person_id] for p in i.participants)
                for i in s.query(Interaction).order_by(Interaction.id)]


def test_attendees_added_or_removed_on_the_server_join_or_leave_the_meeting(
        kith: Kith, radicale: Radicale, cal: str) -> None:  # noqa: F811
    bo, cy, di = ("bo@example.net", "Bo Chen"), ("cy@example.net", "Cy Diaz"), ("di@example.net", "Di Egan")
    radicale.put(cal, "m.ics", meeting_with("m", "20260610T090000Z", dict([bo, cy])), "cal")
    sync(kith)
    assert participants(kith) == [["Bo Chen", "Cy Diaz"]]
    radicale.put(cal, "m.ics", meeting_with("m", "20260610T090000Z", dict([bo, di])), "cal")
    report = sync(kith)
    assert (report.interactions_updated, report.interactions_added, report.added) == (1, 0, 1), report.as_dict()
    assert participants(kith) == [["Bo Chen", "Di Egan"]]
    radicale.put(cal, "m.ics", meeting_with("m", "20260609T090000Z", dict([di])), "cal")
    assert sync(kith).interactions_updated == 1
    assert participants(kith) == [["Di Egan"]]
    assert meetings(kith) == [(datetime(2026, 6, 9, 9, 0, tzinfo=UTC), "meeting", "out")]
    again = sync(kith)
    assert (again.interactions_updated, again.interactions_added) == (0, 0)


def test_attendees_changed_on_a_recurring_event_change_every_meeting_of_it(
        kith: Kith, radicale: Radicale, cal: str) -> None:  # noqa: F811
    bo = ("bo@example.net", "Bo Chen")
    weekly = meeting_with("w", "20260601T090000Z", dict([bo])).replace(
        "END:VEVENT", "RRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT")
    radicale.put(cal, "w.ics", weekly, "cal")
    sync(kith)
    assert participants(kith) == [["Bo Chen"]] * 3
    radicale.put(cal, "w.ics", weekly.replace("mailto:bo@example.net", "mailto:bo@example.net\r\n"
                                              "ATTENDEE;CN=Cy Diaz:mailto:cy@example.net"), "cal")
    assert sync(kith).interactions_updated == 3
    assert participants(kith) == [["Bo Chen", "Cy Diaz"]] * 3
