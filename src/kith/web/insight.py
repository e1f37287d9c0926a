"""Computed views the pages share, cached per worker and validated against the database.

Whole-network scores, the agenda, the report and the monthly activity are the
expensive part of the dashboard, the people list and the report page (seconds
at 30,000 people and 1,000,000 interactions). A worker computes each once per
workspace and *data version* and serves it from memory until the version
moves; correctness never depends on the cache, because every use validates:

- the **quick version** (every request, about a millisecond): the newest id of
  every table the figures read, and this worker's own write generation (bumped
  after any committed change to a workspace, see :func:`_note_commit`), so a
  change made through this worker shows on its very next page;
- the **full version** (re-read at most every :data:`REVALIDATE` seconds per
  worker and workspace, and always before a computation): counts, newest
  ``updated_at`` of people and tie states (edited or deleted interactions
  rebuild their people's tie states, so they move it), favour and goal
  states. It catches edits and deletions made by another worker or the CLI.

Values are also keyed by the hour of ``as_of``: scores decay and the agenda
depends on the day. Each value records the moment it was computed for, and
pages show it. When many requests find a value missing at once, one computes
it (a lock per workspace and view) and the others wait for it.
"""

from __future__ import annotations

import functools
import gc
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import case, event, func, select, text
from sqlalchemy.orm import ORMExecuteState, Session

from kith.engine.kinds import LAYERS
from kith.services.cadences import CadenceRules, cadence_rules
from kith.services.scores import PersonTie, tie_scores
from kith.store.models import (
    AgendaMark,
    ApiToken,
    Cadence,
    Event,
    EventMember,
    Favor,
    Goal,
    ImportRun,
    Interaction,
    LoginAttempt,
    Membership,
    Organization,
    Person,
    PersonTag,
    Relation,
    User,
    Workspace,
)
from kith.store.models import TieState as TieStateRow
from kith.store.scope import WS_KEY, workspace_id

T = TypeVar("T")
REVALIDATE = 1.0  # seconds between two reads of the full version, per worker and workspace
_IRRELEVANT = (ApiToken, User, Membership, LoginAttempt, ImportRun, Workspace)  # writes that change no figure
_DIRTY = "kith_web_dirty"
_QUICK = "kith_web_quick"  # this session's quick version, until it writes

_LOCK = threading.Lock()  # guards the dicts below (never held while computing)
_GENERATION: dict[int, int] = {}  # workspace -> this worker's committed changes
_FULL: dict[int, tuple[float, tuple[Any, ...]]] = {}  # workspace -> (read at, full version)
_ENTRIES: dict[tuple[int, str], _Entry] = {}
_COMPUTING: dict[tuple[int, str], threading.Lock] = {}
STATS: Counter[str] = Counter()  # hits, misses, full version reads (for tests and benchmarks)


@dataclass(frozen=True)
class _Entry:
    quick: tuple[Any, ...]
    full: tuple[Any, ...]
    hour: datetime
    as_of: datetime
    value: Any


# ---------------------------------------------------------------- versions


def _max(column: Any) -> Any:
    return select(func.max(column)).scalar_subquery()


def _agg(expr: Any) -> Any:
    return select(expr).scalar_subquery()


def _count(model: Any) -> Any:
    return select(func.count()).select_from(model).scalar_subquery()


# The tables whose newest id the quick version reads (what the figures depend on).
_QUICK_TABLES = (Person, Interaction, Favor, Relation, AgendaMark, Goal, Event, Cadence, Organization)
_QUICK_SQL = text("SELECT " + ", ".join(
    f"(SELECT max(id) FROM {model.__tablename__} WHERE workspace_id = :ws)" for model in _QUICK_TABLES
))


def quick_version(session: Session) -> tuple[Any, ...]:
    """Newest id per table the figures read (primary-key lookups only) and this worker's writes.

    One plain SQL statement with an explicit workspace filter (it runs on every
    page: the ORM would spend longer building it than the database running
    it), read once per session while nothing is written (a page asks for
    several views): any flush or write statement drops the memo.
    """
    ws = workspace_id(session)
    memo = session.info.get(_QUICK)
    if memo is None:
        memo = tuple(session.connection().execute(_QUICK_SQL, {"ws": ws}).one())
        session.info[_QUICK] = memo
    with _LOCK:
        generation = _GENERATION.get(ws, 0)
    return (*memo, generation)


def full_version(session: Session) -> tuple[Any, ...]:
    """What moves on edits and deletions too: counts, newest updates, favour and goal states.

    Deliberately no count of the million-row interaction tables (tens of
    milliseconds each on SQLite): an interaction edited or deleted through the
    ORM rebuilds its people's tie states, which moves ``tie_state``'s newest
    ``updated_at`` and count.
    """
    STATS["full_version"] += 1
    return tuple(session.execute(_full_statement()).one())


