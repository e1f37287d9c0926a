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
- A cheap consistency check (the log's size, which database triggers keep in
  ``log_count``, vs the rows the states have folded in) rebuilds everything
  if the two ever disagree: that is how writes around Kith are noticed.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import chain
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import case, delete, event, func, insert, select
from sqlalchemy.orm import Session

from kith.engine.kinds import KINDS, LAYERS
from kith.engine.layers import assign_network_layers
from kith.engine.readiness import CALLABLE_THRESHOLD, Readiness, readiness, readiness_batch
from kith.engine.ties import (
    DEFAULT_PARAMS,
    DIRECTION_CODE,
    KIND_INDEX,
    PACKED_WIDTH,
    StateArrays,
    TieScore,
    TieState,
    Touch,
    build_arrays,
    layer_thresholds,
    merge_arrays,
    pack,
    score,
    score_batch,
    state_row,
    unpack,
)
from kith.store.models import Favor, Interaction, InteractionParticipant, LogCount, Person
from kith.store.models import TieState as TieStateRow
from kith.store.scope import WS_KEY, workspace_id

CONTACT_KINDS = tuple(KIND_INDEX)
# Which packing wrote a stored vector: rows of another layout are rebuilt.
LAYOUT = 1000 + PACKED_WIDTH
_CHUNK = 100_000  # rows fetched at a time from the log: bounds memory at a million


_HELLO_CODE = np.array([KINDS[k].hello for k in KIND_INDEX])


def _is(kind: str) -> int:
    return KIND_INDEX[kind]


# The latest moments per person that the agenda needs, as (kind code or None,
# direction test, sentiment test) over the log's coded arrays. One definition
# serves the rebuild (numpy), the incremental update and the SQL fallback.
MARKS: dict[str, tuple[int | None, Any, bool]] = {
    "last_any": (None, None, False),
    "last_thanks_given": (_is("thanks-given"), None, False),
    "last_negative": (None, None, True),
    "last_favor_received": (_is("favor-received"), None, False),
    "last_referral_in": (_is("referral"), lambda d: d != DIRECTION_CODE["out"], False),
    "last_intro_in": (_is("intro-made"), lambda d: d == DIRECTION_CODE["in"], False),
}


def _mark_mask(name: str, kind: Any, direction: Any, sentiment: Any) -> Any:
    """Which entries (arrays or scalars) count for mark ``name``."""
    code, dir_test, negative = MARKS[name]
    mask = np.ones_like(np.asarray(kind), dtype=bool)
    if code is not None:
        mask = mask & (np.asarray(kind) == code)
    if dir_test is not None:
        mask = mask & dir_test(np.asarray(direction))
    if negative:
        mask = mask & (np.asarray(sentiment) < 0)
    return mask


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


def _touches_of(session: Session, person_id: int, until: datetime | None = None) -> list[Touch]:
    """One person's contacts as touches (with group sizes), through indexed lookups only."""
    ids = list(session.scalars(
        select(InteractionParticipant.interaction_id).where(InteractionParticipant.person_id == person_id)
    ))
    touches: list[Touch] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        sizes = dict(session.execute(
            select(InteractionParticipant.interaction_id, func.count())
            .where(InteractionParticipant.interaction_id.in_(chunk))
            .group_by(InteractionParticipant.interaction_id)
        ).all())
        stmt = select(Interaction.id, Interaction.occurred_at, Interaction.kind, Interaction.direction,
                      Interaction.sentiment).where(Interaction.id.in_(chunk), Interaction.kind.in_(CONTACT_KINDS))
        if until is not None:
            stmt = stmt.where(Interaction.occurred_at <= until)
        for iid, at, kind, direction, sentiment in session.execute(stmt):
            touches.append(Touch(_aware(at), kind, direction, sentiment, int(sizes.get(iid, 1))))
    return touches


