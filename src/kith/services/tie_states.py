"""Stored tie states: each person's accumulators, kept in step with the interaction log.

Each person has a ``tie_state`` row: the engine's decayed accumulators
(:mod:`kith.engine.ties`), the sentiment of the newest contact, and the
latest moments the agenda asks about (:data:`kith.services.tie_log.MARKS`).
Scoring everyone is then O(people), never O(interactions).

**Who keeps them current.** The transaction that changes the log does:

- every session of :func:`kith.runtime.open_kith` carries the hooks of a
  :class:`TieUpkeep`, installed on that session factory (never on
  SQLAlchemy's global ``Session`` class, so no import can skip them). A new
  interaction is *folded* into its participants' states at commit
  (out-of-order inserts included); an edited or deleted interaction, or a
  participant moved by a merge, *rebuilds* the people it touches;
- writers that bypass the ORM do it themselves, explicitly:
  :func:`fold_added` (the bulk path, imports) and :func:`rebuild_tie_states`
  (a restore, a deleted person's co-participants).

**The safety net.** Reading the states checks them against the log at no
cost: the rows every state has folded in must add up to the log's size,
which database triggers keep in ``log_count``. A disagreement means
something wrote around Kith (a tool on the database itself): the states are
rebuilt once, or, when the owner of the session is strict
(``KITH_STRICT_TIES=1``, which the test suite sets), :class:`TieStateDrift`
is raised, so that a use case that forgot its upkeep fails loudly instead of
costing every later command a rebuild.
"""

from __future__ import annotations