@functools.cache
def _full_statement() -> Any:
    return select(
        _count(Person), _max(Person.updated_at),
        _count(TieStateRow), _max(TieStateRow.updated_at),
        _count(Favor), _agg(func.count(Favor.done_on)), _agg(func.count(Favor.returned_on)),
        _max(Favor.done_on), _max(Favor.returned_on), _agg(func.sum(func.length(Favor.status))),
        _count(Relation), _count(AgendaMark), _max(AgendaMark.until),
        _count(EventMember), _count(Event), _count(PersonTag), _count(Organization),
        _count(Goal), _agg(func.sum(case((Goal.status == "active", 1), else_=0))),
        _count(Cadence), _agg(func.sum(Cadence.days)),
    )


def _current_full(session: Session, ws: int, *, fresh: bool) -> tuple[Any, ...]:
    now = time.monotonic()
    with _LOCK:
        memo = _FULL.get(ws)
    if memo is not None and not fresh and now - memo[0] < REVALIDATE:
        return memo[1]
    full = full_version(session)
    with _LOCK:
        _FULL[ws] = (now, full)
    return full


def data_version(session: Session) -> tuple[Any, ...]:
    """The whole data version (quick and full), read now."""
    return (*quick_version(session), *full_version(session))


def _hour(as_of: datetime) -> datetime:
    return as_of.replace(minute=0, second=0, microsecond=0)


# ---------------------------------------------------------------- the cache


def cached(session: Session, name: str, as_of: datetime, compute: Callable[[], T]) -> tuple[T, datetime]:
    """The view ``name`` of the session's workspace and the moment it was computed for.

    Valid while the data version and the hour of ``as_of`` stay the same; when
    it is missing, one caller computes it and concurrent callers wait for it.
    """
    ws = workspace_id(session)
    key = (ws, name)
    hour = _hour(as_of)
    quick = quick_version(session)
    full = _current_full(session, ws, fresh=False)
    with _LOCK:
        entry = _ENTRIES.get(key)
    if entry is not None and entry.hour == hour and entry.quick == quick and entry.full == full:
        STATS["hit"] += 1
        return entry.value, entry.as_of
    with _LOCK:
        gate = _COMPUTING.setdefault(key, threading.Lock())
    with gate:
        with _LOCK:
            entry = _ENTRIES.get(key)
        if entry is not None and entry.hour == hour and entry.quick == quick and entry.full == full:
            STATS["hit"] += 1  # computed by another request while this one waited
            return entry.value, entry.as_of
        STATS["miss"] += 1
        full = _current_full(session, ws, fresh=True)  # the version the value is computed from
        value = compute()
        with _LOCK:
            _ENTRIES[key] = _Entry(quick, full, hour, as_of, value)
        _settle()
        return value, as_of


def _settle() -> None:
    """Keep the garbage collector off the cached views.

    Tens of thousands of cached ties made every full collection of the
    cyclic garbage collector traverse them (a 150 ms pause every few dozen
    requests, and ~3 ms per request in younger collections). Freezing moves
    the objects alive now out of its sight; values are still freed by
    reference counting when replaced. Unfreezing and collecting first lets
    cyclic garbage frozen by the previous computation go.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def forget(session: Session) -> None:
    """Drop this worker's cached views of the session's workspace (optional: versions catch changes)."""
    ws = workspace_id(session)
    with _LOCK:
        for key in [k for k in _ENTRIES if k[0] == ws]:
            del _ENTRIES[key]
        _FULL.pop(ws, None)


def clear() -> None:
    """Drop every cached view of this worker (tests)."""
    with _LOCK:
        _ENTRIES.clear()
        _FULL.clear()
        STATS.clear()


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _ctx: Any) -> None:
    session.info.pop(_QUICK, None)
    if session.info.get(WS_KEY) is None:
        return
    if any(not isinstance(o, _IRRELEVANT) for o in (*session.new, *session.dirty, *session.deleted)):
        session.info[_DIRTY] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    if state.session.info.get(WS_KEY) is None:
        return
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_DIRTY] = True
        state.session.info.pop(_QUICK, None)


@event.listens_for(Session, "after_commit")
def _note_commit(session: Session) -> None:
    """A committed change: this worker's cached views of the workspace are stale."""
    session.info.pop(_QUICK, None)
    ws = session.info.get(WS_KEY)
    if ws is None or not session.info.pop(_DIRTY, False):
        return
    with _LOCK:
        _GENERATION[ws] = _GENERATION.get(ws, 0) + 1
        _FULL.pop(ws, None)


