"""The interaction log as packed columns, kept beside the log: reports read it in hundredths of a second.

A report's trend, the network's ties as of a past date and the tie-strength
validation need the whole log as arrays (:class:`kith.services.tie_log.LogArrays`).
Reading a million interactions and their participants row by row costs
seconds; ``log_cache`` keeps the same entries as a few packed chunks
(:data:`ENTRY`: 25 bytes an entry).

- **Appended by the writers**: the transaction that logs interactions appends
  its entries as a new chunk (:func:`append`, called by
  :func:`kith.services.tie_states.fold_added`, the one place every new
  interaction passes through). Chunks are merged into one when they grow many.
- **Checked on every read**, by counts the database keeps: the chunks must
  hold as many entries as ``log_count.participations``, and each must have
  been written at the current ``log_count.edits`` (moved by triggers on every
  update or delete of an interaction or participant, whoever makes it).
  Otherwise the cache is rebuilt from the log, once (:func:`log_entries`).
- Best effort: a write of the cache that fails (two processes rebuilding it
  at once) is dropped, never the transaction it happens in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
from sqlalchemy import Table, delete, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from kith.engine.ties import DIRECTION_CODE, KIND_INDEX
from kith.services.tie_log import NOT_A_CONTACT, LogArrays, read_raw_log
from kith.store import door
from kith.store.door import WS
from kith.store.models import InteractionParticipant, LogCache, LogCount

ENTRY = np.dtype([("interaction", "<i8"), ("person", "<i4"), ("ts", "<f8"), ("kind", "i1"), ("direction", "i1"),
                  ("sentiment", "i1"), ("group", "<u2")])
MAX_GROUP = 65535  # group sizes are kept up to this (exact for any real meeting)
MAX_CHUNKS = 32  # more chunks than this are merged into one on the next read
_TABLE = cast(Table, LogCache.__table__)


@dataclass(frozen=True)
class NewEntry:
    """One (interaction, participant) of a new interaction, as the cache keeps it."""

    interaction: int
    person: int
    ts: float
    kind: str
    direction: str
    sentiment: int
    group: int


def pack(entries: Sequence[NewEntry]) -> np.ndarray:
    """New entries as the packed :data:`ENTRY` array (in the order given)."""
    return _pack(entries)


def _pack(entries: Sequence[NewEntry]) -> np.ndarray:
    out = np.empty(len(entries), dtype=ENTRY)
    out["interaction"] = [e.interaction for e in entries]
    out["person"] = [e.person for e in entries]
    out["ts"] = [e.ts for e in entries]
    out["kind"] = [KIND_INDEX.get(e.kind, NOT_A_CONTACT) for e in entries]
    out["direction"] = [DIRECTION_CODE.get(e.direction, DIRECTION_CODE["mutual"]) for e in entries]
    out["sentiment"] = [e.sentiment for e in entries]
    out["group"] = [min(e.group, MAX_GROUP) for e in entries]
    return out


_COUNTS = select(LogCount.participations, LogCount.edits).where(LogCount.workspace_id == WS)
# The counts with the chunks, in one statement (one snapshot: a commit between two reads would look like a stale cache).
_CHUNKS = (select(LogCount.participations, LogCount.edits, LogCache.chunk, LogCache.entries, LogCache.edits,
                  LogCache.data)
           .select_from(LogCount).outerjoin(LogCache, LogCache.workspace_id == LogCount.workspace_id)
           .where(LogCount.workspace_id == WS))
_SUMMARY = select(func.count(), func.coalesce(func.sum(LogCache.entries), 0), func.min(LogCache.edits),
                  func.max(LogCache.edits), func.coalesce(func.max(LogCache.chunk), -1)).where(LogCache.workspace_id == WS)
_CLEAR = delete(_TABLE).where(_TABLE.c.workspace_id == WS)
_ROWS = select(func.count()).select_from(InteractionParticipant).where(InteractionParticipant.workspace_id == WS)


def _counts(session: Session) -> tuple[int, int]:
    row = door.first(session, _COUNTS)
    return (0, 0) if row is None else (int(row[0]), int(row[1]))


def append(session: Session, entries: Sequence[NewEntry]) -> None:
    """Append a transaction's new entries, when the cache is complete up to them (else leave it to be rebuilt)."""
    if not entries:
        return
    participations, edits = _counts(session)
    chunks, held, low, high, last = door.first(session, _SUMMARY) or (0, 0, None, None, -1)
    if not chunks or low != edits or high != edits or int(held) + len(entries) != participations:
        return  # stale or missing: the next read rebuilds it whole
    _write(session, [(int(last) + 1, _pack(entries), edits)])


