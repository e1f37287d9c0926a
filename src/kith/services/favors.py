"""The favour ledger: favours received and given, asked, done, returned, declined."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kith.errors import BadInput
from kith.services.paging import by_id, paged
from kith.services.people import names_of
from kith.store.journal import journaled
from kith.store.models import Event, Favor, Person

DIRECTIONS = ("received", "given")
STATUSES = ("asked", "done", "returned", "declined")
OPEN = ("asked", "done")  # statuses of a favour still open on the ledger


@dataclass(frozen=True)
class FavorView:
    """A favour as every interface shows it."""

    id: int
    person_id: int
    direction: str
    what: str
    status: str
    asked_on: date | None
    done_on: date | None
    returned_on: date | None
    event_id: int | None
    person_name: str = ""

    @classmethod
    def of(cls, f: Favor, person_name: str = "") -> FavorView:
        """The view of a stored favour (``person_name``: who it was with, where the caller has it)."""
        return cls(f.id, f.person_id, f.direction, f.what or "", f.status, f.asked_on, f.done_on, f.returned_on,
                   f.event_id, person_name)

    @property
    def open(self) -> bool:
        """Still open on the ledger: asked and not done yet, or done and not returned (nor declined)."""
        return self.status in OPEN

    def as_dict(self) -> dict[str, Any]:
        """JSON form (dates as ISO text)."""
        def d(x: date | None) -> str | None:
            return x.isoformat() if x else None

        return {"id": self.id, "person_id": self.person_id, "direction": self.direction, "what": self.what,
                "status": self.status, "asked_on": d(self.asked_on), "done_on": d(self.done_on),
                "returned_on": d(self.returned_on), "event_id": self.event_id, "person_name": self.person_name}


@dataclass(frozen=True)
class FavorChanges:
    """Fields to change on a favour; ``None`` leaves a field as it is."""

    what: str | None = None
    status: str | None = None
    asked_on: date | None = None
    done_on: date | None = None
    returned_on: date | None = None


@journaled(lambda session, person, direction, what, **_: f"Recorded a favour {direction}: {what}")
def record_favor(
    session: Session, person: Person, direction: str, what: str, *, now: datetime,
    status: str = "done", asked_on: date | None = None, done_on: date | None = None,
    returned_on: date | None = None, event: Event | None = None,
) -> Favor:
    """Record a favour ``received`` from or ``given`` to a person."""
    if direction not in DIRECTIONS:
        raise BadInput(f"a favour is 'received' or 'given', not '{direction}'")
    _check_status(status)
    done_on = done_on if done_on or status == "asked" else now.date()
    _check_dates(asked_on, done_on, returned_on)
    favor = Favor(
        person_id=person.id, direction=direction, what=what, status=status,
        asked_on=asked_on, done_on=done_on, returned_on=returned_on,
        event_id=event.id if event else None, created_at=now,
    )
    session.add(favor)
    session.flush()
    return favor


@journaled(lambda session, favor, *_a, **_: f"Edited the favour {favor.what}")
def edit_favor(session: Session, favor: Favor, changes: FavorChanges, *, now: datetime) -> Favor:
    """Change a favour: a known status, dates in order (asked, done, returned).

    Marking it done or returned without a date records today, as recording one does.
    """
    status = changes.status if changes.status is not None else favor.status
    _check_status(status)
    asked = changes.asked_on if changes.asked_on is not None else favor.asked_on
    done = changes.done_on if changes.done_on is not None else favor.done_on
    returned = changes.returned_on if changes.returned_on is not None else favor.returned_on
    if status in ("done", "returned") and done is None:
        done = now.date()
    if status == "returned" and returned is None:
        returned = now.date()
    _check_dates(asked, done, returned)
    favor.status, favor.asked_on, favor.done_on, favor.returned_on = status, asked, done, returned
    if changes.what is not None:
        favor.what = changes.what
    session.flush()
    return favor


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise BadInput(f"unknown favour status '{status}' (use {', '.join(STATUSES)})")


def _check_dates(asked_on: date | None, done_on: date | None, returned_on: date | None) -> None:
    named = [(n, d) for n, d in (("asked", asked_on), ("done", done_on), ("returned", returned_on)) if d is not None]
    for (a, first), (b, then) in pairwise(named):
        if then < first:
            raise BadInput(f"a favour cannot be {b} ({then}) before it was {a} ({first})")


def get_favor(session: Session, favor_id: int) -> Favor:
    """One favour of the current workspace."""
    return by_id(session, Favor, favor_id, "favour")


@journaled(lambda session, favor: f"Deleted the favour {favor.what}")
def delete_favor(session: Session, favor: Favor) -> None:
    """Remove a favour from the ledger (the person's tie state follows, like any change of their log)."""
    session.delete(favor)
    session.flush()


def list_favors(
    session: Session, *, person_id: int | None = None, open_only: bool = False, limit: int | None = None,
    offset: int = 0,
) -> tuple[list[FavorView], int]:
    """Favours, newest first (one person's when ``person_id`` is given; only open ones with ``open_only``), with
    the name of whom each was with: one page and how many in all."""
    stmt = select(Favor)
    if person_id is not None:
        stmt = stmt.where(Favor.person_id == person_id)
    if open_only:
        stmt = stmt.where(Favor.status.in_(OPEN))
    rows, total = paged(session, stmt.order_by(Favor.created_at.desc(), Favor.id.desc()), limit=limit, offset=offset)
    names = names_of(session, {f.person_id for f in rows}) if rows else {}
    return [FavorView.of(f, names.get(f.person_id, "")) for f in rows], total


def view_of(session: Session, favor: Favor) -> FavorView:
    """The view of one favour, with the name of whom it was with."""
    person = session.get(Person, favor.person_id)
    return FavorView.of(favor, person.display_name if person is not None else "")
