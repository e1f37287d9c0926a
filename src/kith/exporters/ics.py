"""An .ics calendar of agenda actions: one all-day to-do event per action on its due date.

Items are duck-typed: anything with ``person_id``, ``person``, ``action``,
``reason`` and ``due`` (a date) will do, such as the agenda service's items.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

import icalendar


class AgendaLike(Protocol):
    """What an agenda item must offer to be exported."""

    @property
    def person_id(self) -> int: ...
    @property
    def person(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def due(self) -> date: ...


def agenda_uid(item: AgendaLike) -> str:
    """The item's UID: the person and the action, never its position, so a refreshed feed updates in place."""
    return f"kith-agenda-{item.person_id}-{item.action}@kith"


def agenda_calendar(
    items: Iterable[AgendaLike], *, stamp: datetime | None = None, overdue_on: date | None = None
) -> str:
    """The items as iCalendar text (stable UIDs, so calendar apps update rather than duplicate).

    With ``overdue_on`` (the calendar feed passes today), an item due earlier is
    placed on that day rather than in the past, where nobody would look.
    """
    stamp = stamp or datetime.now(UTC)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Kith//agenda//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Kith agenda")
    for item in items:
        day = max(item.due, overdue_on) if overdue_on is not None else item.due
        event = icalendar.Event()
        event.add("uid", agenda_uid(item))
        event.add("dtstamp", stamp)
        event.add("summary", f"{item.action}: {item.person}")
        event.add("description", item.reason)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    text: bytes = cal.to_ical()
    return text.decode("utf-8")
