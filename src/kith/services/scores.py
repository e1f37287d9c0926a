"""Tie scores for everyone in the workspace, as of a date, from maintained accumulators.

This is the bridge between the store and the tie-strength engine
(:mod:`kith.engine.ties`): agenda, report, reach, ask and the web all ask here.

How the numbers stay cheap:

- Each person has a ``tie_state`` row: the engine's decayed accumulators
  (plus the sentiment of the newest contact). Session events keep it current:
  a new interaction is *added* to its participants' states (out-of-order
  inserts included); an edited or deleted interaction, or a participant
  moved by a merge, *rebuilds* the people it touches from their log. Writes
  that bypass the ORM (the bulk path) call :func:`rebuild_tie_states`.
- Scoring "as of" a moment after every logged interaction decays the stored
  accumulators (O(people)); scoring as of an earlier moment rebuilds them in
  memory from the interactions up to then (one vectorised pass).
- A cheap consistency check (contacts counted in the log vs in the states)
  rebuilds everything if the two ever disagree.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
from sqlalchemy import delete, event, func, insert, select
from sqlalchemy.orm import Session

from kith.engine.kinds import LAYERS
from kith.engine.layers import assign_network_layers
from kith.engine.readiness import Readiness, readiness
from kith.engine.ties import (
    DEFAULT_PARAMS,
    DIRECTION_CODE,
    KIND_INDEX,
    StateArrays,
    TieScore,
    TieState,
    Touch,
    build_arrays,
    layer_thresholds,
    score,
    score_batch,
)
from kith.store.models import Favor, Interaction, InteractionParticipant, Person
from kith.store.models import TieState as TieStateRow
from kith.store.scope import WS_KEY, workspace_id

LAST_SENTIMENT = "x_last_sentiment"
CONTACT_KINDS = tuple(KIND_INDEX)


@dataclass
class PersonTie:
    """One person's tie as of a date: strength, layer, rhythm and favour readiness."""

    person_id: int
    score: float  # 0-100
    layer: str
    readiness: float  # 0-100: could I ask them a favour now?
    callable: bool
    last_at: datetime | None
    learned_gap_days: float | None = None
    days_since_last: float | None = None
    cooling: bool = False
    last_sentiment: int = 0
    components: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "person_id": self.person_id, "score": round(self.score, 1), "layer": self.layer,
            "readiness": round(self.readiness, 1), "callable": self.callable,
            "last_at": self.last_at.isoformat() if self.last_at else None,
            "learned_gap_days": None if self.learned_gap_days is None else round(self.learned_gap_days, 1),
            "days_since_last": None if self.days_since_last is None else round(self.days_since_last, 1),
            "cooling": self.cooling,
        }


# ---------------------------------------------------------------- reading the log


def _touch_rows(session: Session, person_ids: Iterable[int] | None = None, until: datetime | None = None) -> Iterator[Any]:
    """(person_id, occurred_at, kind, direction, sentiment, group_size) of contact kinds."""
    sizes = (
        select(InteractionParticipant.interaction_id, func.count().label("n"))
        .group_by(InteractionParticipant.interaction_id)
        .subquery()
    )
    stmt = (
        select(
            InteractionParticipant.person_id, Interaction.occurred_at, Interaction.kind,
            Interaction.direction, Interaction.sentiment, sizes.c.n,
        )
        .join(Interaction, Interaction.id == InteractionParticipant.interaction_id)
        .join(sizes, sizes.c.interaction_id == Interaction.id)
        .where(Interaction.kind.in_(CONTACT_KINDS))
    )
    if person_ids is not None:
        stmt = stmt.where(InteractionParticipant.person_id.in_(list(person_ids)))
    if until is not None:
        stmt = stmt.where(Interaction.occurred_at <= until)
    yield from session.execute(stmt)