def _epoch(session: Session) -> Any:
    """SQL for an interaction's time as unix seconds (no datetime objects per row)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", Interaction.occurred_at)
    return (func.julianday(Interaction.occurred_at) - 2440587.5) * 86400.0


@dataclass
class LogArrays:
    """The interaction log as parallel arrays, one entry per (interaction, participant)."""

    person: np.ndarray  # row index into the ids asked for
    ts: np.ndarray
    kind: np.ndarray  # KIND_INDEX, or -1 for kinds that are not contacts (notes)
    direction: np.ndarray
    sentiment: np.ndarray
    group: np.ndarray
    n_people: int

    def contacts(self, until: float | None = None) -> np.ndarray:
        """Mask of the entries that are contacts (up to ``until``)."""
        mask = self.kind >= 0
        return mask if until is None else mask & (self.ts <= until)

    def build(self, mask: np.ndarray) -> StateArrays:
        """Accumulators of the masked entries."""
        return build_arrays(self.person[mask], self.ts[mask], self.kind[mask], self.direction[mask],
                            self.sentiment[mask], self.group[mask], self.n_people, DEFAULT_PARAMS)

    def earliest(self, mask: np.ndarray) -> np.ndarray:
        """Time of each person's oldest masked entry (nan if none)."""
        out = np.full(self.n_people, np.inf)
        np.minimum.at(out, self.person[mask], self.ts[mask])
        return np.where(np.isfinite(out), out, np.nan)

    def deep(self) -> np.ndarray:
        """Mask of the contacts that are more than hellos."""
        mask: np.ndarray = (self.kind >= 0) & ~_HELLO_CODE[np.maximum(self.kind, 0)]
        return mask

    def latest(self, mask: np.ndarray) -> np.ndarray:
        """Time of each person's newest masked entry (nan if none)."""
        out = np.full(self.n_people, -np.inf)
        np.maximum.at(out, self.person[mask], self.ts[mask])
        return np.where(np.isfinite(out), out, np.nan)

    def marks(self) -> dict[str, np.ndarray]:
        """Every mark of MARKS for every person."""
        return {name: self.latest(_mark_mask(name, self.kind, self.direction, self.sentiment)) for name in MARKS}

    def last_sentiments(self, mask: np.ndarray) -> np.ndarray:
        """Sentiment of each person's newest masked entry (0 if none)."""
        out = np.zeros(self.n_people)
        p, ts, sent = self.person[mask], self.ts[mask], self.sentiment[mask]
        if len(p):
            order = np.lexsort((ts, p))  # by person, then time: the last entry per person wins
            out[p[order]] = sent[order]
        return out


# Stands for SQL NULL in the all-numeric raw reads below (``COALESCE(column, _NULL)``);
# no real moment or closeness is this small. Turned back into nan with :func:`_nan_for_null`.
_NULL = -1.0e300


def _nan_for_null(values: np.ndarray) -> np.ndarray:
    values[values == _NULL] = np.nan
    return values


def _fetch_matrix(session: Session, sql: str, params: tuple[Any, ...], width: int) -> np.ndarray:
    """Run a raw column query of numbers (no NULLs: coalesce them to ``_NULL``) into one float matrix.

    The fast path for reading a million rows: the driver's own cursor, no Row
    objects, numbers straight into numpy. It bypasses the ORM, so every query
    passed here filters by ``workspace_id`` itself (see :func:`read_log`).
    """
    cursor = session.connection().connection.cursor()
    cursor.execute(sql, params)
    parts = []
    while chunk := cursor.fetchmany(_CHUNK):
        flat = np.fromiter(chain.from_iterable(chunk), dtype=np.float64, count=len(chunk) * width)
        parts.append(flat.reshape(len(chunk), width))
    cursor.close()
    return np.concatenate(parts) if parts else np.zeros((0, width))


def _case(column: str, codes: dict[str, int], default: int) -> str:
    """SQL mapping a text column to integer codes (names come from our own constants)."""
    whens = " ".join(f"WHEN '{name}' THEN {code}" for name, code in codes.items())
    return f"CASE {column} {whens} ELSE {default} END"


