"""The day's view of the network: the quality headline, today's agenda, cooling key ties, activity.

One read model (:class:`Dashboard`) for the web's dashboard and anything
else that shows the same figures; computed once per data version and hour
(:mod:`kith.services.memo`), because at 30,000 people it is the most expensive
page to compute and the most visited.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from kith.engine.kinds import AGENDA_ACTIONS, LAYERS
from kith.engine.readiness import CALLABLE_THRESHOLD
from kith.errors import BadInput
from kith.services.agenda import AgendaItem, agenda, agenda_page
from kith.services.memo import memoized, memoized_at
from kith.services.scores import PersonTie, TieTable, tie_scores
from kith.store import door
from kith.store.door import WS
from kith.store.models import ActivityMonth, Person

COOLING_DAYS = 30  # a key person not contacted for this long is "cooling" on the dashboard


@dataclass(frozen=True)
class Headline:
    """Network size next to callable size, and the layers."""

    size: int
    callable: int
    layers: dict[str, int]

    @property
    def callable_share(self) -> float:
        """The callable part of the network (0 for an empty one)."""
        return self.callable / self.size if self.size else 0.0


@dataclass(frozen=True)
class MonthActivity:
    """How many interactions one calendar month (``YYYY-MM``, UTC) holds."""

    month: str
    interactions: int


@dataclass(frozen=True)
class CoolingTie:
    """A key person whose last contact is long ago."""

    person_id: int
    name: str
    score: float
    layer: str
    last_at: datetime | None


@dataclass(frozen=True)
class Dashboard:
    """What the dashboard shows, as of ``as_of``."""

    as_of: datetime
    headline: Headline
    agenda: list[AgendaItem]  # the first items of today's agenda
    agenda_total: int  # how many items today's agenda has in all
    cooling: list[CoolingTie]
    monthly: list[MonthActivity]


def network_ties(session: Session, as_of: datetime) -> tuple[TieTable, datetime]:
    """Everyone's ties as of about ``as_of`` (memoized per data version and hour) and the moment they are for.

    For pages that show the whole network and say "as of"; exact figures as
    of a precise moment come from :func:`kith.services.scores.tie_scores`.
    """
    table, at = memoized_at(session, "scores", as_of, lambda: tie_scores(session, as_of))
    return table, at or as_of


def headline(ties: Mapping[int, PersonTie] | TieTable) -> Headline:
    """The quality headline of a set of scores."""
    if isinstance(ties, TieTable):
        counts = Counter(int(code) for code in ties.layer.tolist())
        by_layer = {name: counts.get(i, 0) for i, name in enumerate(LAYERS)}
        return Headline(len(ties.ids), int((ties.readiness >= CALLABLE_THRESHOLD).sum()), by_layer)
    named = Counter(t.layer for t in ties.values())
    return Headline(len(ties), sum(1 for t in ties.values() if t.callable), {k: named.get(k, 0) for k in LAYERS})


_MONTHS = (select(ActivityMonth.month, ActivityMonth.interactions)
           .where(ActivityMonth.workspace_id == WS, ActivityMonth.month >= bindparam("first"),
                  ActivityMonth.month <= bindparam("last")))


def month_labels(as_of: datetime, months: int) -> list[str]:
    """The ``YYYY-MM`` labels of the last ``months`` calendar months up to ``as_of``'s, oldest first."""
    y, m = as_of.year, as_of.month
    labels = []
    for _ in range(months):
        labels.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return labels[::-1]


def monthly_activity(session: Session, as_of: datetime, months: int = 12) -> list[MonthActivity]:
    """Interactions per calendar month for the last ``months`` months, oldest first.

    Read from ``activity_month``, which database triggers keep (migration
    0006): a dozen rows, not a year of the log. The current month counts every
    interaction logged in it, also those dated later than ``as_of``.
    """
    labels = month_labels(as_of, months)
    counts: dict[str, int] = {month: int(n) for month, n in door.rows(session, _MONTHS, first=labels[0], last=labels[-1])}
    return [MonthActivity(label, int(counts.get(label, 0))) for label in labels]


_KEY_PEOPLE = select(Person.id, Person.display_name).where(
    Person.workspace_id == WS, Person.is_key.is_(True), Person.archived.is_(False))


def cooling_key_ties(session: Session, ties: TieTable, as_of: datetime, limit: int = 8) -> list[CoolingTie]:
    """Key people whose last contact is oldest and more than COOLING_DAYS ago (never contacted first)."""
    far = as_of - timedelta(days=365 * 50)
    keys = [(pid, name) for pid, name in door.rows(session, _KEY_PEOPLE) if pid in ties]
    ranked = sorted(keys, key=lambda r: (ties[r[0]].last_at or far, r[0]))
    out = []
    for pid, name in ranked:
        tie = ties[pid]
        if (tie.last_at or far) >= as_of - timedelta(days=COOLING_DAYS):
            break
        out.append(CoolingTie(pid, name, tie.score, tie.layer, tie.last_at))
        if len(out) == limit:
            break
    return out


def todays_agenda(session: Session, as_of: datetime) -> list[AgendaItem]:
    """Today's whole agenda (memoized per data version and hour)."""
    return memoized(session, "agenda", as_of, lambda: agenda(session, as_of))


@dataclass(frozen=True)
class AgendaListing:
    """One page of today's whole agenda, optionally of one action only, and how many of each action there are."""

    items: list[AgendaItem]
    total: int  # items of the chosen action (all actions: the whole agenda)
    action: str | None
    by_action: dict[str, int]  # every action on today's agenda and its count, in the order of AGENDA_ACTIONS


def agenda_listing(session: Session, as_of: datetime, *, action: str | None = None, limit: int = 50,
                   offset: int = 0) -> AgendaListing:
    """The full agenda as the web's agenda page shows it: filtered by action, one page at a time.

    ``action`` must be one of :data:`~kith.engine.kinds.AGENDA_ACTIONS` (None: all).
    """
    if action is not None and action not in AGENDA_ACTIONS:
        raise BadInput(f"unknown agenda action '{action}' (use {', '.join(AGENDA_ACTIONS)})")
    everything = todays_agenda(session, as_of)
    counts = Counter(i.action for i in everything)
    chosen = everything if action is None else [i for i in everything if i.action == action]
    return AgendaListing(chosen[offset:offset + limit], len(chosen), action,
                         {a: counts[a] for a in AGENDA_ACTIONS if counts[a]})


def dashboard(session: Session, as_of: datetime, *, agenda_limit: int = 12) -> Dashboard:
    """The dashboard as of about ``as_of`` (memoized per data version and hour)."""

    def compute() -> Dashboard:
        ties, at = network_ties(session, as_of)
        items, total = agenda_page(session, as_of, agenda_limit, ties=ties if at == as_of else None)
        return Dashboard(at, headline(ties), items, total, cooling_key_ties(session, ties, at),
                         monthly_activity(session, at))

    return memoized(session, f"dashboard:{agenda_limit}", as_of, compute)


__all__ = [
    "AgendaListing", "CoolingTie", "Dashboard", "Headline", "MonthActivity", "agenda_listing", "cooling_key_ties", "dashboard", "headline",
    "month_labels", "monthly_activity", "network_ties", "todays_agenda",
]
