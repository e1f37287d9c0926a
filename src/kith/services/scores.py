"""Tie scores for everyone in the workspace, as of a date, from the stored tie states.

This is the bridge between the store and the tie-strength engine
(:mod:`kith.engine.ties`): agenda, report, reach, ask and the web all ask here.

- Scoring "as of" a moment after every logged interaction decays the stored
  accumulators (:mod:`kith.services.tie_states`, O(people)); scoring as of an
  earlier moment rebuilds them in memory from the interactions up to then (one
  vectorised pass over :mod:`kith.services.tie_log`).
- :func:`tie_scores` returns a :class:`TieTable`: everyone's score, layer,
  readiness and the agenda's latest moments as arrays; a :class:`PersonTie`
  is made only for a person someone reads.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kith.engine.kinds import LAYERS
from kith.engine.layers import assign_network_layers
from kith.engine.readiness import CALLABLE_THRESHOLD, Readiness, readiness, readiness_batch
from kith.engine.ties import (
    DEFAULT_PARAMS,
    StateArrays,
    TieParams,
    TieScore,
    TieState,
    layer_thresholds,
    merge_arrays,
    network_pace,
    pack,
    score,
    score_batch,
    unpack,
)
from kith.services.likelihood_model import likelihood_params
from kith.services.tie_log import NetworkLog, network_people, read_log, read_network_log, touches_of
from kith.services.tie_states import StoredStates, current_states, stored_state
from kith.store.models import Favor, Interaction, Person


@dataclass
class PersonTie:
    """One person's tie as of a date: strength, likelihood, layer, rhythm and favour readiness.

    ``score`` is what the layer and readiness come from: the relationship
    strength, or the manual closeness when one is set.
    """

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
    strength: float = 0.0  # 0-100, computed (the manual closeness does not change it)
    likelihood: float = 0.0  # 0-100: will you be in touch soon?
    likelihood_reasons: list[str] = field(default_factory=list)
    pace: float = 0.0  # the whole network's pace its likelihood was scored with (kith.engine.ties.network_pace)

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "person_id": self.person_id, "score": round(self.score, 1), "strength": round(self.strength, 1),
            "likelihood": round(self.likelihood, 1), "layer": self.layer,
            "readiness": round(self.readiness, 1), "callable": self.callable,
            "last_at": self.last_at.isoformat() if self.last_at else None,
            "learned_gap_days": None if self.learned_gap_days is None else round(self.learned_gap_days, 1),
            "days_since_last": None if self.days_since_last is None else round(self.days_since_last, 1),
            "cooling": self.cooling,
        }




def _arrays_from_log(session: Session, ids: np.ndarray, until: datetime | None) -> tuple[StateArrays, np.ndarray]:
    """Accumulators of ``ids`` rebuilt in memory from the log (and last sentiments)."""
    log = read_log(session, np.sort(ids), until)
    order = np.argsort(np.argsort(ids))  # sorted position of each id as given
    mask = log.contacts()
    arrays, last = log.build(mask), log.last_sentiments(mask)
    return unpack(pack(arrays)[order]), last[order]


def _ts(at: datetime) -> float:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


class Stamps(Mapping[int, datetime]):
    """Person id -> moment, kept as unix seconds (nan = never) and made a datetime only when read.

    The agenda asks for a few hundred of 30,000 people's moments; converting
    all of them would cost more than the rest of its work.
    """

    def __init__(self, row: Mapping[int, int], seconds: np.ndarray) -> None:
        self._row = row
        self._seconds = seconds
        self._values: list[float] | None = None  # the array as Python floats, made on first read

    @property
    def array(self) -> np.ndarray:
        """The moments of every row, as unix seconds (nan = never)."""
        return self._seconds

    def seconds(self, pid: int) -> float | None:
        """The moment as unix seconds, or None."""
        i = self._row.get(pid)
        if i is None:
            return None
        if self._values is None:
            self._values = self._seconds.tolist()
        value = self._values[i]
        return None if value != value else value  # nan

    def __getitem__(self, pid: int) -> datetime:
        value = self.seconds(pid)
        if value is None:
            raise KeyError(pid)
        return datetime.fromtimestamp(value, UTC)

    def __iter__(self) -> Iterator[int]:
        have = ~np.isnan(self._seconds)
        return (pid for pid, i in self._row.items() if have[i])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, pid: object) -> bool:
        return isinstance(pid, int) and self.seconds(pid) is not None


# ---------------------------------------------------------------- scoring


def tie_scores(session: Session, as_of: datetime, person_ids: Iterable[int] | None = None) -> TieTable:
    """Scores of every (or the given) non-archived person as of ``as_of``.

    Layers are assigned over the whole network (so the caps of about 5 inner,
    15 close, 50 active and 150 meaningful hold) before any filtering.
    """
    ids, closeness = network_people(session)
    stored = _current(session, ids, as_of)
    wanted = None if person_ids is None else set(person_ids)
    return TieTable(ids, closeness, stored, favour_ledger(session, as_of), as_of, wanted, likelihood_params(session))


class TieTable(Mapping[int, PersonTie]):
    """Everyone's ties as arrays (row-aligned with ``ids``); a :class:`PersonTie` is made when read.

    Scoring 30,000 people is a few vectorised passes; making 30,000 objects
    would cost more, and the agenda reads only a few hundred of them. Iterating
    (``items()``, ``values()``) makes every object, as a dict would hold them.
    """

    def __init__(
        self, ids: np.ndarray, closeness: np.ndarray, stored: StoredStates, ledger: dict[int, FavourBalance],
        as_of: datetime, wanted: set[int] | None = None, params: TieParams = DEFAULT_PARAMS,
    ) -> None:
        arrays = stored.arrays
        self.pace = network_pace(arrays, as_of, params)
        batch = score_batch(arrays, as_of, params, closeness, self.pace)
        self.ids = ids
        self.score = batch.score
        self.strength, self.likelihood = batch.strength, batch.likelihood
        self.layer = assign_network_layers(batch.score, layer_thresholds(DEFAULT_PARAMS), earned=batch.layer)
        self.readiness = _readiness_batch(ids, batch.score, batch.cooling, stored.last_sentiment, arrays.n,
                                          ledger, as_of, manual=~np.isnan(closeness))
        self.cooling = batch.cooling
        self._gap, self._days, self._n, self._last = batch.learned_gap_days, batch.days_since_last, arrays.n, arrays.last
        self._sentiment = stored.last_sentiment
        self._row = dict(zip(ids.tolist(), range(len(ids)), strict=True))
        self._wanted = wanted
        self._made: dict[int, PersonTie] = {}
        self._learned: np.ndarray | None = None
        #: Each of MARKS per person (None when as of a moment before the newest interaction).
        self.marks = None if not stored.marks else {name: Stamps(self._row, v) for name, v in stored.marks.items()}

    @property
    def learned_gap_days(self) -> np.ndarray:
        """Each row's learned rhythm in days (nan with fewer than two contacts)."""
        if self._learned is None:
            self._learned = np.where(self._n >= 2, self._gap, np.nan)
        return self._learned

    @property
    def n(self) -> np.ndarray:
        """How many contacts each row's tie has folded in."""
        return self._n

    @property
    def last(self) -> np.ndarray:
        """Each row's newest contact (unix seconds; meaningless where ``n`` is 0)."""
        return self._last

    @property
    def everyone(self) -> bool:
        """Whether every person of the arrays is in the table (no ``person_ids`` given)."""
        return self._wanted is None

    def row(self, pid: int) -> int | None:
        """The person's row in the arrays (None if archived or unknown)."""
        return self._row.get(pid)

    def in_layers(self, layers: Iterable[str]) -> list[int]:
        """People (ids) whose layer is one of ``layers``."""
        codes = [LAYERS.index(name) for name in layers if name in LAYERS]
        pids = self.ids[np.isin(self.layer, codes)].tolist()
        return pids if self._wanted is None else [p for p in pids if p in self._wanted]

    def __getitem__(self, pid: int) -> PersonTie:
        made = self._made.get(pid)
        if made is not None:
            return made
        i = self._row.get(pid)
        if i is None or (self._wanted is not None and pid not in self._wanted):
            raise KeyError(pid)
        n, days = float(self._n[i]), float(self._days[i])
        readiness_ = float(self.readiness[i])
        tie = PersonTie(
            person_id=pid, score=float(self.score[i]), layer=LAYERS[int(self.layer[i])], readiness=readiness_,
            callable=readiness_ >= CALLABLE_THRESHOLD,
            last_at=datetime.fromtimestamp(float(self._last[i]), UTC) if n > 0 else None,
            learned_gap_days=float(self._gap[i]) if n >= 2 else None,
            days_since_last=None if math.isnan(days) else days,
            cooling=bool(self.cooling[i]), last_sentiment=int(self._sentiment[i]),
            strength=float(self.strength[i]), likelihood=float(self.likelihood[i]), pace=self.pace,
        )
        self._made[pid] = tie
        return tie

    def __contains__(self, pid: object) -> bool:
        return pid in self._row and (self._wanted is None or pid in self._wanted)

    def __iter__(self) -> Iterator[int]:
        return iter(self._row) if self._wanted is None else (p for p in self._row if p in self._wanted)

    def __len__(self) -> int:
        return len(self._row) if self._wanted is None else sum(1 for p in self._wanted if p in self._row)


