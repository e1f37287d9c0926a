"""One person's score explained from their stored accumulators (no pass over their log).

:func:`kith.services.scores.explain` replays the person's interactions one by
one: milliseconds for most people, seconds for someone with tens of
thousands of interactions. The stored ``tie_state`` row already holds the
accumulators that replay would build, so the engine can score and explain
it directly. The caller passes the tie it already has (from a whole-network
:func:`~kith.services.scores.tie_scores`, which assigns the layer); the
explanation is used only if it reproduces that tie's score, otherwise (the
state moved, or the tie was scored as of an earlier moment than the stored
state) the exact replay answers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kith.engine.ties import DEFAULT_PARAMS, TieState, score
from kith.services.scores import PersonTie, decode_state, explain
from kith.store.models import Favor, Identifier, Person, PersonTag, Relation, Tag
from kith.store.models import TieState as TieStateRow

TOLERANCE = 1e-6  # score points: batch scoring and one-person scoring differ by float rounding only


def stored_state(session: Session, person_id: int) -> TieState | None:
    """The person's stored accumulators (empty if they have no contact), None if of another layout."""
    row = session.execute(
        select(TieStateRow.vector, TieStateRow.layout).where(TieStateRow.person_id == person_id)
    ).first()
    if row is None:
        return TieState()
    return decode_state(row.vector, row.layout)


def explained_tie(session: Session, person: Person, tie: PersonTie, as_of: datetime) -> tuple[PersonTie, bool]:
    """A copy of ``tie`` (scored as of ``as_of``) with its components and reasons, and whether the fast path served.

    ``tie`` itself is left unchanged (it may be shared between requests).
    """
    state = stored_state(session, person.id)
    if state is not None:
        closeness = None if person.closeness is None else float(person.closeness)
        detail = score(state, as_of, DEFAULT_PARAMS, closeness)
        if math.isclose(detail.score, tie.score, rel_tol=0.0, abs_tol=TOLERANCE):
            return replace(tie, components=dict(detail.components), reasons=list(detail.reasons)), True
    return explain(session, person, as_of, tie=replace(tie)).tie, False


class RelationLine(NamedTuple):
    """One relation as a person page lists it: ``src_id`` is ``kind`` of ``dst_id``."""

    src_id: int
    kind: str
    dst_id: int


class FavorLine(NamedTuple):
    """One favour as a person page lists it."""

    direction: str
    what: str
    status: str
    done_on: date | None


@dataclass(frozen=True)
class PersonDetails:
    """What a person page shows beside the score and the timeline, as plain values."""

    identifiers: list[tuple[str, str]]  # (kind, value), oldest first
    tags: list[str]
    relations: list[RelationLine]
    names: dict[int, str]  # the other people of the relations
    favors: list[FavorLine]  # newest first


def person_details(session: Session, person: Person) -> PersonDetails:
    """Contacts, tags, relations (with the other people's names) and favours: column queries, no ORM objects."""
    identifiers = [(kind, value) for kind, value in session.execute(
        select(Identifier.kind, Identifier.value).where(Identifier.person_id == person.id).order_by(Identifier.id))]
    tags = list(session.scalars(
        select(Tag.name).join(PersonTag, PersonTag.tag_id == Tag.id).where(PersonTag.person_id == person.id)
        .order_by(Tag.name)))
    relations = [RelationLine(*row) for row in session.execute(
        select(Relation.src_id, Relation.kind, Relation.dst_id)
        .where(or_(Relation.src_id == person.id, Relation.dst_id == person.id)).order_by(Relation.id))]
    others = {r.src_id for r in relations} | {r.dst_id for r in relations}
    names = {pid: name for pid, name in session.execute(
        select(Person.id, Person.display_name).where(Person.id.in_(others)))} if others else {}
    favors = [FavorLine(*row) for row in session.execute(
        select(Favor.direction, Favor.what, Favor.status, Favor.done_on).where(Favor.person_id == person.id)
        .order_by(Favor.created_at.desc(), Favor.id.desc()))]
    return PersonDetails(identifiers, tags, relations, names, favors)


__all__ = ["FavorLine", "PersonDetails", "RelationLine", "explained_tie", "person_details", "stored_state"]
