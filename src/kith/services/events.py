"""Events (where people were met) and projects (what people worked on together)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kith.errors import AmbiguousPerson, BadInput, NotFound
from kith.normalize import fold
from kith.services.paging import by_id, paged
from kith.store.journal import journaled
from kith.store.models import Event, EventMember, Person

EVENT_KINDS = ("event", "project")


@dataclass(frozen=True)
class EventView:
    """An event or project as every interface shows it."""

    id: int
    name: str
    kind: str
    starts_on: date | None
    ends_on: date | None
    location: str
    note: str

    @classmethod
    def of(cls, ev: Event) -> EventView:
        """The view of a stored event."""
        return cls(ev.id, ev.name, ev.kind, ev.starts_on, ev.ends_on, ev.location or "", ev.note or "")

    def as_dict(self) -> dict[str, Any]:
        """JSON form (dates as ISO text)."""
        return {"id": self.id, "name": self.name, "kind": self.kind,
                "starts_on": self.starts_on.isoformat() if self.starts_on else None,
                "ends_on": self.ends_on.isoformat() if self.ends_on else None,
                "location": self.location, "note": self.note}


@dataclass(frozen=True)
class EventChanges:
    """Fields to change on an event; ``None`` leaves a field as it is."""

    name: str | None = None
    kind: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    location: str | None = None
    note: str | None = None


@journaled(lambda session, name, **_: f"Added the {_.get('kind', 'event')} {name}")
def add_event(
    session: Session, name: str, *, kind: str = "event", starts_on: date | None = None,
    ends_on: date | None = None, location: str = "", note: str = "",
) -> Event:
    """Create an event or a project."""
    _check_dates(starts_on, ends_on)
    ev = Event(name=_name(name), kind=_kind(kind), starts_on=starts_on, ends_on=ends_on, location=location, note=note)
    session.add(ev)
    session.flush()
    return ev


@journaled(lambda session, ev, *_a: f"Edited {ev.name}")
def edit_event(session: Session, ev: Event, changes: EventChanges) -> Event:
    """Change an event: the name stays non-blank, the kind event or project, the end not before the start."""
    name = _name(changes.name) if changes.name is not None else ev.name
    kind = _kind(changes.kind) if changes.kind is not None else ev.kind
    starts = changes.starts_on if changes.starts_on is not None else ev.starts_on
    ends = changes.ends_on if changes.ends_on is not None else ev.ends_on
    _check_dates(starts, ends)
    ev.name, ev.kind, ev.starts_on, ev.ends_on = name, kind, starts, ends
    if changes.location is not None:
        ev.location = changes.location
    if changes.note is not None:
        ev.note = changes.note
    session.flush()
    return ev


def _name(text: str) -> str:
    clean = " ".join(text.split())
    if not clean:
        raise BadInput("an event needs a name")
    return clean


def _kind(kind: str) -> str:
    if kind not in EVENT_KINDS:
        raise BadInput(f"unknown event kind '{kind}' (use event or project)")
    return kind


def _check_dates(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise BadInput("an event cannot end before it starts")


def get_event(session: Session, event_id: int) -> Event:
    """One event or project of the current workspace."""
    return by_id(session, Event, event_id, "event or project")


@journaled(lambda session, event: f"Deleted {event.name}")
def delete_event(session: Session, event: Event) -> None:
    """Delete an event or project; the people met there, their interactions and favours stay."""
    session.delete(event)
    session.flush()


def list_events(session: Session, *, limit: int | None = None, offset: int = 0) -> tuple[list[EventView], int]:
    """Events and projects, newest first (undated ones last): one page and how many there are in all."""
    stmt = select(Event).order_by(Event.starts_on.is_(None), Event.starts_on.desc(), Event.id.desc())
    rows, total = paged(session, stmt, limit=limit, offset=offset)
    return [EventView.of(e) for e in rows], total


def get_or_create_event(session: Session, name: str, *, on: date | None = None, kind: str = "event") -> Event:
    """The event called ``name`` (created if new), used by ``kith add --met-at``."""
    found = [e for e in session.scalars(select(Event)).all() if fold(e.name) == fold(name)]
    if found:
        return found[0]
    return add_event(session, name, kind=kind, starts_on=on)


def resolve_event(session: Session, ref: str) -> Event:
    """An event or project by id or by (part of) its name."""
    text = ref.strip()
    if text.lstrip("#").isdigit():
        return get_event(session, int(text.lstrip("#")))
    events = session.scalars(select(Event).order_by(Event.id)).all()
    exact = [e for e in events if fold(e.name) == fold(text)]
    if len(exact) == 1:
        return exact[0]
    partial = [e for e in events if fold(text) in fold(e.name)]
    if len(partial) == 1:
        return partial[0]
    if not partial:
        raise NotFound(f"no event or project called '{text}'")
    raise AmbiguousPerson(text, [(e.id, e.name) for e in partial])


@journaled(lambda session, event, person, **_: f"Put {person.display_name} on {event.name}")
def add_member(
    session: Session, event: Event, person: Person, *, role: str = "attendee", behind_scenes: bool = False
) -> EventMember:
    """Put a person on an event or project (idempotent; updates the role)."""
    member = session.scalars(
        select(EventMember).where(EventMember.event_id == event.id, EventMember.person_id == person.id)
    ).first()
    if member is None:
        member = EventMember(event_id=event.id, person_id=person.id, role=role, behind_scenes=behind_scenes)
        session.add(member)
    else:
        member.role, member.behind_scenes = role, behind_scenes
    session.flush()
    return member


def members_of(session: Session, event: Event) -> list[EventMember]:
    """Everyone on an event or project."""
    return list(session.scalars(select(EventMember).where(EventMember.event_id == event.id)).all())


@dataclass(frozen=True)
class EventWithPeople:
    """An event or project and who was there, as the web's events page lists it."""

    event: EventView
    people: tuple[tuple[int, str, str], ...]  # (person id, name, role), by name


def events_with_people(session: Session, *, limit: int = 50, offset: int = 0) -> tuple[list[EventWithPeople], int]:
    """One page of events and projects, newest first, each with its people; and how many there are in all."""
    views, total = list_events(session, limit=limit, offset=offset)
    ids = [v.id for v in views]
    people: dict[int, list[tuple[int, str, str]]] = {i: [] for i in ids}
    if ids:
        rows = session.execute(
            select(EventMember.event_id, Person.id, Person.display_name, EventMember.role)
            .join(Person, Person.id == EventMember.person_id)
            .where(EventMember.event_id.in_(ids)).order_by(Person.display_name, Person.id)
        ).all()
        for event_id, pid, name, role in rows:
            people[event_id].append((pid, name, role or ""))
    return [EventWithPeople(v, tuple(people[v.id])) for v in views], total