def _epoch(session: Session) -> Any:
    """SQL for an interaction's time as unix seconds (no datetime objects per row)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", Interaction.occurred_at)
    return (func.julianday(Interaction.occurred_at) - 2440587.5) * 86400.0


def _arrays_from_log(session: Session, ids: np.ndarray, until: datetime | None) -> tuple[StateArrays, np.ndarray]:
    """Accumulators of ``ids`` rebuilt in memory from the log (and last sentiments).

    Two column queries (interactions; participants) joined in numpy: a million
    interactions take about a second, where row-by-row ORM objects take tens.
    """
    stmt = select(
        Interaction.id, _epoch(session), Interaction.kind, Interaction.direction, Interaction.sentiment
    ).where(Interaction.kind.in_(CONTACT_KINDS))
    if until is not None:
        stmt = stmt.where(Interaction.occurred_at <= until)
    inter = session.execute(stmt.order_by(Interaction.id)).all()
    n_inter = len(inter)
    iid = np.fromiter((r[0] for r in inter), dtype=np.int64, count=n_inter)
    its = np.fromiter((r[1] for r in inter), dtype=np.float64, count=n_inter)
    ikind = np.fromiter((KIND_INDEX[r[2]] for r in inter), dtype=np.int64, count=n_inter)
    idir = np.fromiter((DIRECTION_CODE.get(r[3], 2) for r in inter), dtype=np.int64, count=n_inter)
    isent = np.fromiter((r[4] for r in inter), dtype=np.float64, count=n_inter)
    parts = session.execute(select(InteractionParticipant.interaction_id, InteractionParticipant.person_id)).all()
    pi = np.fromiter((r[0] for r in parts), dtype=np.int64, count=len(parts))
    pp = np.fromiter((r[1] for r in parts), dtype=np.int64, count=len(parts))
    row = np.searchsorted(iid, pi)  # participant -> interaction row
    known = (row < n_inter) & (iid[np.minimum(row, max(n_inter - 1, 0))] == pi) if n_inter else np.zeros(len(pi), bool)
    row, pp = row[known], pp[known]
    size = np.bincount(row, minlength=n_inter).astype(np.float64)
    order = np.argsort(ids)
    slot = np.searchsorted(ids, pp, sorter=order)
    slot = np.minimum(slot, max(len(ids) - 1, 0))
    mine = (len(ids) > 0) & (ids[order[slot]] == pp) if len(ids) else np.zeros(len(pp), bool)
    p, row = order[slot[mine]], row[mine]
    arrays = build_arrays(p, its[row], ikind[row], idir[row], isent[row], size[row], len(ids), DEFAULT_PARAMS)
    last_sent = np.zeros(len(ids))
    if len(p):
        last = np.lexsort((its[row], p))  # by person, then time: the last row per person wins
        last_sent[p[last]] = isent[row][last]
    return arrays, last_sent


def _ts(at: datetime) -> float:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


# ---------------------------------------------------------------- stored states


def rebuild_tie_states(session: Session, person_ids: Iterable[int] | None = None) -> int:
    """Recompute stored accumulators from the log (everyone, or ``person_ids``)."""
    if person_ids is None:
        ids = np.array(session.scalars(select(Person.id)).all(), dtype=np.int64)
        session.execute(delete(TieStateRow))
    else:
        ids = np.array(sorted(set(person_ids)), dtype=np.int64)
        if not len(ids):
            return 0
        session.execute(delete(TieStateRow).where(TieStateRow.person_id.in_(ids.tolist())))
        ids = np.array(session.scalars(select(Person.id).where(Person.id.in_(ids.tolist()))).all(), dtype=np.int64)
    arrays, last_sent = _arrays_from_log(session, ids, None)
    now = datetime.now(UTC)
    ws = workspace_id(session)
    rows = []
    for i, pid in enumerate(ids.tolist()):
        if arrays.n[i] <= 0:
            continue
        state = _state_at(arrays, i)
        flat = state.to_dict()
        flat[LAST_SENTIMENT] = float(last_sent[i])
        rows.append({"workspace_id": ws, "person_id": pid, "state": flat, "updated_at": now})
    for start in range(0, len(rows), 5000):
        session.execute(insert(TieStateRow), rows[start:start + 5000])
    return len(rows)


def _state_at(arrays: StateArrays, i: int) -> TieState:
    """Row ``i`` of ``arrays`` as a scalar state."""
    state = TieState(
        ref=float(arrays.ref[i]), n=int(arrays.n[i]), first=float(arrays.first[i]), last=float(arrays.last[i]),
        a=float(arrays.a[i]), a_hello=float(arrays.a_hello[i]), b=float(arrays.b[i]),
        b_hello=float(arrays.b_hello[i]), b_out=float(arrays.b_out[i]), b_in=float(arrays.b_in[i]),
        sent_sum=float(arrays.sent_sum[i]), sent_n=float(arrays.sent_n[i]),
    )
    for kind, j in KIND_INDEX.items():
        if arrays.counts[i, j] > 0:
            state.counts[kind] = round(float(arrays.counts[i, j]))
            state.recent[kind] = float(arrays.recent[i, j])
    return state


def _stored_arrays(session: Session, ids: np.ndarray) -> tuple[StateArrays, np.ndarray] | None:
    """Accumulators of ``ids`` as stored, or None when they disagree with the log."""
    stored: dict[int, dict[str, float]] = dict(
        ((pid, st) for pid, st in session.execute(select(TieStateRow.person_id, TieStateRow.state)))
    )
    if sum(int(flat.get("n", 0)) for flat in stored.values()) != contacts_in_log(session):
        return None
    states, last_sent = [], np.zeros(len(ids))
    for i, pid in enumerate(ids.tolist()):
        flat = stored.get(pid)
        if flat is None:
            states.append(TieState())
        else:
            states.append(TieState.from_dict(flat))
            last_sent[i] = flat.get(LAST_SENTIMENT, 0.0)
    return StateArrays.from_states(states), last_sent


def contacts_in_log(session: Session) -> int:
    """How many (person, contact) pairs the log holds: what the states must count."""
    return int(session.scalar(
        select(func.count())
        .select_from(InteractionParticipant)
        .join(Interaction, Interaction.id == InteractionParticipant.interaction_id)
        .where(Interaction.kind.in_(CONTACT_KINDS))
    ) or 0)


# ---------------------------------------------------------------- scoring


def tie_scores(
    session: Session, as_of: datetime, person_ids: Iterable[int] | None = None
) -> dict[int, PersonTie]:
    """Scores of every (or the given) non-archived person as of ``as_of``.

    Layers are assigned over the whole network (so the caps of about 5 inner,
    15 close, 50 active and 150 meaningful hold) before any filtering.
    """
    rows = session.execute(
        select(Person.id, Person.closeness).where(Person.archived.is_(False)).order_by(Person.id)
    ).all()
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    closeness = np.array([np.nan if r[1] is None else float(r[1]) for r in rows])
    arrays, last_sent = _current_arrays(session, ids, as_of)
    batch = score_batch(arrays, as_of, DEFAULT_PARAMS, closeness)
    layers = assign_network_layers(batch.score, layer_thresholds(DEFAULT_PARAMS))
    ledger = favour_ledger(session, as_of)
    wanted = None if person_ids is None else set(person_ids)
    out: dict[int, PersonTie] = {}
    for i, pid in enumerate(ids.tolist()):
        if wanted is not None and pid not in wanted:
            continue
        days = float(batch.days_since_last[i])
        tie = TieScore(
            score=float(batch.score[i]), layer=LAYERS[int(layers[i])], components={}, reasons=[],
            learned_gap_days=float(batch.learned_gap_days[i]) if arrays.n[i] >= 2 else None,
            days_since_last=None if math.isnan(days) else days, cooling=bool(batch.cooling[i]),
        )
        ready = _readiness(tie, ledger.get(pid), int(last_sent[i]), as_of, int(arrays.n[i]))
        out[pid] = PersonTie(
            person_id=pid, score=tie.score, layer=tie.layer, readiness=ready.value, callable=ready.callable,
            last_at=datetime.fromtimestamp(float(arrays.last[i]), UTC) if arrays.n[i] > 0 else None,
            learned_gap_days=tie.learned_gap_days, days_since_last=tie.days_since_last,
            cooling=tie.cooling, last_sentiment=int(last_sent[i]),
        )
    return out


def _current_arrays(session: Session, ids: np.ndarray, as_of: datetime) -> tuple[StateArrays, np.ndarray]:
    newest = session.scalar(select(func.max(Interaction.occurred_at)))
    if newest is not None and newest > as_of:
        return _arrays_from_log(session, ids, as_of)
    stored = _stored_arrays(session, ids)
    if stored is None:  # written around the ORM (bulk path) or drifted: rebuild once
        rebuild_tie_states(session)
        stored = _stored_arrays(session, ids)
        assert stored is not None
    return stored


@dataclass
class FavourBalance:
    """One person's open favours both ways and my last request to them."""

    i_owe: int = 0  # they did me a favour I have not returned
    owed_to_me: int = 0  # I did them one they have not returned
    last_ask: date | None = None