import math
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import numpy as np
from sqlalchemy import (
    BigInteger,
    CompoundSelect,
    Table,
    bindparam,
    delete,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from kith.engine.ties import (
    DEFAULT_PARAMS,
    DIRECTION_CODE,
    KIND_INDEX,
    PACKED_WIDTH,
    StateArrays,
    TieState,
    Touch,
    pack,
    state_row,
    unpack,
)
from kith.services import log_cache
from kith.services.tie_log import MARKS, LogArrays, aware, mark_mask
from kith.services.tie_upkeep import settle
from kith.store import door
from kith.store.door import WS
from kith.store.models import LogCount, Person
from kith.store.models import TieState as TieStateRow
from kith.store.owner import owner_of
from kith.store.scope import has_written, workspace_id

# A stored record is one float64 row: [layout, person id, rows folded in, newest sentiment,
# the MARKS (nan = never), then the engine's packed accumulators (kith.engine.ties.pack).
HEAD = 4 + len(MARKS)
RECORD_WIDTH = HEAD + PACKED_WIDTH
LAYOUT = 2000 + RECORD_WIDTH  # which layout wrote a record: records of another are rebuilt
_MARK_AT = {name: 4 + j for j, name in enumerate(MARKS)}
FULL_REBUILD_SHARE = 0.2  # folding more than this share of the log at once: rebuild everyone instead


class TieStateDrift(RuntimeError):
    """The stored tie states disagree with the interaction log, and the owner asked to be told (a bug)."""


# ---------------------------------------------------------------- decoding


@dataclass
class Record:
    """One person's stored tie state, decoded."""

    person_id: int
    rows: int  # interaction-participant rows folded in (any kind, notes too)
    last_sentiment: int  # of the newest contact
    marks: dict[str, float | None]  # unix seconds of each of MARKS
    state: TieState

    def encode(self) -> bytes:
        """The record as the ``tie_state.vector`` blob."""
        head = [float(LAYOUT), float(self.person_id), float(self.rows), float(self.last_sentiment)]
        head += [math.nan if self.marks.get(name) is None else float(self.marks[name]) for name in MARKS]  # type: ignore[arg-type]
        return np.concatenate([np.array(head), state_row(self.state)]).tobytes()


def decode(vector: bytes) -> Record | None:
    """A stored blob as a :class:`Record`; None if another layout wrote it."""
    if len(vector) != RECORD_WIDTH * 8:
        return None
    row = np.frombuffer(vector, dtype=np.float64)
    if row[0] != LAYOUT:
        return None
    marks = {name: _opt(float(row[j])) for name, j in _MARK_AT.items()}
    return Record(int(row[1]), int(row[2]), int(row[3]), marks, state_at(unpack(row[HEAD:]), 0))


def decode_state(vector: bytes) -> TieState | None:
    """A stored blob's accumulators; None if another layout wrote it."""
    record = decode(vector)
    return None if record is None else record.state


def state_at(arrays: StateArrays, i: int) -> TieState:
    """Row ``i`` of ``arrays`` as a scalar state."""
    state = TieState(
        ref=float(arrays.ref[i]), n=int(arrays.n[i]), first=float(arrays.first[i]), last=float(arrays.last[i]),
        a=float(arrays.a[i]), a_hello=float(arrays.a_hello[i]), b=float(arrays.b[i]),
        b_hello=float(arrays.b_hello[i]), b_out=float(arrays.b_out[i]), b_in=float(arrays.b_in[i]),
        sent_sum=float(arrays.sent_sum[i]), sent_n=float(arrays.sent_n[i]), a_week=float(arrays.a_week[i]),
        last_in=float(arrays.last_in[i]), last_out=float(arrays.last_out[i]),
    )
    for kind, j in KIND_INDEX.items():
        if arrays.counts[i, j] > 0:
            state.counts[kind] = round(float(arrays.counts[i, j]))
            state.recent[kind] = float(arrays.recent[i, j])
    return state


# ---------------------------------------------------------------- reading


@dataclass
class StoredStates:
    """What the ``tie_state`` rows hold for a list of people, row-aligned with it."""

    arrays: StateArrays
    last_sentiment: np.ndarray
    marks: dict[str, np.ndarray]  # unix seconds of each of MARKS, nan = never


def _with_counts(newer_than: bool) -> CompoundSelect[Any]:
    """The workspace's log counts (first row) and its tie-state records (those numbered above ``after``, if asked).

    One statement, so one snapshot: under PostgreSQL's READ COMMITTED (and
    SQLite outside a write transaction) every statement sees the latest
    commits, and a writer committing between a read of the counts and a read
    of the records would look like a write that skipped the records' upkeep.
    A UNION ALL keeps the records' read a plain scan (a join made SQLite
    reach each record through the index: 40 ms more at 30,000).
    """
    top = select(func.max(TieStateRow.seq)).where(TieStateRow.workspace_id == WS).scalar_subquery()
    counts = select(literal(0).label("part"), LogCount.participations, LogCount.edits, func.coalesce(top, 0),
                    null().label("vector")).where(LogCount.workspace_id == WS)
    records = select(literal(1), literal(0), literal(0), literal(0), TieStateRow.vector).where(
        TieStateRow.workspace_id == WS)
    if newer_than:
        records = records.where(TieStateRow.seq > bindparam("after", type_=BigInteger))
    return union_all(counts, records)


_ALL = _with_counts(newer_than=False)
_CHANGED = _with_counts(newer_than=True)


@dataclass(frozen=True)
class _Read:
    """The log's counts and the records read with them, in one snapshot."""

    participations: int
    edits: int
    blobs: list[bytes]
    top: int  # the highest record number of the workspace (0: none)

    @classmethod
    def of(cls, rows: list[tuple[Any, ...]]) -> _Read:
        if not rows or rows[0][0] != 0:  # the counts come first (a UNION ALL keeps its parts' order)
            rows = sorted(rows, key=lambda r: r[0])
        if not rows or rows[0][0] != 0:  # no log_count row: nothing was ever logged
            return cls(0, 0, [r[4] for r in rows], 0)
        _, participations, edits, top, _ = rows[0]
        return cls(int(participations), int(edits), [r[4] for r in rows[1:]], int(top))


def _matrix(blobs: list[bytes]) -> np.ndarray | None:
    """Records as one matrix (RECORD_WIDTH wide); None if any is of another layout."""
    sizes = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs))
    if bool((sizes != RECORD_WIDTH * 8).any()):
        return None
    matrix = np.frombuffer(b"".join(blobs), dtype=np.float64).reshape(len(blobs), RECORD_WIDTH)
    return matrix if bool((matrix[:, 0] == LAYOUT).all()) else None