class TieBrief(NamedTuple):
    """What a trend needs of one tie at one moment (small: 24 months x 30,000 people)."""

    score: float
    layer: str
    callable: bool
    last_sentiment: int


def tie_scores_series(session: Session, moments: Sequence[datetime]) -> list[dict[int, TieBrief]]:
    """Everyone's ties as of each of ``moments`` (e.g. 24 month ends), in one pass over the log.

    The log is read once; the accumulators are rolled forward from one moment
    to the next by adding only the interactions in between
    (:func:`kith.engine.ties.merge_arrays`), so 24 moments cost about one rebuild.
    Everyone is scored with today's people and closeness overrides.
    """
    if not moments:
        return []
    network = read_network_log(session, max(moments))
    return series_from_log(session, network, moments)


@dataclass(frozen=True)
class MomentTies:
    """Everyone's ties as of one moment, as arrays row-aligned with the network's ids."""

    moment: datetime
    score: np.ndarray
    layer: np.ndarray  # codes into LAYERS
    callable: np.ndarray
    last_sentiment: np.ndarray


def series_arrays(network: NetworkLog, favours: Sequence[FavourRow], moments: Sequence[datetime]) -> list[MomentTies]:
    """Everyone's ties as of each of ``moments``, from a log already read (one pass, rolled forward)."""
    ids, closeness, log = network.ids, network.closeness, network.log
    ordered = sorted(moments)
    # Each contact's window (between two moments), and the contacts grouped by window: a stable sort keeps
    # them in the log's order within each (by person, then time, for the cached log).
    contacts = np.flatnonzero(log.contacts())
    window_of = np.searchsorted(np.array([m.timestamp() for m in ordered]), log.ts[contacts], side="left")
    order = np.argsort(window_of, kind="stable")
    grouped, bounds = contacts[order], np.searchsorted(window_of[order], np.arange(len(ordered) + 1))
    states = log.build(np.zeros(0, dtype=np.int64))
    last_sent = np.zeros(len(ids))
    rows = {pid: i for i, pid in enumerate(ids.tolist())}
    out: dict[datetime, MomentTies] = {}
    for k, moment in enumerate(ordered):
        window = grouped[bounds[k]:bounds[k + 1]]
        states = merge_arrays(states, log.build(window))
        seen = np.zeros(len(ids), dtype=bool)
        seen[log.person[window]] = True
        last_sent = np.where(seen, log.last_sentiments(window), last_sent)
        batch = score_batch(states, moment, DEFAULT_PARAMS, closeness, network_pace(states, moment))
        layers = assign_network_layers(batch.score, layer_thresholds(DEFAULT_PARAMS), earned=batch.layer)
        ready = _readiness_batch(ids, batch.score, batch.cooling, last_sent, states.n, ledger_at(favours, moment),
                                 moment, rows, ~np.isnan(closeness))
        out[moment] = MomentTies(moment, batch.score, layers, ready >= CALLABLE_THRESHOLD, last_sent)
    return [out[m] for m in moments]