def read_log(session: Session, ids: np.ndarray, until: datetime | None = None) -> LogArrays:
    """The log of ``ids`` (sorted person ids) as arrays; two column queries joined in numpy."""
    ws = workspace_id(session)
    pg = session.get_bind().dialect.name == "postgresql"
    mark = "%s" if pg else "?"
    epoch = "extract(epoch from occurred_at)" if pg else "(julianday(occurred_at) - 2440587.5) * 86400.0"
    sql = (f"SELECT id, {epoch}, {_case('kind', KIND_INDEX, -1)}, {_case('direction', DIRECTION_CODE, 2)}, "
           f"sentiment FROM interaction WHERE workspace_id = {mark}")
    params: tuple[Any, ...] = (ws,)
    if until is not None:
        sql += f" AND {epoch} <= {mark}"
        params = (ws, until.timestamp())
    inter = _fetch_matrix(session, sql + " ORDER BY id", params, 5)
    iid = inter[:, 0].astype(np.int64)
    parts = _fetch_matrix(
        session, f"SELECT interaction_id, person_id FROM interaction_participant WHERE workspace_id = {mark}", (ws,), 2
    ).astype(np.int64)
    pi, pp = parts[:, 0], parts[:, 1]
    row = np.searchsorted(iid, pi)
    ok = row < len(iid)
    ok[ok] &= iid[row[ok]] == pi[ok]
    row, pp = row[ok], pp[ok]
    group = np.bincount(row, minlength=len(iid)).astype(np.float64)
    slot = np.searchsorted(ids, pp)
    mine = slot < len(ids)
    mine[mine] &= ids[slot[mine]] == pp[mine]
    r = row[mine]
    return LogArrays(slot[mine], inter[r, 1], inter[r, 2].astype(np.int64), inter[r, 3].astype(np.int64),
                     inter[r, 4], group[r], len(ids))


def _arrays_from_log(session: Session, ids: np.ndarray, until: datetime | None) -> tuple[StateArrays, np.ndarray]:
    """Accumulators of ``ids`` rebuilt in memory from the log (and last sentiments)."""
    log = read_log(session, np.sort(ids), until)
    order = np.argsort(np.argsort(ids))  # sorted position of each id as given
    mask = log.contacts()
    arrays, last = log.build(mask), log.last_sentiments(mask)
    return unpack(pack(arrays)[order]), last[order]


def _ts(at: datetime) -> float:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


# ---------------------------------------------------------------- stored states


def rebuild_tie_states(session: Session, person_ids: Iterable[int] | None = None) -> int:
    """Recompute stored accumulators from the log (everyone, or ``person_ids``)."""
    if person_ids is None:
        session.execute(delete(TieStateRow))
        ids = np.array(sorted(session.scalars(select(Person.id)).all()), dtype=np.int64)
    else:
        wanted = sorted(set(person_ids))
        if not wanted:
            return 0
        session.execute(delete(TieStateRow).where(TieStateRow.person_id.in_(wanted)))
        ids = np.array(sorted(session.scalars(select(Person.id).where(Person.id.in_(wanted))).all()), dtype=np.int64)
    log = read_log(session, ids)
    mask = log.contacts()
    matrix = pack(log.build(mask))
    last = log.last_sentiments(mask)
    rows = np.bincount(log.person, minlength=len(ids))
    marks = log.marks()
    now, ws = datetime.now(UTC), workspace_id(session)
    records = [
        {"workspace_id": ws, "person_id": int(pid), "vector": matrix[i].tobytes(), "layout": LAYOUT,
         "rows": int(rows[i]), "last_sentiment": int(last[i]), "updated_at": now,
         **{name: _opt(values[i]) for name, values in marks.items()}}
        for i, pid in enumerate(ids.tolist()) if rows[i] > 0
    ]
    for start in range(0, len(records), 5000):
        session.execute(insert(TieStateRow), records[start:start + 5000])
    return len(records)


