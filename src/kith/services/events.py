"""Events (where people were met) and projects (what people worked on together)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kith.errors import AmbiguousPerson, BadInput, NotFound
from kith.normalize import fold
from kith.store.models import Event, EventMember, Person

EVENT_KINDS = ("event", "project")


def add_event(
    session: Session, name: str, *, kind: str = "event", starts_on: date | None = None,
    ends_on: date | None = None, location: str = "", note: str = "",
) -> Event:
    """Create an event or a project."""
    if kind not in EVENT_KINDS:
        raise BadInput(f"unknown event kind '{kind}' (use event or project)")
    clean = " ".join(name.split())
    if not clean:
        raise BadInput("an event needs a name")
    ev = Event(name=clean, kind=kind, starts_on=starts_on, ends_on=ends_on, location=location, note=note)
    session.add(ev)
    session.flush()
    return ev


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
        ev = session.scalars(select(Event).where(Event.id == int(text.lstrip("#")))).first()
        if ev is None:
            raise NotFound(f"no event or project with id {text}")
        return ev
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


def event_as_dict(ev: Event) -> dict[str, Any]:
    """JSON form of an event or project."""
    return {
        "id": ev.id, "name": ev.name, "kind": ev.kind,
        "starts_on": ev.starts_on.isoformat() if ev.starts_on else None,
        "ends_on": ev.ends_on.isoformat() if ev.ends_on else None,
        "location": ev.location, "note": ev.note,
    }
