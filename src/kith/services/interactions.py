"""Interactions: what happened with whom, when, how deep, who reached out, how it felt."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kith.engine.kinds import IMPLIED_DIRECTION, KINDS, Direction
from kith.errors import BadInput, NotFound
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
) -> Interaction:
    """Record one interaction with one or several people."""
    if not people:
        raise BadInput("an interaction needs at least one person")
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


def interactions_of(session: Session, person: Person | None = None, *, limit: int | None = None) -> list[Interaction]:
    """Interactions, newest first; only one person's when ``person`` is given."""
    stmt = select(Interaction).options(selectinload(Interaction.participants))
    if person is not None:
        stmt = stmt.where(
            Interaction.id.in_(
                select(InteractionParticipant.interaction_id).where(InteractionParticipant.person_id == person.id)
            )
        )
    stmt = stmt.order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt).all())


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a person's timeline: the interaction's plain values and how many took part."""

    id: int
    occurred_at: datetime
    kind: str
    direction: str
    note: str
    people: int  # participants, the person included


def get_interaction(session: Session, interaction_id: int) -> Interaction:
    """One interaction of the current workspace."""
    inter = session.scalars(select(Interaction).where(Interaction.id == interaction_id)).first()
    if inter is None:
        raise NotFound(f"no interaction with id {interaction_id}")
    return inter


def delete_interaction(session: Session, inter: Interaction) -> None:
    """Remove an interaction."""
    session.delete(inter)
    session.flush()


def interaction_as_dict(inter: Interaction, names: dict[int, str] | None = None) -> dict[str, Any]:
    """JSON form of an interaction; ``names`` maps participant ids to names."""
    ids = [p.person_id for p in inter.participants]
    out: dict[str, Any] = {
        "id": inter.id,
        "on": inter.occurred_at.isoformat(),
        "kind": inter.kind,
        "direction": inter.direction,
        "sentiment": inter.sentiment,
        "note": inter.note,
        "source": inter.source,
        "people": ids,
        "event_id": inter.event_id,
    }
    if names is not None:
        out["names"] = [names.get(i, f"#{i}") for i in ids]
    return out