def _opt(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def decode_state(vector: bytes, layout: int) -> TieState | None:
    """A stored ``tie_state`` vector as a scalar state; None if another packing wrote it."""
    if layout != LAYOUT:
        return None
    return _state_at(unpack(np.frombuffer(vector, dtype=np.float64)), 0)


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


@dataclass
class _Stored:
    """What the ``tie_state`` rows hold for a list of people, row-aligned with it."""

    arrays: StateArrays
    last_sentiment: np.ndarray
    marks: dict[str, np.ndarray]  # unix seconds of each of MARKS, nan = never


def _stored(session: Session, ids: np.ndarray) -> _Stored | None:
    """Accumulators and marks of ``ids`` (sorted) as stored, or None when they disagree with the log.

    One read through the driver's own cursor (30,000 blobs without Row
    objects), so it filters by ``workspace_id`` itself. The same read gives
    the consistency check (:func:`states_match_log`): the rows every state
    has folded in must add up to the log's size, and every vector must be of
    this layout.
    """
    matrix = np.zeros((len(ids), PACKED_WIDTH))
    last = np.zeros(len(ids))
    marks = np.full((len(ids), len(MARKS)), np.nan)
    mark = "%s" if session.get_bind().dialect.name == "postgresql" else "?"
    # Numbers only after the blob (a sentinel for "never"), so they go to numpy without tuples of objects.
    marks_sql = ", ".join(f"COALESCE({name}, {_NULL})" for name in MARKS)
    cursor = session.connection().connection.cursor()
    cursor.execute(f"SELECT person_id, vector, rows, layout, last_sentiment, {marks_sql} FROM tie_state "
                   f"WHERE workspace_id = {mark}", (workspace_id(session),))
    result = cursor.fetchall()
    cursor.close()
    width = 3 + len(MARKS)  # rows, layout, last sentiment, the marks
    numbers = np.fromiter(chain.from_iterable(r[2:] for r in result), dtype=np.float64,
                          count=len(result) * width).reshape(len(result), width)
    if not _agree_with_log(session, int(numbers[:, 0].sum()), bool((numbers[:, 1] != LAYOUT).any())):
        return None
    if result:
        pids = np.fromiter((r[0] for r in result), dtype=np.int64, count=len(result))
        vectors = np.frombuffer(b"".join(r[1] for r in result), dtype=np.float64).reshape(len(result), PACKED_WIDTH)
        rest = numbers[:, 2:]
        _nan_for_null(rest[:, 1:])
        slot = np.searchsorted(ids, pids)
        ok = slot < len(ids)
        ok[ok] &= ids[slot[ok]] == pids[ok]
        matrix[slot[ok]] = vectors[ok]
        last[slot[ok]] = rest[ok, 0]
        marks[slot[ok]] = rest[ok, 1:]
    return _Stored(unpack(matrix), last, {name: marks[:, j] for j, name in enumerate(MARKS)})


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


def states_match_log(session: Session) -> bool:
    """Are the stored states complete (their rows add up to the log's) and of this layout?"""
    stored_rows, stale = session.execute(select(
        func.coalesce(func.sum(TieStateRow.rows), 0),
        func.coalesce(func.sum(case((TieStateRow.layout != LAYOUT, 1), else_=0)), 0),
    )).one()
    return _agree_with_log(session, int(stored_rows), bool(stale))


def _agree_with_log(session: Session, stored_rows: int, stale: bool) -> bool:
    """The consistency check: no state of another layout, and as many rows folded in as the log holds."""
    return not stale and stored_rows == participations_in_log(session)


def participations_in_log(session: Session) -> int:
    """How many (interaction, person) rows the log holds: what the states must count.

    Read from ``log_count``, which database triggers keep (a single row, not a
    count of the whole log).
    """
    stmt = select(LogCount.participations).where(LogCount.workspace_id == workspace_id(session))
    return int(session.scalar(stmt) or 0)


# ---------------------------------------------------------------- scoring


def _network(session: Session) -> tuple[np.ndarray, np.ndarray]:
    """Ids (sorted) and manual closeness (nan = none) of everyone not archived.

    A raw, all-numeric query (30,000 rows without Row objects), filtered by
    ``workspace_id`` itself.
    """
    session.flush()  # what an ORM query would autoflush
    mark = "%s" if session.get_bind().dialect.name == "postgresql" else "?"
    matrix = _fetch_matrix(session, f"SELECT id, COALESCE(closeness, {_NULL}) FROM person "
                           f"WHERE workspace_id = {mark} AND archived = {mark} ORDER BY id",
                           (workspace_id(session), False), 2)
    return matrix[:, 0].astype(np.int64), _nan_for_null(matrix[:, 1].copy())


def tie_scores(session: Session, as_of: datetime, person_ids: Iterable[int] | None = None) -> TieTable:
    """Scores of every (or the given) non-archived person as of ``as_of``.

    Layers are assigned over the whole network (so the caps of about 5 inner,
    15 close, 50 active and 150 meaningful hold) before any filtering.
    """
    ids, closeness = _network(session)
    stored = _current(session, ids, as_of)
    wanted = None if person_ids is None else set(person_ids)
    return TieTable(ids, closeness, stored, favour_ledger(session, as_of), as_of, wanted)


class TieTable(Mapping[int, PersonTie]):
    """Everyone's ties as arrays (row-aligned with ``ids``); a :class:`PersonTie` is made when read.

    Scoring 30,000 people is a few vectorised passes; making 30,000 objects
    would cost more, and the agenda reads only a few hundred of them. Iterating
    (``items()``, ``values()``) makes every object, as a dict would hold them.
    """

    def __init__(
        self, ids: np.ndarray, closeness: np.ndarray, stored: _Stored, ledger: dict[int, FavourBalance],
        as_of: datetime, wanted: set[int] | None = None,
    ) -> None:
        arrays = stored.arrays
        batch = score_batch(arrays, as_of, DEFAULT_PARAMS, closeness)
        self.ids = ids
        self.score = batch.score
        self.layer = assign_network_layers(batch.score, layer_thresholds(DEFAULT_PARAMS))
        self.readiness = _readiness_batch(ids, batch.score, batch.cooling, stored.last_sentiment, arrays.n,
                                          ledger, as_of)
        self.cooling = batch.cooling
        self._gap, self._days, self._n, self._last = batch.learned_gap_days, batch.days_since_last, arrays.n, arrays.last
        self._sentiment = stored.last_sentiment
        self._row = dict(zip(ids.tolist(), range(len(ids)), strict=True))
        self._wanted = wanted
        self._made: dict[int, PersonTie] = {}
        #: Each of MARKS per person (None when as of a moment before the newest interaction).
        self.marks = None if not stored.marks else {name: Stamps(self._row, v) for name, v in stored.marks.items()}

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


@dataclass
class NetworkLog:
    """Everyone not archived (sorted ids, closeness overrides) and their log as arrays."""

    ids: np.ndarray
    closeness: np.ndarray
    log: LogArrays


def read_network_log(session: Session, until: datetime | None = None) -> NetworkLog:
    """The whole network's log up to ``until``, read once for several computations."""
    ids, closeness = _network(session)
    return NetworkLog(ids, closeness, read_log(session, ids, until))


def series_from_log(session: Session, network: NetworkLog, moments: Sequence[datetime]) -> list[dict[int, TieBrief]]:
    """:func:`tie_scores_series` on a log already read."""
    ids, closeness, log = network.ids, network.closeness, network.log
    contacts = log.contacts()
    states = log.build(np.zeros(len(log.ts), dtype=bool))
    last_sent = np.zeros(len(ids))
    out: dict[datetime, dict[int, TieBrief]] = {}
    previous = -np.inf
    for moment in sorted(moments):
        t = moment.timestamp()
        window = contacts & (log.ts > previous) & (log.ts <= t)
        states = merge_arrays(states, log.build(window))
        seen = np.zeros(len(ids), dtype=bool)
        seen[log.person[window]] = True
        last_sent = np.where(seen, log.last_sentiments(window), last_sent)
        out[moment] = _briefs(ids, closeness, states, last_sent, favour_ledger(session, moment), moment)
        previous = t
    return [out[m] for m in moments]


def _briefs(
    ids: np.ndarray, closeness: np.ndarray, arrays: StateArrays, last_sent: np.ndarray,
    ledger: dict[int, FavourBalance], as_of: datetime,
) -> dict[int, TieBrief]:
    """Score, layer and callable of everyone, without the full PersonTie objects."""
    batch = score_batch(arrays, as_of, DEFAULT_PARAMS, closeness)
    layers = assign_network_layers(batch.score, layer_thresholds(DEFAULT_PARAMS))
    ready = _readiness_batch(ids, batch.score, batch.cooling, last_sent, arrays.n, ledger, as_of)
    return {
        pid: TieBrief(score_, LAYERS[layer], r >= CALLABLE_THRESHOLD, int(sent))
        for pid, score_, layer, r, sent in zip(
            ids.tolist(), batch.score.tolist(), layers.tolist(), ready.tolist(), last_sent.tolist(), strict=True)
    }


def _readiness_batch(
    ids: np.ndarray, score_: np.ndarray, cooling: np.ndarray, last_sent: np.ndarray, contacts: np.ndarray,
    ledger: dict[int, FavourBalance], as_of: datetime,
) -> np.ndarray:
    """Everyone's favour readiness; the ledger is sparse, so it is spread into arrays."""
    i_owe, owed, since_ask = np.zeros(len(ids)), np.zeros(len(ids)), np.full(len(ids), np.nan)
    if ledger:
        where = {pid: i for i, pid in enumerate(ids.tolist())}
        for pid, bal in ledger.items():
            i = where.get(pid)
            if i is None:
                continue
            i_owe[i], owed[i] = bal.i_owe, bal.owed_to_me
            if bal.last_ask is not None:
                since_ask[i] = float((as_of.date() - bal.last_ask).days)
    return readiness_batch(score_, cooling, i_owe, owed, since_ask, last_sent, contacts)


def _current(session: Session, ids: np.ndarray, as_of: datetime) -> _Stored:
    """Everyone's accumulators as of ``as_of``: stored ones (with marks), or rebuilt from the log for the past."""
    newest = session.scalar(select(func.max(Interaction.occurred_at)))
    if newest is not None and newest > as_of:
        arrays, last = _arrays_from_log(session, ids, as_of)
        return _Stored(arrays, last, {})
    stored = _stored(session, ids)
    if stored is None:  # written around the ORM (bulk path) or drifted: rebuild once
        rebuild_tie_states(session)
        stored = _stored(session, ids)
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


def explain(session: Session, person: Person, as_of: datetime, tie: PersonTie | None = None) -> Explanation:
    """Score one person with every term's contribution and the reasons in words.

    ``tie`` (from a :func:`tie_scores` the caller already has) saves scoring
    everyone again just to know this person's layer.
    """
    tie = tie or tie_scores(session, as_of, [person.id]).get(person.id)
    if tie is None:  # archived: scored on their own, outside the layers
        tie = PersonTie(person.id, 0.0, "dormant", 0.0, False, None)
    touches = _touches_of(session, person.id, as_of)
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
    adds = [i for i in pending["add"] if not {p.person_id for p in i.participants} & rebuild]
    _add_touches(session, adds)
    session.flush()
    session.info.pop(_PENDING, None)


def _add_touches(session: Session, inters: list[Interaction]) -> None:
    """Fold new interactions into their participants' stored states and marks."""
    by_person: dict[int, list[Interaction]] = defaultdict(list)
    for inter in inters:
        for part in inter.participants:
            by_person[part.person_id].append(inter)
    if not by_person:
        return
    rows = {r.person_id: r for r in session.scalars(select(TieStateRow).where(TieStateRow.person_id.in_(list(by_person))))}
    now = datetime.now(UTC)
    for pid, mine in by_person.items():
        row = rows.get(pid)
        decoded = None if row is None else decode_state(row.vector, row.layout)
        if row is None or decoded is None:
            row = row or TieStateRow(person_id=pid)
            row.rows, row.last_sentiment = 0, 0
            for name in MARKS:
                setattr(row, name, None)
            state = TieState()
            session.add(row)
        else:
            state = decoded
        for inter in mine:
            _fold(state, row, inter)
        row.vector, row.layout, row.updated_at = state_row(state).tobytes(), LAYOUT, now


def _fold(state: TieState, row: TieStateRow, inter: Interaction) -> None:
    """One interaction into one person's state, row counter and marks."""
    at = _aware(inter.occurred_at)
    t = at.timestamp()
    row.rows += 1
    kind = KIND_INDEX.get(inter.kind, -1)
    direction = DIRECTION_CODE.get(inter.direction, 2)
    for name in MARKS:
        current = getattr(row, name)
        if bool(_mark_mask(name, kind, direction, inter.sentiment)) and (current is None or t > current):
            setattr(row, name, t)
    if kind < 0:
        return
    if state.n == 0 or t >= state.last:
        row.last_sentiment = inter.sentiment
    size = max(len(inter.participants), 1)
    state.add(Touch(at, inter.kind, inter.direction, inter.sentiment, size), DEFAULT_PARAMS)


@event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, _previous: Any) -> None:
    session.info.pop(_PENDING, None)


__all__ = [
    "Explanation",
    "FavourBalance",
    "NetworkLog",
    "PersonTie",
    "Stamps",
    "TieBrief",
    "TieTable",
    "decode_state",
    "explain",
    "favour_ledger",
    "participations_in_log",
    "read_network_log",
    "rebuild_tie_states",
    "series_from_log",
    "states_match_log",
    "tie_scores",
    "tie_scores_series",
]
