"""Events on a CalDAV server as meetings: who was there, when, and whether it still stands.

One calendar resource holds one event (with its recurrences). Each
occurrence that has happened, with someone besides you, is a meeting; its
key is the event's UID (and the occurrence's start for recurring events), so
a moved event keeps its key and a sync updates it instead of adding another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import icalendar

from kith.importers.ics import as_utc, occurrences
from kith.importers.records import Parsed, Party
from kith.normalize import email_key

CONTENT_TYPE = "text/calendar; charset=utf-8"


@dataclass
class Meeting:
    """One occurrence of an event with other people."""

    key: str
    when: datetime
    others: list[Party]
    direction: str
    note: str


@dataclass
class Reading:
    """What one calendar resource says: its meetings, whether any lies ahead, why some were left out."""

    meetings: list[Meeting] = field(default_factory=list)
    upcoming: bool = False
    skipped: dict[str, int] = field(default_factory=dict)


def _party(value: Any) -> Party | None:
    email = email_key(str(value)) if value is not None else None
    if not email:
        return None
    name = value.params.get("CN", "") if hasattr(value, "params") else ""
    return Party(name=str(name).strip().strip('"'), email=email)


def read_events(text: str, me: set[str], now: datetime) -> Reading:
    """The meetings of one calendar resource; ValueError when it cannot be read."""
    try:
        cal = icalendar.Calendar.from_ical(text)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise ValueError(f"not a readable iCalendar resource ({exc})") from None
    out = Reading()
    for event in cal.walk("VEVENT"):
        if event.get("RECURRENCE-ID") is not None:
            continue  # an overridden occurrence: its master stands for it
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            out.skipped["cancelled event"] = out.skipped.get("cancelled event", 0) + 1
            continue
        raw = event.get("ATTENDEE")
        values = raw if isinstance(raw, list) else ([raw] if raw is not None else [])
        attendees = [(p, str(v.params.get("PARTSTAT", "")).upper() if hasattr(v, "params") else "")
                     for v in values for p in [_party(v)] if p is not None]
        if any(p.email in me and status == "DECLINED" for p, status in attendees):
            out.skipped["declined event"] = out.skipped.get("declined event", 0) + 1
            continue
        organizer = _party(event.get("ORGANIZER"))
        others = {p.email: p for p, _ in attendees if p.email not in me}
        if organizer and organizer.email not in me:
            others.setdefault(organizer.email, organizer)
        if not others:
            out.skipped["event without other attendees"] = out.skipped.get("event without other attendees", 0) + 1
            continue
        direction = "mutual" if organizer is None else ("out" if organizer.email in me else "in")
        uid = str(event.get("UID", "")).strip()
        if not uid:
            raise ValueError("an event without a UID")
        recurring = event.get("RRULE") is not None
        start = event.get("DTSTART")
        if start is None:
            raise ValueError("an event without a start (DTSTART)")
        if recurring or as_utc(start.dt) > now:
            out.upcoming = True
        for when in occurrences(event, now, Parsed()):
            out.meetings.append(Meeting(f"{uid}:{when.isoformat()}" if recurring else uid, when,
                                        list(others.values()), direction, str(event.get("SUMMARY", ""))[:200]))
    return out