def favour_ledger(session: Session, as_of: datetime) -> dict[int, FavourBalance]:
    """Open favours per person as of a date, from the favour ledger."""
    day = as_of.date()
    ledger: dict[int, FavourBalance] = defaultdict(FavourBalance)
    rows = session.execute(
        select(Favor.person_id, Favor.direction, Favor.status, Favor.asked_on, Favor.done_on, Favor.returned_on)
    ).all()
    for pid, direction, status, asked_on, done_on, returned_on in rows:
        bal = ledger[pid]
        if direction == "received" and asked_on is not None and asked_on <= day:
            bal.last_ask = max(bal.last_ask or asked_on, asked_on)
        done = status in ("done", "returned") and (done_on is None or done_on <= day)
        open_ = done and not (returned_on is not None and returned_on <= day)
        if open_ and direction == "received":
            bal.i_owe += 1
        elif open_ and direction == "given":
            bal.owed_to_me += 1
    return dict(ledger)


def _readiness(
    tie: TieScore, bal: FavourBalance | None, last_sentiment: int, as_of: datetime, contacts: int
) -> Readiness:
    bal = bal or FavourBalance()
    since_ask = None if bal.last_ask is None else float((as_of.date() - bal.last_ask).days)
    return readiness(tie, bal.i_owe, bal.owed_to_me, since_ask, last_sentiment, contacts=contacts)