@dataclass(frozen=True)
class _Snapshot:
    """The records a long-lived process read last, to read only what was written since."""

    edits: int
    seq: int  # the highest ``tie_state.seq`` among them
    records: np.ndarray


def _current_records(session: Session) -> tuple[np.ndarray | None, int]:
    """Every record of the workspace and the log's size they must add up to, read in one snapshot.

    A process keeps the records it read (on its owner). The next read fetches
    the records numbered above the highest it saw (numbers are given in
    commit order: :func:`kith.store.door.next_tie_seq`), patches them in, and
    trusts the result only if no logged row was edited meanwhile
    (``log_count.edits``) and the rows add up to the log's count; otherwise
    it reads everything again.

    What a transaction read after writing is not kept: it holds that
    transaction's own records, which a rollback undoes (and the numbers it
    took are then given again to another writer's records).
    """
    session.flush()
    held: dict[int, _Snapshot] = owner_of(session).cache("tie_states.snapshot", dict)
    ws = workspace_id(session)
    keep = not has_written(session)
    snap = held.get(ws)
    if snap is not None:
        new = _Read.of(door.tuples(session, _CHANGED, after=snap.seq))
        if new.edits == snap.edits:
            patched = _patched(snap.records, new.blobs)
            if patched is not None and int(patched[:, 2].sum()) == new.participations:
                if keep:
                    held[ws] = _Snapshot(new.edits, max(snap.seq, new.top), patched)
                return patched, new.participations
    every = _Read.of(door.tuples(session, _ALL))
    records = _matrix(every.blobs)
    if records is not None and keep:
        held[ws] = _Snapshot(every.edits, every.top, records)
    return records, every.participations


def _patched(records: np.ndarray, blobs: list[bytes]) -> np.ndarray | None:
    """``records`` with the given records replacing (or joining) those of the same person."""
    if not blobs:
        return records
    new = _matrix(blobs)
    if new is None:
        return None
    keep = ~np.isin(records[:, 1], new[:, 1])
    return np.concatenate([records[keep], new])


def read_states(session: Session, ids: np.ndarray) -> StoredStates | None:
    """Accumulators and marks of ``ids`` (sorted), or None when they disagree with the log.

    One read of one blob per person through the door's fast path (30,000 in
    a few hundredths of a second; in a long-lived process only the records
    written since its last read); the same read gives the consistency check:
    the rows every record has folded in must add up to the log's size, and
    every record must be of this layout.
    """
    records, participations = _current_records(session)
    if records is None or int(records[:, 2].sum()) != participations:
        return None
    matrix = np.zeros((len(ids), PACKED_WIDTH))
    last = np.zeros(len(ids))
    marks = np.full((len(ids), len(MARKS)), np.nan)
    if len(records):
        pids = records[:, 1].astype(np.int64)
        slot = np.searchsorted(ids, pids)
        ok = slot < len(ids)
        ok[ok] &= ids[slot[ok]] == pids[ok]
        matrix[slot[ok]] = records[ok, HEAD:]
        last[slot[ok]] = records[ok, 3]
        marks[slot[ok]] = records[ok, 4:HEAD]
    return StoredStates(unpack(matrix), last, {name: marks[:, j] for j, name in enumerate(MARKS)})