def series_from_log(session: Session, network: NetworkLog, moments: Sequence[datetime]) -> list[dict[int, TieBrief]]:
    """:func:`tie_scores_series` on a log already read."""
    out = []
    for ties in series_arrays(network, favour_rows(session), moments):
        out.append({pid: TieBrief(sc, LAYERS[layer], bool(call), int(sent)) for pid, sc, layer, call, sent in zip(
            network.ids.tolist(), ties.score.tolist(), ties.layer.tolist(), ties.callable.tolist(),
            ties.last_sentiment.tolist(), strict=True)})
    return out


def _readiness_batch(
    ids: np.ndarray, score_: np.ndarray, cooling: np.ndarray, last_sent: np.ndarray, contacts: np.ndarray,
    ledger: dict[int, FavourBalance], as_of: datetime, rows: Mapping[int, int] | None = None,
    manual: np.ndarray | None = None,
) -> np.ndarray:
    """Everyone's favour readiness; the ledger is sparse, so it is spread into arrays (``rows``: id -> row)."""
    i_owe, owed, since_ask = np.zeros(len(ids)), np.zeros(len(ids)), np.full(len(ids), np.nan)
    if ledger:
        where = rows if rows is not None else {pid: i for i, pid in enumerate(ids.tolist())}
        for pid, bal in ledger.items():
            i = where.get(pid)
            if i is None:
                continue
            i_owe[i], owed[i] = bal.i_owe, bal.owed_to_me
            if bal.last_ask is not None:
                since_ask[i] = float((as_of.date() - bal.last_ask).days)
    return readiness_batch(score_, cooling, i_owe, owed, since_ask, last_sent, contacts, manual=manual)