@dataclass
class Explanation:
    """A person's score, term by term, and their favour readiness, with reasons."""

    tie: PersonTie
    detail: TieScore
    readiness: Readiness

    def as_dict(self) -> dict[str, Any]:
        """JSON form: the contract's ``score``, ``layer`` and ``components``, and more."""
        return {
            **self.tie.as_dict(),
            "components": {k: round(v, 3) for k, v in self.detail.components.items()},
            "reasons": self.detail.reasons,
            "readiness_reasons": self.readiness.reasons,
        }


def explain(session: Session, person: Person, as_of: datetime) -> Explanation:
    """Score one person with every term's contribution and the reasons in words."""
    tie = tie_scores(session, as_of).get(person.id)
    if tie is None:  # archived: scored on their own, outside the layers
        tie = PersonTie(person.id, 0.0, "dormant", 0.0, False, None)
    touches = [
        Touch(at=_aware(r[1]), kind=r[2], direction=r[3], sentiment=r[4], group_size=int(r[5]))
        for r in _touch_rows(session, [person.id], as_of)
    ]
    state = TieState()
    for t in touches:
        state.add(t, DEFAULT_PARAMS)
    closeness = None if person.closeness is None else float(person.closeness)
    detail = score(state, as_of, DEFAULT_PARAMS, closeness)
    tie.components = detail.components
    tie.reasons = detail.reasons
    ready = _readiness(detail, favour_ledger(session, as_of).get(person.id), tie.last_sentiment, as_of, state.n)
    return Explanation(tie, detail, ready)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


