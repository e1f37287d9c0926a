"""Tie scores for everyone in the workspace, as of a date.

This is the bridge between the store and the tie-strength engine: every other
capability (agenda, report, reach, ask, web) asks here for strengths.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kith.engine.kinds import KINDS
from kith.store.models import Interaction, InteractionParticipant, Person


@dataclass
class PersonTie:
    """One person's tie as of a date."""

    person_id: int
    score: float  # 0-100
    layer: str
    readiness: float  # 0-100: could I ask them a favour now?
    callable: bool
    last_at: datetime | None
    learned_gap_days: float | None = None
    components: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)


def tie_scores(session: Session, as_of: datetime, person_ids: Iterable[int] | None = None) -> dict[int, PersonTie]:
    """Scores of every (or the given) non-archived person as of ``as_of``.

    Provisional implementation (decayed depth with a 90-day half-life) until
    the engine's accumulators land; the interface is the stable part.
    """
    people = select(Person.id, Person.closeness).where(Person.archived.is_(False))
    if person_ids is not None:
        people = people.where(Person.id.in_(list(person_ids)))
    rows = session.execute(people).all()
    activity: dict[int, float] = defaultdict(float)
    last: dict[int, datetime] = {}
    stmt = (
        select(InteractionParticipant.person_id, Interaction.occurred_at, Interaction.kind)
        .join(Interaction, Interaction.id == InteractionParticipant.interaction_id)
        .where(Interaction.occurred_at <= as_of)
    )
    for pid, at, kind in session.execute(stmt):
        age = (as_of - at).total_seconds() / 86400
        activity[pid] += KINDS[kind].depth * 2 ** (-age / 90)
        if pid not in last or at > last[pid]:
            last[pid] = at
    out: dict[int, PersonTie] = {}
    for pid, closeness in rows:
        score = float(closeness) if closeness is not None else 100 * (1 - math.exp(-activity[pid] / 3))
        layer = "inner" if score >= 80 else "close" if score >= 65 else "active" if score >= 45 else (
            "meaningful" if score >= 25 else "acquaintance" if score > 0 else "dormant")
        out[pid] = PersonTie(pid, round(score, 1), layer, round(score, 1), score >= 45, last.get(pid))
    return out