def current_states(session: Session, ids: np.ndarray) -> StoredStates:
    """The stored states of ``ids``; rebuilt first if something wrote around Kith (see the module doc)."""
    settle(session)  # this transaction's own changes to the log first
    stored = read_states(session, ids)
    if stored is not None:
        return stored
    if owner_of(session).strict_ties:
        raise TieStateDrift(
            "the stored tie states are out of step with the interaction log: a write skipped their upkeep "
            f"({door.participations(session)} rows in the log)")
    print("note: rebuilding every tie state (missing, of an older layout, or out of step with the log)",
          file=sys.stderr)
    rebuild_tie_states(session)
    stored = read_states(session, ids)
    assert stored is not None
    return stored


_ONE = select(TieStateRow.vector).where(TieStateRow.workspace_id == WS, TieStateRow.person_id == bindparam("pid"))


def stored_state(session: Session, person_id: int) -> TieState | None:
    """One person's stored accumulators (empty if they have no contact yet), None if another layout wrote them."""
    settle(session)
    row = door.first(session, _ONE, pid=person_id)
    return TieState() if row is None else decode_state(row[0])


def states_match_log(session: Session) -> bool:
    """Are the stored states complete (their rows add up to the log's) and of this layout?"""
    settle(session)
    every = _Read.of(door.tuples(session, _ALL))
    records = _matrix(every.blobs)
    return records is not None and int(records[:, 2].sum()) == every.participations


# ---------------------------------------------------------------- rebuilding


def rebuild_tie_states(session: Session, person_ids: Iterable[int] | None = None, *,
                       entries: np.ndarray | None = None) -> int:
    """Recompute stored accumulators from the log (everyone, or ``person_ids``); how many rows were written.

    ``entries``: the whole log's entries (:data:`kith.services.log_cache.ENTRY`), when the caller has them
    (a bulk load into an empty log): everyone's states are then worked out from them before anything is
    read, and they are kept as the log's cache. The result is the same: only people with entries get a
    state. (On PostgreSQL the load's last writes are then still under way while the states are worked out.)
    If the log turns out to hold more rows than them, it is read as without them.
    """
    if entries is not None:
        assert person_ids is None, "entries are the whole log: everyone is rebuilt"
        entries = log_cache.by_person(entries)
        ids = np.unique(entries["person"]).astype(np.int64)
        full, rows = _records(log_cache.as_log(entries, ids), ids)
        session.flush()
        if log_cache.store(session, entries):
            session.execute(delete(TieStateRow))
            return _write_records(session, ids, full, rows)
    session.flush()
    if person_ids is None:
        session.execute(delete(TieStateRow))
        ids = np.array(sorted(session.scalars(select(Person.id)).all()), dtype=np.int64)
    else:
        wanted = sorted(set(person_ids))
        if not wanted:
            return 0
        session.execute(delete(TieStateRow).where(TieStateRow.person_id.in_(wanted)))
        ids = np.array(sorted(session.scalars(select(Person.id).where(Person.id.in_(wanted))).all()), dtype=np.int64)
    log = log_cache.as_log(log_cache.log_entries(session), ids)  # one read of the log, kept for the next reader
    full, rows = _records(log, ids)
    return _write_records(session, ids, full, rows)


