"""Calendars (.ics): meetings with other attendees become interactions.

Recurring events are expanded up to now (at most :data:`MAX_OCCURRENCES`
each, within a bounded number of steps: :class:`Budget`); events you
declined, cancelled events and events without anyone else are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import icalendar
from dateutil.rrule import (
    DAILY,
    HOURLY,
    MINUTELY,
    MONTHLY,
    SECONDLY,
    WEEKLY,
    YEARLY,
    rrule,
    rrulestr,
)

from kith.errors import ImportFailed
from kith.importers.reading import read_text
from kith.importers.records import InteractionRecord, Parsed, ParseOptions, Party, Problem, display
from kith.normalize import email_key

MAX_OCCURRENCES = 500
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)  # occurrences before are not kept (the dates Kith stores)


@dataclass
class Budget:
    """How far repeat rules may be followed: ``per_event`` steps (periods of the rule: days of a daily rule,
    weeks of a weekly one...) for one event, ``left`` for all the events of one file together."""

    per_event: int = 5_000
    left: int = 500_000


def parse(path: Path, opts: ParseOptions) -> Parsed:
    """Read the meetings of an .ics file."""
    me = {k for k in (email_key(m) for m in opts.me) if k}
    if not me:
        raise ImportFailed("tell Kith your own e-mail addresses: --me you@example.com (or 'me' in the config file)")
    text = read_text(path, opts)
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:  # AttributeError: a repeated VALUE=
        raise ImportFailed(f"{path}: not a readable iCalendar file ({exc})") from None
    events = [c for cal in calendars for c in cal.walk("VEVENT")]
    if not calendars:
        raise ImportFailed(f"{path}: not an iCalendar file (no BEGIN:VCALENDAR)")
    now = opts.now or datetime.now(UTC)
    out = Parsed()
    budget = Budget()
    for number, event in enumerate(events, start=1):
        ref = f"event {number}"
        try:
            _event(event, ref, me, now, out, budget, display(path))
        except (ValueError, KeyError, IndexError, TypeError, AttributeError, OverflowError) as exc:
            out.problems.append(Problem(display(path), ref, f"cannot read it ({exc})"))
    return out


def _event(event: Any, ref: str, me: set[str], now: datetime, out: Parsed, budget: Budget, file: str) -> None:
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
    def cut(reason: str) -> None:
        name = f" ({note})" if note else ""
        out.problems.append(Problem(file, ref + name, reason, kept=True))

    for start in occurrences(event, now, out, budget, cut):
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


def occurrences(event: Any, now: datetime, out: Parsed, budget: Budget | None = None,
                cut: Any = None) -> list[datetime]:
    """Start times that have happened: one, or each recurrence from 1900 up to now.

    A repeat rule is followed at most ``budget.per_event`` steps (and the file's ``budget.left``): a rule whose
    interval rarely or never lands on its days (``FREQ=DAILY;INTERVAL=7;BYDAY=TU`` from a Monday) would
    otherwise be walked by dateutil to the year 9999, about a second an event. ``cut`` (when given) is told
    in plain words where a rule was stopped.
    """
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
    parsed = rrulestr(text, dtstart=start, ignoretz=False)
    if not isinstance(parsed, rrule):
        raise ValueError("a repeat rule dateutil reads as a set")
    rule_: Any = parsed  # its processed parts (_freq, _interval, _count...) are not in dateutil's stubs
    budget = budget or Budget()
    excluded = _exdates(event)
    found: list[datetime] = []
    steps = 0
    count = rule_._count
    for when in _every_period(rule_):
        steps = _steps(rule_._freq, start, when, rule_._wkst)
        if when > now or len(found) >= MAX_OCCURRENCES:
            break
        if steps > budget.per_event or steps > budget.left:
            if cut is not None:
                spent = "the file's repeat rules are" if steps > budget.left else "its repeat rule is"
                cut(f"{spent} followed at most {min(budget.per_event, budget.left):,} steps: stopped at "
                    f"{when.date().isoformat()}, {len(found)} occurrences before it kept (RRULE {text[:80]})")
            break
        if steps % rule_._interval:
            continue  # a period the interval skips
        if count is not None:
            count -= 1
            if count < 0:
                break
        if when not in excluded and when >= EARLIEST:
            found.append(when)
    budget.left = max(0, budget.left - steps)
    return found


def _every_period(rule_: Any) -> rrule:
    """The rule with an interval of 1 and no count: every period, so that a sparse interval never makes
    dateutil walk on without a result (the interval is applied by :func:`occurrences`)."""
    copy: rrule = rule_.replace(interval=1, count=None, **_explicit(rule_))
    return copy


def _explicit(rule_: Any) -> dict[str, Any]:
    """The day and time filters dateutil derived from DTSTART, stated, so a copy keeps them."""
    from dateutil.rrule import weekday

    days = list(rule_._byweekday or ()) + [weekday(d, n) for d, n in (rule_._bynweekday or ())]
    return {"bymonth": rule_._bymonth, "bymonthday": tuple(rule_._bymonthday or ()) + tuple(rule_._bynmonthday or ()),
            "byyearday": rule_._byyearday, "byweekno": rule_._byweekno, "byweekday": days or None,
            "byeaster": rule_._byeaster, "byhour": rule_._byhour, "byminute": rule_._byminute,
            "bysecond": rule_._bysecond, "bysetpos": rule_._bysetpos, "wkst": rule_._wkst}


def _steps(freq: int, start: datetime, when: datetime, wkst: int = 0) -> int:
    """The periods of a rule of frequency ``freq`` from the one of ``start`` to the one of ``when``."""
    if freq == YEARLY:
        return when.year - start.year
    if freq == MONTHLY:
        return (when.year - start.year) * 12 + when.month - start.month
    if freq == WEEKLY:
        def week(d: datetime) -> date:
            return d.date() - timedelta(days=(d.weekday() - wkst) % 7)
        return (week(when) - week(start)).days // 7
    if freq == DAILY:
        return (when.date() - start.date()).days
    seconds = int((when.replace(minute=0, second=0) - start.replace(minute=0, second=0)).total_seconds())
    if freq == HOURLY:
        return seconds // 3600
    seconds = int((when.replace(second=0) - start.replace(second=0)).total_seconds())
    if freq == MINUTELY:
        return seconds // 60
    assert freq == SECONDLY
    return int((when - start).total_seconds())


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