def log_entries(session: Session) -> np.ndarray:
    """Every entry of the workspace's log (the packed :data:`ENTRY` array, by person then time).

    From the cache when it is complete (the appended chunks merged into the
    first, sorted, one); otherwise rebuilt from the log and written back.
    """
    found = door.tuples(session, _CHUNKS)
    participations, edits = (int(found[0][0]), int(found[0][1])) if found else (0, 0)
    rows = [r[2:] for r in found if r[2] is not None]
    if not participations:
        return np.empty(0, dtype=ENTRY)
    if (rows and sum(r[1] for r in rows) == participations and all(r[2] == edits for r in rows)
            and all(len(r[3]) == r[1] * ENTRY.itemsize for r in rows)):  # and of this layout
        parts = [np.frombuffer(r[3], dtype=ENTRY) for r in sorted(rows)]
        entries = parts[0] if len(parts) == 1 else _merge(parts[0], _by_person(np.concatenate(parts[1:])))
        if len(rows) > MAX_CHUNKS:
            _write(session, [(0, entries, edits)], replace=True)
        return entries
    entries = _by_person(_from_log(session))
    _write(session, [(0, entries, edits)], replace=True)
    return entries


def store(session: Session, entries: np.ndarray) -> bool:
    """Keep ``entries`` (by person then time: :func:`by_person`) as the cache, as :func:`log_entries` would after
    reading them from the log, if they are the whole log: as many as its rows, counted (and as its count says).
    Returns whether they are (if not, nothing is written)."""
    participations, edits = _counts(session)
    rows = door.scalars(session, _ROWS)[0]
    if not participations == int(rows) == len(entries):
        return False
    _write(session, [(0, entries, edits)], replace=True)
    return True


def by_person(entries: np.ndarray) -> np.ndarray:
    """The entries by person, then time, then interaction (the cache's order)."""
    return _by_person(entries)


def _by_person(entries: np.ndarray) -> np.ndarray:
    """The entries by person, then time, then interaction."""
    return entries[np.lexsort((entries["interaction"], entries["ts"], entries["person"]))]


def _merge(base: np.ndarray, tail: np.ndarray) -> np.ndarray:
    """Two arrays sorted by person then time, merged (the tail is small: a few appended interactions)."""
    if not len(tail):
        return base
    start = float(min(base["ts"].min(initial=np.inf), tail["ts"].min()))
    span = float(max(base["ts"].max(initial=-np.inf), tail["ts"].max())) - start + 1.0

    def key(a: np.ndarray) -> np.ndarray:
        out: np.ndarray = a["person"].astype(np.float64) * span + (a["ts"] - start)
        return out

    return np.insert(base, np.searchsorted(key(base), key(tail), side="right"), tail)


def _from_log(session: Session) -> np.ndarray:
    """The entries read from the log itself (two numeric reads, joined in numpy)."""
    inter, parts = read_raw_log(session)
    iid = inter[:, 0].astype(np.int64)
    pi, pp = parts[:, 0].astype(np.int64), parts[:, 1].astype(np.int64)
    row = np.searchsorted(iid, pi)
    ok = row < len(iid)
    ok[ok] &= iid[row[ok]] == pi[ok]
    row, pp = row[ok], pp[ok]
    group = np.bincount(row, minlength=len(iid))
    out = np.empty(len(row), dtype=ENTRY)
    out["interaction"], out["person"], out["ts"] = iid[row], pp, inter[row, 1]
    out["kind"], out["direction"], out["sentiment"] = inter[row, 2], inter[row, 3], inter[row, 4]
    out["group"] = np.minimum(group[row], MAX_GROUP)
    return out


def _write(session: Session, chunks: list[tuple[int, np.ndarray, int]], *, replace: bool = False) -> None:
    """Write chunks in a savepoint: a failure (another process writing the same chunk) loses only the cache."""
    try:
        with session.begin_nested():
            out = door.writer(session)
            if replace:
                out.execute(_CLEAR)
            out.insert(_TABLE, [{"chunk": n, "entries": len(a), "edits": e, "data": a.tobytes()} for n, a, e in chunks])
    except (IntegrityError, DBAPIError):
        pass


def as_log(entries: np.ndarray, ids: np.ndarray, until: float | None = None) -> LogArrays:
    """The entries of ``ids`` (sorted person ids) up to ``until`` as :class:`LogArrays`."""
    mask = np.ones(len(entries), dtype=bool) if until is None else entries["ts"] <= until
    person = entries["person"][mask].astype(np.int64)
    slot = np.searchsorted(ids, person)
    mine = slot < len(ids)
    mine[mine] &= ids[slot[mine]] == person[mine]
    chosen = np.flatnonzero(mask)[mine]
    return LogArrays(slot[mine], entries["ts"][chosen], entries["kind"][chosen].astype(np.int64),
                     entries["direction"][chosen].astype(np.int64), entries["sentiment"][chosen].astype(np.float64),
                     entries["group"][chosen].astype(np.float64), len(ids), by_person=True)


def cached_log(session: Session, ids: np.ndarray, until: float | None = None) -> LogArrays:
    """The log of ``ids`` (sorted) up to ``until`` (unix seconds), through the cache."""
    return as_log(log_entries(session), ids, until)


__all__ = ["ENTRY", "NewEntry", "append", "as_log", "by_person", "cached_log", "log_entries", "pack", "store"]