def _records(log: LogArrays, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Everyone's record (one row of ``ids`` each) and how many entries each has."""
    mask = log.contacts()
    matrix = pack(log.build(mask))
    last = log.last_sentiments(mask)
    rows = log.per_person()
    marks = log.marks()
    full = np.empty((len(ids), RECORD_WIDTH))
    full[:, 0], full[:, 1], full[:, 2], full[:, 3] = LAYOUT, ids, rows, last
    for name, j in _MARK_AT.items():
        full[:, j] = marks[name]
    full[:, HEAD:] = matrix
    return full, rows


def _write_records(session: Session, ids: np.ndarray, full: np.ndarray, rows: np.ndarray) -> int:
    """Store the records of the people with entries (their tie states are deleted already)."""
    now = datetime.now(UTC)
    seq = door.next_tie_seq(session)
    records = [(int(pid), full[i].tobytes(), seq, now) for i, pid in enumerate(ids.tolist()) if rows[i] > 0]
    door.insert_derived_rows(session, cast(Table, TieStateRow.__table__), ("person_id", "vector", "seq", "updated_at"),
                             records)
    return len(records)


def _opt(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


# ---------------------------------------------------------------- folding new interactions


@dataclass(frozen=True)
class Added:
    """A new interaction as the fold needs it: plain values, whoever wrote it (ORM or bulk)."""

    interaction_id: int
    at: datetime
    kind: str
    direction: str
    sentiment: int
    person_ids: tuple[int, ...]  # the people to fold it into
    group_size: int = 0  # everyone in it (0: as many as person_ids)

    @property
    def size(self) -> int:
        """How many people took part (weights group contact down)."""
        return self.group_size or max(len(self.person_ids), 1)


def fold_added(session: Session, added: Sequence[Added]) -> None:
    """Fold new interactions into their participants' stored states and marks.

    O(the new interactions); a load of more than :data:`FULL_REBUILD_SHARE` of
    the log at once rebuilds everyone instead (one vectorised pass is then
    cheaper than folding row by row).
    """
    entries = sum(len(a.person_ids) for a in added)
    if not entries:
        return
    if entries > FULL_REBUILD_SHARE * door.participations(session) and entries > 5000:
        rebuild_tie_states(session)
        return
    log_cache.append(session, [log_cache.NewEntry(a.interaction_id, pid, aware(a.at).timestamp(), a.kind, a.direction,
                                                  a.sentiment, a.size) for a in added for pid in a.person_ids])
    by_person: dict[int, list[Added]] = defaultdict(list)
    for item in added:
        for pid in item.person_ids:
            by_person[pid].append(item)
    rows: dict[int, TieStateRow] = {}
    pids = list(by_person)
    for start in range(0, len(pids), 5000):
        chunk = pids[start:start + 5000]
        rows.update((r.person_id, r) for r in session.scalars(
            select(TieStateRow).where(TieStateRow.person_id.in_(chunk))))
    now = datetime.now(UTC)
    seq = door.next_tie_seq(session)
    for pid, mine in by_person.items():
        row = rows.get(pid)
        record = None if row is None else decode(row.vector)
        if record is None:  # no state yet (or of another layout: the drift check rebuilds it)
            record = Record(pid, 0, 0, dict.fromkeys(MARKS), TieState())
        for item in mine:
            _fold(record, item)
        if row is None:
            session.add(TieStateRow(person_id=pid, vector=record.encode(), seq=seq, updated_at=now))
        else:
            row.vector, row.seq, row.updated_at = record.encode(), seq, now
    session.flush()


def _fold(record: Record, item: Added) -> None:
    """One interaction into one person's record: row counter, marks, newest sentiment, accumulators."""
    at = aware(item.at)
    t = at.timestamp()
    record.rows += 1
    kind = KIND_INDEX.get(item.kind, -1)
    direction = DIRECTION_CODE.get(item.direction, 2)
    for name in MARKS:
        current = record.marks.get(name)
        if bool(mark_mask(name, kind, direction, item.sentiment)) and (current is None or t > current):
            record.marks[name] = t
    if kind < 0:
        return
    state = record.state
    if state.n == 0 or t >= state.last:
        record.last_sentiment = item.sentiment
    state.add(Touch(at, item.kind, item.direction, item.sentiment, item.size), DEFAULT_PARAMS)


__all__ = [
    "LAYOUT",
    "Added",
    "Record",
    "StoredStates",
    "TieStateDrift",
    "current_states",
    "decode",
    "decode_state",
    "fold_added",
    "read_states",
    "rebuild_tie_states",
    "state_at",
    "states_match_log",
    "stored_state",
]
