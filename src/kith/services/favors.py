"""The favour ledger: favours received and given, asked, done, returned, declined."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kith.errors import BadInput, NotFound
from kith.store.models import Event, Favor, Person

DIRECTIONS = ("received", "given")
STATUSES = ("asked", "done", "returned", "declined")


def record_favor(
    session: Session, person: Person, direction: str, what: str, *, now: datetime,
    status: str = "done", asked_on: date | None = None, done_on: date | None = None,
    returned_on: date | None = None, event: Event | None = None,
) -> Favor:
    """Record a favour ``received`` from or ``given`` to a person."""
    if direction not in DIRECTIONS:
        raise BadInput(f"a favour is 'received' or 'given', not '{direction}'")
    if status not in STATUSES:
        raise BadInput(f"unknown favour status '{status}' (use {', '.join(STATUSES)})")
    favor = Favor(
        person_id=person.id, direction=direction, what=what, status=status,
        asked_on=asked_on, done_on=done_on if done_on or status == "asked" else now.date(),
        returned_on=returned_on, event_id=event.id if event else None, created_at=now,
    )
    session.add(favor)
    session.flush()
    return favor


def get_favor(session: Session, favor_id: int) -> Favor:
    """One favour of the current workspace."""
    favor = session.scalars(select(Favor).where(Favor.id == favor_id)).first()
    if favor is None:
        raise NotFound(f"no favour with id {favor_id}")
    return favor


def favors_of(session: Session, person: Person | None = None) -> list[Favor]:
    """Favours, newest first; one person's when given."""
    stmt = select(Favor)
    if person is not None:
        stmt = stmt.where(Favor.person_id == person.id)
    return list(session.scalars(stmt.order_by(Favor.created_at.desc(), Favor.id.desc())).all())


def favor_as_dict(f: Favor) -> dict[str, Any]:
    """JSON form of a favour."""
    def d(x: date | None) -> str | None:
        return x.isoformat() if x else None

    return {
        "id": f.id, "person_id": f.person_id, "direction": f.direction, "what": f.what,
        "status": f.status, "asked_on": d(f.asked_on), "done_on": d(f.done_on),
        "returned_on": d(f.returned_on), "event_id": f.event_id,
    }
