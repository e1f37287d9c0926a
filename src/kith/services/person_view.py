"""Everything a person page shows, read in six statements, and one person's score explained.

**The page's read.** :func:`person_page` reads the person (with their
organisation and stored accumulators), the newest interactions (with each
one's group size), the contacts, tags, relations (with the other people's
names) and favours. The statements are built once, at import, and run on the
session's connection with bound values: a person page is the most visited
page of a big network, and one of its statements through the ORM took
0.37-0.48 ms against 0.05-0.07 ms prebuilt (measured at 30,000 people). They
run through the store's door (:mod:`kith.store.door`), which binds the
workspace; they do not pass through the ORM's automatic workspace filter
(:mod:`kith.store.scope`), so each one names the workspace itself, on every
table it reads;
``tests/test_person_page.py`` proves that another workspace's person, and
relations stored in another workspace, stay out of sight.

**The explanation.** :func:`kith.services.scores.explain` replays the
person's interactions one by one: milliseconds for most people, seconds for
someone with tens of thousands of interactions. The stored ``tie_state`` row
already holds the accumulators that replay would build, so the engine can
score and explain it directly. The caller passes the tie it already has
(from a whole-network :func:`~kith.services.scores.tie_scores`, which assigns
the layer); the explanation is used only if it reproduces that tie's score,
otherwise (the state moved, or the tie was scored as of an earlier moment
than the stored state) the exact replay answers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import BindParameter, Integer, bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased

from kith.engine.ties import DEFAULT_PARAMS, TieState, score
from kith.errors import NotFound
from kith.normalize import is_derived_id
from kith.services.interactions import TimelineEntry
from kith.services.scores import PersonTie, explain
from kith.services.tie_states import decode_state, stored_state
from kith.store import door
from kith.store.door import WS
from kith.store.models import (
    Favor,
    Identifier,
    Interaction,
    InteractionParticipant,
    Organization,
    Person,
    PersonTag,
    Relation,
    Tag,
)
from kith.store.models import TieState as TieStateRow

TOLERANCE = 1e-6  # score points: batch scoring and one-person scoring differ by float rounding only


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
    id: int = 0  # the favour's id (for the page's "returned" button)


class PersonCard(NamedTuple):
    """The person's own fields that a page shows (plain values, no ORM object), in the order ``_CARD`` reads them."""

    id: int
    display_name: str
    title: str
    location: str
    notes: str
    met_on: date | None
    is_key: bool
    closeness: int | None
    org_name: str | None
    org_industry: str | None


@dataclass(frozen=True)
class PersonPage:
    """What a person page shows, as plain values."""

    person: PersonCard
    tie: PersonTie | None  # explained; None for an archived person
    timeline: list[TimelineEntry]  # newest first, at most the limit asked for
    identifiers: list[tuple[str, str]]  # (kind, value), oldest first
    tags: list[str]
    relations: list[RelationLine]
    names: dict[int, str]  # the other people of the relations
    favors: list[FavorLine]  # newest first


# ------------------------------------------------------------ the statements
# Bound values: ``ws`` (the workspace), ``pid`` (the person), ``limit``.
_WS = WS
_PID: BindParameter[int] = bindparam("pid", type_=Integer)

_CARD = (
    select(
        Person.id, Person.display_name, Person.title, Person.location, Person.notes, Person.met_on, Person.is_key,
        Person.closeness, Organization.name, Organization.industry,
        TieStateRow.vector,
    )
    .outerjoin(Organization, (Organization.id == Person.organization_id) & (Organization.workspace_id == _WS))
    .outerjoin(TieStateRow, (TieStateRow.person_id == Person.id) & (TieStateRow.workspace_id == _WS))
    .where(Person.id == _PID, Person.workspace_id == _WS)
)

# The page of interactions first, then the group size of those rows only:
# counting in the first query would group every interaction of a busy person.
_PAGE = (
    select(Interaction.id, Interaction.occurred_at, Interaction.kind, Interaction.direction, Interaction.note,
           Interaction.sentiment)
    .join(InteractionParticipant, InteractionParticipant.interaction_id == Interaction.id)
    .where(InteractionParticipant.person_id == _PID, InteractionParticipant.workspace_id == _WS,
           Interaction.workspace_id == _WS)
    .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
    .limit(bindparam("limit"))
    .cte("page")
)
_Others = aliased(InteractionParticipant)
_TIMELINE = select(
    _PAGE.c.id, _PAGE.c.occurred_at, _PAGE.c.kind, _PAGE.c.direction, _PAGE.c.note, _PAGE.c.sentiment,
    select(func.count()).where(_Others.interaction_id == _PAGE.c.id, _Others.workspace_id == _WS).scalar_subquery(),
).order_by(_PAGE.c.occurred_at.desc(), _PAGE.c.id.desc())