@event.listens_for(Session, "after_soft_rollback")
def _note_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(_DIRTY, None)
    session.info.pop(_QUICK, None)


# ---------------------------------------------------------------- the views


def scores(session: Session, as_of: datetime) -> Mapping[int, PersonTie]:
    """Every non-archived person's tie as of about ``as_of`` (cached, see the module doc).

    The ties are shared between requests: read them, never change them.
    """
    return scores_at(session, as_of)[0]


def scores_at(session: Session, as_of: datetime) -> tuple[Mapping[int, PersonTie], datetime]:
    """The cached ties and the moment they were computed for."""
    return cached(session, "scores", as_of, lambda: tie_scores(session, as_of))


@dataclass(frozen=True)
class Headline:
    """Network size next to callable size, and the layers."""

    size: int
    callable: int
    layers: dict[str, int]


def headline(ties: Mapping[int, PersonTie]) -> Headline:
    """The quality headline of a set of scores."""
    counts = Counter(t.layer for t in ties.values())
    return Headline(len(ties), sum(1 for t in ties.values() if t.callable), {k: counts.get(k, 0) for k in LAYERS})


def cached_headline(session: Session, as_of: datetime) -> Headline:
    """The headline of the cached scores (itself cached)."""
    value: Headline = cached(session, "headline", as_of, lambda: headline(scores(session, as_of)))[0]
    return value


def score_order(session: Session, as_of: datetime, layer: str | None = None) -> list[int]:
    """Ids of the scored people (of one layer), strongest first (cached)."""

    def compute() -> list[int]:
        ties = scores(session, as_of)
        chosen = [t for t in ties.values() if layer is None or t.layer == layer]
        return [t.person_id for t in sorted(chosen, key=lambda t: (-t.score, t.person_id))]

    value: list[int] = cached(session, f"order:{layer or '*'}", as_of, compute)[0]
    return value


def layer_of(session: Session, as_of: datetime) -> dict[int, str]:
    """Each scored person's layer (cached)."""
    value: dict[int, str] = cached(
        session, "layers", as_of, lambda: {pid: t.layer for pid, t in scores(session, as_of).items()}
    )[0]
    return value


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

    result: list[tuple[str, int]] = cached(session, f"monthly{months}", as_of, compute)[0]
    return result


@dataclass(frozen=True)
class PersonRef:
    """A person's id and name, safe to keep between requests (unlike ORM rows)."""

    id: int
    display_name: str


def cooling_key_ties(session: Session, as_of: datetime, limit: int = 8) -> list[tuple[PersonRef, PersonTie]]:
    """Key people whose last contact is oldest (the ties most at risk), cached."""

    def compute() -> list[tuple[PersonRef, PersonTie]]:
        ties = scores(session, as_of)
        keys = session.execute(
            select(Person.id, Person.display_name).where(Person.is_key.is_(True), Person.archived.is_(False))
        ).all()
        far = as_of - timedelta(days=365 * 50)
        ranked = sorted((r for r in keys if r[0] in ties), key=lambda r: ties[r[0]].last_at or far)
        cooling = [r for r in ranked if (ties[r[0]].last_at or far) < as_of - timedelta(days=30)]
        return [(PersonRef(r[0], r[1]), ties[r[0]]) for r in cooling[:limit]]

    value: list[tuple[PersonRef, PersonTie]] = cached(session, f"cooling{limit}", as_of, compute)[0]
    return value


@dataclass(frozen=True)
class GoalBrief:
    """What a person page needs of an active goal to say whether the person is relevant to it."""

    id: int
    title: str
    target_orgs: tuple[str, ...]
    industries: tuple[str, ...]
    roles: tuple[str, ...]
    tags: tuple[str, ...]


def active_goals(session: Session, as_of: datetime) -> list[GoalBrief]:
    """The active goals, as plain values (cached)."""

    def compute() -> list[GoalBrief]:
        goals = session.scalars(select(Goal).where(Goal.status == "active").order_by(Goal.id)).all()
        return [GoalBrief(g.id, g.title, tuple(g.target_orgs or ()), tuple(g.industries or ()), tuple(g.roles or ()),
                          tuple(g.tags or ())) for g in goals]

    value: list[GoalBrief] = cached(session, "goals", as_of, compute)[0]
    return value


def cadences(session: Session, as_of: datetime) -> CadenceRules:
    """The explicit cadences (cached)."""
    value: CadenceRules = cached(session, "cadences", as_of, lambda: cadence_rules(session))[0]
    return value