_NEWEST = select(func.max(Interaction.occurred_at))


def _current(session: Session, ids: np.ndarray, as_of: datetime) -> StoredStates:
    """Everyone's accumulators as of ``as_of``: the stored ones (with marks), or rebuilt from the log for the past."""
    newest = session.scalar(_NEWEST)
    if newest is not None and newest > as_of:
        arrays, last = _arrays_from_log(session, ids, as_of)
        return StoredStates(arrays, last, {})
    return current_states(session, ids)


@dataclass
class FavourBalance:
    """One person's open favours both ways and my last request to them."""

    i_owe: int = 0  # they did me a favour I have not returned
    owed_to_me: int = 0  # I did them one they have not returned
    last_ask: date | None = None


class FavourRow(NamedTuple):
    """What the favour ledger needs of one favour."""

    person_id: int
    direction: str
    status: str
    asked_on: date | None
    done_on: date | None
    returned_on: date | None


def favour_rows(session: Session) -> list[FavourRow]:
    """Every favour of the workspace, as the ledger reads them."""
    return [FavourRow(*r) for r in session.execute(
        select(Favor.person_id, Favor.direction, Favor.status, Favor.asked_on, Favor.done_on, Favor.returned_on))]


def favour_ledger(session: Session, as_of: datetime) -> dict[int, FavourBalance]:
    """Open favours per person as of a date, from the favour ledger."""
    return ledger_at(favour_rows(session), as_of)


def ledger_at(rows: Sequence[FavourRow], as_of: datetime) -> dict[int, FavourBalance]:
    """The favour ledger of ``rows`` as of a date: per person, open favours both ways and my last ask."""
    day = as_of.date()
    ledger: dict[int, FavourBalance] = defaultdict(FavourBalance)
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
            "baseline": round(self.detail.baseline, 3),
            "components": {k: round(v, 3) for k, v in self.detail.components.items()},
            "reasons": self.detail.reasons,
            "likelihood_reasons": self.detail.likelihood_reasons,
            "readiness_reasons": self.readiness.reasons,
        }


def _state_as_of(session: Session, person_id: int, as_of: datetime) -> TieState:
    """One person's accumulators as of ``as_of``: the stored ones (O(1)) unless the log goes past ``as_of``."""
    newest = session.scalar(_NEWEST)
    if newest is None or newest <= as_of:
        stored = stored_state(session, person_id)
        if stored is not None:
            return stored
    state = TieState()
    for t in touches_of(session, person_id, as_of):  # a replay: one person's log up to then
        state.add(t, DEFAULT_PARAMS)
    return state


def explain(session: Session, person: Person, as_of: datetime, tie: PersonTie | None = None) -> Explanation:
    """Score one person with every term's contribution and the reasons in words.

    ``tie`` (from a :func:`tie_scores` the caller already has) saves scoring
    everyone again just to know this person's layer.
    """
    tie = tie or tie_scores(session, as_of, [person.id]).get(person.id)
    if tie is None:  # archived: scored on their own, outside the layers
        tie = PersonTie(person.id, 0.0, "dormant", 0.0, False, None)
    state = _state_as_of(session, person.id, as_of)
    closeness = None if person.closeness is None else float(person.closeness)
    detail = score(state, as_of, likelihood_params(session), closeness, tie.pace)
    tie.components = detail.components
    tie.reasons = detail.reasons
    tie.likelihood_reasons = detail.likelihood_reasons
    tie.strength, tie.likelihood = detail.strength, detail.likelihood
    ready = _readiness(detail, favour_ledger(session, as_of).get(person.id), tie.last_sentiment, as_of, state.n)
    return Explanation(tie, detail, ready)




__all__ = [
    "Explanation",
    "FavourBalance",
    "MomentTies",
    "NetworkLog",
    "PersonTie",
    "Stamps",
    "TieBrief",
    "TieTable",
    "explain",
    "favour_ledger",
    "read_network_log",
    "series_arrays",
    "series_from_log",
    "tie_scores",
    "tie_scores_series",
]