_IDENTIFIERS = (
    select(Identifier.kind, Identifier.value)
    .where(Identifier.person_id == _PID, Identifier.workspace_id == _WS)
    .order_by(Identifier.id)
)
_TAGS = (
    select(Tag.name)
    .join(PersonTag, (PersonTag.tag_id == Tag.id) & (PersonTag.workspace_id == _WS))
    .where(PersonTag.person_id == _PID, Tag.workspace_id == _WS)
    .order_by(Tag.name)
)
_Src = aliased(Person)
_Dst = aliased(Person)
_RELATIONS = (
    select(Relation.src_id, Relation.kind, Relation.dst_id, _Src.display_name, _Dst.display_name)
    .join(_Src, (_Src.id == Relation.src_id) & (_Src.workspace_id == _WS))
    .join(_Dst, (_Dst.id == Relation.dst_id) & (_Dst.workspace_id == _WS))
    .where(or_(Relation.src_id == _PID, Relation.dst_id == _PID), Relation.workspace_id == _WS)
    .order_by(Relation.id)
)
_FAVORS = (
    select(Favor.direction, Favor.what, Favor.status, Favor.done_on, Favor.id)
    .where(Favor.person_id == _PID, Favor.workspace_id == _WS)
    .order_by(Favor.created_at.desc(), Favor.id.desc())
)


def person_page(
    session: Session, person_id: int, tie: PersonTie | None, as_of: datetime, *, timeline_limit: int
) -> PersonPage:
    """Everything a person page shows; ``tie`` (scored as of ``as_of``, not changed) comes back explained.

    Raises :class:`NotFound` if the current workspace has no such person.
    """
    row = door.first(session, _CARD, pid=person_id)
    if row is None:
        raise NotFound(f"no person with id {person_id}")
    card = PersonCard._make(row[:10])
    state = _state(row.vector)
    if tie is not None:
        tie = _explained(session, card, state, tie, as_of)
    timeline = [TimelineEntry(*r) for r in door.rows(session, _TIMELINE, pid=person_id, limit=timeline_limit)]
    identifiers = [(kind, value) for kind, value in door.rows(session, _IDENTIFIERS, pid=person_id)
                   if not is_derived_id(kind, value)]
    tags = door.scalars(session, _TAGS, pid=person_id)
    relations: list[RelationLine] = []
    names: dict[int, str] = {}
    for src, kind, dst, src_name, dst_name in door.rows(session, _RELATIONS, pid=person_id):
        relations.append(RelationLine(src, kind, dst))
        names[src] = src_name
        names[dst] = dst_name
    favors = [FavorLine(*r) for r in door.rows(session, _FAVORS, pid=person_id)]
    return PersonPage(card, tie, timeline, identifiers, tags, relations, names, favors)


def _explained(session: Session, card: PersonCard, state: TieState | None, tie: PersonTie, as_of: datetime) -> PersonTie:
    """A copy of ``tie`` with its components and reasons: from ``state`` if it reproduces the score, else replayed."""
    if state is not None:
        closeness = None if card.closeness is None else float(card.closeness)
        detail = score(state, as_of, DEFAULT_PARAMS, closeness)
        if math.isclose(detail.score, tie.score, rel_tol=0.0, abs_tol=TOLERANCE):
            return replace(tie, components=dict(detail.components), reasons=list(detail.reasons))
    person = session.get(Person, card.id)
    if person is None:  # deleted between the two reads
        raise NotFound(f"no person with id {card.id}")
    return explain(session, person, as_of, tie=replace(tie)).tie


def _state(vector: bytes | None) -> TieState | None:
    """A stored record's accumulators: empty without a record (no contact yet), None if another layout wrote it."""
    return TieState() if vector is None else decode_state(vector)


def explained_tie(session: Session, person: Person, tie: PersonTie, as_of: datetime) -> PersonTie:
    """A copy of ``tie`` (scored as of ``as_of``) with its components and reasons; ``tie`` is left unchanged."""
    card = PersonCard(person.id, person.display_name, person.title, person.location, person.notes, person.met_on,
                      person.is_key, person.closeness, None, None)
    return _explained(session, card, stored_state(session, person.id), tie, as_of)


__all__ = [
    "FavorLine", "PersonCard", "PersonPage", "RelationLine", "explained_tie", "person_page",
]
