"""Interactions: what happened with whom, when, how deep, who reached out, how it felt."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kith import clock
from kith.engine.kinds import IMPLIED_DIRECTION, KINDS, Direction
from kith.errors import BadInput
from kith.services.paging import by_id
from kith.store.journal import journaled
from kith.store.models import Event, Interaction, InteractionParticipant, Person

BY_TO_DIRECTION = {"me": Direction.OUT, "them": Direction.IN, "both": Direction.MUTUAL}


def check_kind(kind: str) -> str:
    """The interaction kind, validated; unknown kinds list the known ones."""
    k = kind.strip().lower().replace("_", "-")
    if k not in KINDS:
        raise BadInput(f"unknown interaction kind '{kind}' (known: {', '.join(KINDS)})")
    return k


def check_direction(value: str | None, kind: str) -> str:
    """``out``/``in``/``mutual`` (or ``me``/``them``/``both``); default from the kind."""
    if value is None or value == "":
        return IMPLIED_DIRECTION.get(kind, Direction.MUTUAL).value
    v = value.strip().lower()
    if v in BY_TO_DIRECTION:
        return BY_TO_DIRECTION[v].value
    if v in {d.value for d in Direction}:
        return v
    raise BadInput(f"unknown direction '{value}' (use me, them or both; or out, in, mutual)")


def check_sentiment(value: int | None) -> int:
    """Sentiment from -2 (went badly) to 2 (went very well)."""
    if value is None:
        return 0
    if not -2 <= value <= 2:
        raise BadInput(f"sentiment must be between -2 and 2, not {value}")
    return value


# Later than now by more than this is the future: a clock or time zone a day off is not.
FUTURE_SLACK = timedelta(days=1)


def check_when(when: datetime, now: datetime, *, planned: bool = False) -> datetime:
    """When an interaction happens: within 1900-2100, and not in the future unless it is ``planned``."""
    when = clock.check_moment(when, "the interaction's date")
    if when > now + FUTURE_SLACK and not planned:
        raise BadInput(f"{when.date().isoformat()} is in the future; log a planned interaction with --planned "
                       "(or 'planned' in the API)")
    return when


@journaled(lambda session, people, kind, **_: f"Logged a {kind} with {_names(people)}")
def log_interaction(
    session: Session,
    people: Sequence[Person],
    kind: str,
    *,
    when: datetime,
    now: datetime,
    direction: str | None = None,
    sentiment: int | None = None,
    note: str = "",
    source: str = "manual",
    dedupe_key: str | None = None,
    event: Event | None = None,
    planned: bool = False,
) -> Interaction:
    """Record one interaction with one or several people (a future one only when ``planned``)."""
    if not people:
        raise BadInput("an interaction needs at least one person")
    when = check_when(when, now, planned=planned)
    k = check_kind(kind)
    seen: set[int] = set()
    unique = [p for p in people if not (p.id in seen or seen.add(p.id))]  # type: ignore[func-returns-value]
    inter = Interaction(
        occurred_at=when,
        kind=k,
        direction=check_direction(direction, k),
        sentiment=check_sentiment(sentiment),
        note=note,
        source=source,
        dedupe_key=dedupe_key,
        event_id=event.id if event else None,
        created_at=now,
    )
    inter.participants = [InteractionParticipant(person_id=p.id) for p in unique]
    session.add(inter)
    session.flush()
    return inter


@dataclass(frozen=True)
class InteractionView:
    """An interaction as every interface shows it."""

    id: int
    on: datetime
    kind: str
    direction: str
    sentiment: int
    note: str
    source: str
    people: tuple[int, ...]
    event_id: int | None
    names: tuple[str, ...] | None = None  # the people's names, when asked for

    def as_dict(self) -> dict[str, Any]:
        """JSON form (``names`` only when known)."""
        out: dict[str, Any] = {
            "id": self.id, "on": self.on.isoformat(), "kind": self.kind, "direction": self.direction,
            "sentiment": self.sentiment, "note": self.note, "source": self.source, "people": list(self.people),
            "event_id": self.event_id,
        }
        if self.names is not None:
            out["names"] = list(self.names)
        return out


def view_of(inter: Interaction, names: dict[int, str] | None = None) -> InteractionView:
    """The view of one interaction (with its participants' names, if given)."""
    ids = tuple(p.person_id for p in inter.participants)
    return InteractionView(inter.id, inter.occurred_at, inter.kind, inter.direction, inter.sentiment, inter.note,
                           inter.source, ids, inter.event_id,
                           None if names is None else tuple(names.get(i, f"#{i}") for i in ids))


@dataclass(frozen=True)
class InteractionQuery:
    """Which interactions to list."""

    person_id: int | None = None
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_interactions(
    session: Session, query: InteractionQuery, *, limit: int | None = None, offset: int = 0, with_names: bool = False
) -> tuple[list[InteractionView], int]:
    """Interactions matching ``query``, newest first: one page and how many match in all."""
    stmt = select(Interaction)
    if query.person_id is not None:
        stmt = stmt.where(Interaction.id.in_(
            select(InteractionParticipant.interaction_id).where(InteractionParticipant.person_id == query.person_id)))
    if query.kind:
        stmt = stmt.where(Interaction.kind == check_kind(query.kind))
    if query.since is not None:
        stmt = stmt.where(Interaction.occurred_at >= query.since)
    if query.until is not None:
        stmt = stmt.where(Interaction.occurred_at <= query.until)
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    stmt = (stmt.options(selectinload(Interaction.participants))
            .order_by(Interaction.occurred_at.desc(), Interaction.id.desc()).offset(offset))
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = session.scalars(stmt).all()
    names = None
    if with_names:
        ids = {p.person_id for i in rows for p in i.participants}
        names = dict(session.execute(select(Person.id, Person.display_name).where(Person.id.in_(ids))).all()) if ids else {}
    return [view_of(i, names) for i in rows], total


@dataclass(frozen=True)
class InteractionChanges:
    """One edit of an interaction (None: unchanged)."""

    kind: str | None = None
    on: datetime | None = None
    direction: str | None = None
    sentiment: int | None = None
    note: str | None = None


@journaled(lambda session, inter, *_a, **_: f"Edited the {inter.kind} of {inter.occurred_at:%-d %b %Y}")
def edit_interaction(session: Session, inter: Interaction, changes: InteractionChanges) -> InteractionView:
    """Change an interaction (validated); the tie states of its people follow at commit."""
    if changes.kind is not None:
        inter.kind = check_kind(changes.kind)
    if changes.on is not None:
        inter.occurred_at = clock.check_moment(changes.on, "the interaction's date")
    if changes.direction is not None:
        inter.direction = check_direction(changes.direction, inter.kind)
    if changes.sentiment is not None:
        inter.sentiment = check_sentiment(changes.sentiment)
    if changes.note is not None:
        inter.note = changes.note
    session.flush()
    return view_of(inter)


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a person's timeline: the interaction's plain values and how many took part."""

    id: int
    occurred_at: datetime
    kind: str
    direction: str
    note: str
    sentiment: int
    people: int  # participants, the person included


def get_interaction(session: Session, interaction_id: int) -> Interaction:
    """One interaction of the current workspace."""
    return by_id(session, Interaction, interaction_id, "interaction")


@journaled(lambda session, inter: f"Deleted the {inter.kind} of {inter.occurred_at:%-d %b %Y}")
def delete_interaction(session: Session, inter: Interaction) -> None:
    """Remove an interaction."""
    session.delete(inter)
    session.flush()


def _names(people: Sequence[Person]) -> str:
    names = [p.display_name for p in people]
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
