"""Calendars (.ics): meetings with other attendees become interactions.

Recurring events are expanded up to now (at most :data:`MAX_OCCURRENCES`
each); events you declined, cancelled events and events without anyone else
are skipped.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import icalendar
from dateutil.rrule import rrulestr

from kith.errors import ImportFailed
from kith.importers.reading import read_text
from kith.importers.records import InteractionRecord, Parsed, ParseOptions, Party, Problem, display
from kith.normalize import email_key

MAX_OCCURRENCES = 500


def parse(path: Path, opts: ParseOptions) -> Parsed:
    """Read the meetings of an .ics file."""
    me = {k for k in (email_key(m) for m in opts.me) if k}
    if not me:
        raise ImportFailed("tell Kith your own e-mail addresses: --me you@example.com (or 'me' in the config file)")
    text = read_text(path, opts)
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise ImportFailed(f"{path}: not a readable iCalendar file ({exc})") from None
    events = [c for cal in calendars for c in cal.walk("VEVENT")]
    if not calendars:
        raise ImportFailed(f"{path}: not an iCalendar file (no BEGIN:VCALENDAR)")
    now = opts.now or datetime.now(UTC)
    out = Parsed()
    for number, event in enumerate(events, start=1):
        ref = f"event {number}"
        try:
            _event(event, ref, me, now, out)
        except (ValueError, KeyError, IndexError, TypeError, AttributeError, OverflowError) as exc:
            out.problems.append(Problem(display(path), ref, f"cannot read it ({exc})"))
    return out


def _event(event: Any, ref: str, me: set[str], now: datetime, out: Parsed) -> None:
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        out.skip("cancelled event")
        return
    attendees = _attendees(event)
    mine = [a for a in attendees if a[0].email in me]
    if any(status == "DECLINED" for _, status in mine):
        out.skip("declined event")
        return
    organizer = _party(event.get("ORGANIZER"))
    others = {p.email.lower(): p for p, _ in attendees if p.email not in me}
    if organizer and organizer.email not in me:
        others.setdefault(organizer.email.lower(), organizer)
    if not others:
        out.skip("event without other attendees")
        return
    direction = "mutual" if organizer is None else ("out" if organizer.email in me else "in")
    uid = str(event.get("UID", "")) or f"{ref}:{event.get('SUMMARY', '')}"
    note = str(event.get("SUMMARY", ""))[:200]
    for start in occurrences(event, now, out):
        out.interactions.append(InteractionRecord(
            ref=ref, when=start, kind="meeting", direction=direction, participants=list(others.values()),
            dedupe_key=f"{uid}:{start.isoformat()}", note=note))


def _party(value: Any) -> Party | None:
    if value is None:
        return None
    email = email_key(str(value)) or ""
    if not email:
        return None
    name = value.params.get("CN", "") if hasattr(value, "params") else ""
    return Party(name=str(name).strip().strip('"'), email=email)


def _attendees(event: Any) -> list[tuple[Party, str]]:
    raw = event.get("ATTENDEE")
    values = raw if isinstance(raw, list) else ([raw] if raw is not None else [])
    out = []
    for value in values:
        party = _party(value)
        if party is not None:
            status = str(value.params.get("PARTSTAT", "")).upper() if hasattr(value, "params") else ""
            out.append((party, status))
    return out


def as_utc(value: date | datetime) -> datetime:
    """A DTSTART as an aware UTC datetime (all-day events start at midnight UTC)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return datetime.combine(value, time(0, 0), UTC)


def occurrences(event: Any, now: datetime, out: Parsed) -> list[datetime]:
    """Start times that have happened: one, or each recurrence up to now."""
    start_prop = event.get("DTSTART")
    if start_prop is None:
        raise ValueError("no DTSTART")
    start = as_utc(start_prop.dt)
    rule = event.get("RRULE")
    if rule is None:
        if start > now:
            out.skip("event in the future")
            return []
        return [start]
    text = rule.to_ical().decode()
    if not can_occur(text):
        out.skip("recurring event whose rule never matches a day")
        return []
    rrule = rrulestr(text, dtstart=start, ignoretz=False)
    excluded = _exdates(event)
    found: list[datetime] = []
    for when in rrule:
        if when > now or len(found) >= MAX_OCCURRENCES:
            break
        if when not in excluded:
            found.append(when)
    return found


# The rule parts that choose days; the Gregorian calendar repeats them every 400 years.
_DAY_FILTERS = ("BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYDAY")
_PROBE_START = datetime(9599, 1, 1, tzinfo=UTC)  # 400 years before the last year a date can have


def can_occur(rule: str) -> bool:
    """Whether any day at all passes the rule's day filters.

    dateutil walks a rule that never matches (``BYMONTH=2;BYMONTHDAY=30``) day
    by day to the year 9999, whatever its UNTIL: 13 s for one event of a
    200-byte file. The same filters as a yearly rule over the last 400 years
    (one whole cycle of the calendar; ordinals dropped, so a superset) answer
    in a few milliseconds.
    """
    parts = dict(p.split("=", 1) for p in rule.upper().split(";") if "=" in p)
    filters = {k: v for k, v in parts.items() if k in _DAY_FILTERS}
    if not filters:
        return True
    if "BYDAY" in filters:
        filters["BYDAY"] = ",".join(re.sub(r"^[+-]?\d+", "", d) for d in filters["BYDAY"].split(","))
    probe = "FREQ=YEARLY;" + ";".join(f"{k}={v}" for k, v in filters.items())
    return next(iter(rrulestr(probe, dtstart=_PROBE_START)), None) is not None


def _exdates(event: Any) -> set[datetime]:
    raw = event.get("EXDATE")
    values = raw if isinstance(raw, list) else ([raw] if raw is not None else [])
    return {as_utc(d.dt) for v in values for d in getattr(v, "dts", [])}
