"""Computed views the pages share, cached per worker and checked against the database.

Scores over a whole network are the expensive part of the dashboard and the
people list. A worker keeps the last result per workspace with the data
version it was computed from (newest interaction, person change, favour and
relation, and counts of people) and the hour it was computed for; any change a
worker can see in the database makes it recompute, so several workers never
disagree for longer than :data:`MAX_AGE` (only deletions of interactions,
which move no version, wait for it).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kith.engine.kinds import LAYERS
from kith.services.scores import PersonTie, tie_scores
from kith.store.models import Favor, Interaction, Person, Relation
from kith.store.scope import workspace_id

MAX_AGE = 60.0  # seconds
_LOCK = threading.Lock()
_CACHE: dict[tuple[str, int], tuple[tuple[Any, ...], float, Any]] = {}


def data_version(session: Session) -> tuple[Any, ...]:
    """What changes whenever scores could change (cheap: index lookups only)."""
    row = session.execute(
        select(
            select(func.max(Interaction.id)).scalar_subquery(),
            select(func.max(Person.updated_at)).scalar_subquery(),
            select(func.max(Person.id)).scalar_subquery(),
            select(func.max(Favor.id)).scalar_subquery(),
            select(func.max(Relation.id)).scalar_subquery(),
        )
    ).one()
    return tuple(row)


def _cached(session: Session, name: str, as_of: datetime, compute: Any) -> Any:
    key = (name, workspace_id(session))
    version = (*data_version(session), as_of.replace(minute=0, second=0, microsecond=0))
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is not None and hit[0] == version and time.monotonic() - hit[1] < MAX_AGE:
        return hit[2]
    value = compute()
    with _LOCK:
        _CACHE[key] = (version, time.monotonic(), value)
    return value


def forget(session: Session) -> None:
    """Drop this worker's cached views of the session's workspace (after a write)."""
    ws = workspace_id(session)
    with _LOCK:
        for key in [k for k in _CACHE if k[1] == ws]:
            del _CACHE[key]


def scores(session: Session, as_of: datetime) -> dict[int, PersonTie]:
    """Every non-archived person's tie as of ``as_of`` (cached, see the module doc)."""
    result: dict[int, PersonTie] = _cached(session, "scores", as_of, lambda: tie_scores(session, as_of))
    return result


@dataclass
class Headline:
    """Network size next to callable size, and the layers."""

    size: int
    callable: int
    layers: dict[str, int]


def headline(ties: dict[int, PersonTie]) -> Headline:
    """The quality headline of a set of scores."""
    counts = Counter(t.layer for t in ties.values())
    return Headline(len(ties), sum(1 for t in ties.values() if t.callable), {k: counts.get(k, 0) for k in LAYERS})


def monthly_activity(session: Session, as_of: datetime, months: int = 12) -> list[tuple[str, int]]:
    """Interactions per month for the last ``months`` months, oldest first (cached)."""

    def compute() -> list[tuple[str, int]]:
        start = (as_of.replace(day=1) - timedelta(days=31 * (months - 1))).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        rows = session.execute(
            select(Interaction.occurred_at).where(Interaction.occurred_at >= start, Interaction.occurred_at <= as_of)
        ).scalars()
        counts = Counter(at.strftime("%Y-%m") for at in rows)
        labels = []
        y, m = start.year, start.month
        for _ in range(months):
            labels.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return [(label, counts.get(label, 0)) for label in labels]

    result: list[tuple[str, int]] = _cached(session, f"monthly{months}", as_of, compute)
    return result


def cooling_key_ties(session: Session, ties: dict[int, PersonTie], as_of: datetime, limit: int = 8) -> list[tuple[Person, PersonTie]]:
    """Key people whose last contact is oldest (the ties most at risk)."""
    keys = session.scalars(select(Person).where(Person.is_key.is_(True), Person.archived.is_(False))).all()
    far = as_of - timedelta(days=365 * 50)
    ranked = sorted(
        (p for p in keys if p.id in ties),
        key=lambda p: ties[p.id].last_at or far,
    )
    cooling = [p for p in ranked if (ties[p.id].last_at or far) < as_of - timedelta(days=30)]
    return [(p, ties[p.id]) for p in cooling[:limit]]