# ---------------------------------------------------------------- keeping states current

_PENDING = "kith_tie_pending"


@event.listens_for(Session, "after_flush")
def _note_interaction_changes(session: Session, _ctx: Any) -> None:
    """Remember which interactions were added and which people need a rebuild."""
    if session.info.get(WS_KEY) is None:
        return
    pending = session.info.setdefault(_PENDING, {"add": [], "people": set(), "interactions": set()})
    added = [o for o in session.new if isinstance(o, Interaction)]
    pending["add"].extend(added)
    added_ids = {i.id for i in added}
    for obj in session.new:
        if isinstance(obj, InteractionParticipant) and obj.interaction_id not in added_ids:
            pending["interactions"].add(obj.interaction_id)  # someone joined: group size changed
    for obj in session.deleted:
        if isinstance(obj, InteractionParticipant):
            pending["people"].add(obj.person_id)
            pending["interactions"].add(obj.interaction_id)
    for obj in session.dirty:
        if isinstance(obj, Interaction) and session.is_modified(obj, include_collections=False):
            pending["interactions"].add(obj.id)
        elif isinstance(obj, InteractionParticipant) and session.is_modified(obj):
            pending["people"].add(obj.person_id)
            pending["interactions"].add(obj.interaction_id)


@event.listens_for(Session, "before_commit")
def _apply_interaction_changes(session: Session) -> None:
    """Fold the transaction's interaction changes into the stored states."""
    if session.info.get(WS_KEY) is None or _PENDING not in session.info:
        return
    session.flush()
    pending = session.info.pop(_PENDING)
    rebuild: set[int] = set(pending["people"])
    if pending["interactions"]:
        rebuild |= set(session.scalars(
            select(InteractionParticipant.person_id)
            .where(InteractionParticipant.interaction_id.in_(list(pending["interactions"])))
        ).all())
    if rebuild:
        rebuild_tie_states(session, rebuild)
    adds = [
        i for i in pending["add"]
        if i.kind in KIND_INDEX and not {p.person_id for p in i.participants} & rebuild
    ]
    _add_touches(session, adds)
    session.flush()
    session.info.pop(_PENDING, None)


def _add_touches(session: Session, inters: list[Interaction]) -> None:
    """Fold new interactions into their participants' stored states."""
    by_person: dict[int, list[Touch]] = defaultdict(list)
    for inter in inters:
        size = max(len(inter.participants), 1)
        for part in inter.participants:
            by_person[part.person_id].append(
                Touch(_aware(inter.occurred_at), inter.kind, inter.direction, inter.sentiment, size)
            )
    if not by_person:
        return
    rows = {r.person_id: r for r in session.scalars(select(TieStateRow).where(TieStateRow.person_id.in_(list(by_person))))}
    now = datetime.now(UTC)
    for pid, touches in by_person.items():
        row = rows.get(pid)
        flat = dict(row.state) if row else {}
        state = TieState.from_dict(flat) if row else TieState()
        last_sent = flat.get(LAST_SENTIMENT, 0.0)
        for t in touches:
            if state.n == 0 or t.at.timestamp() >= state.last:
                last_sent = float(t.sentiment)
            state.add(t, DEFAULT_PARAMS)
        new_flat = state.to_dict()
        new_flat[LAST_SENTIMENT] = last_sent
        if row is None:
            session.add(TieStateRow(person_id=pid, state=new_flat, updated_at=now))
        else:
            row.state, row.updated_at = new_flat, now


@event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, _previous: Any) -> None:
    session.info.pop(_PENDING, None)


__all__ = [
    "Explanation",
    "FavourBalance",
    "PersonTie",
    "contacts_in_log",
    "explain",
    "favour_ledger",
    "rebuild_tie_states",
    "tie_scores",
]
