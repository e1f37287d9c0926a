"""Computed read models, reused while the workspace's data is unchanged.

Whole-network scores, the dashboard, the report and list orders cost
seconds at 30,000 people and a million interactions; a long-lived process
(a web worker) asks for them on every page. :func:`memoized` keeps each value
per workspace with the *data version* it was computed from
(:func:`kith.store.door.data_version`, kept by database triggers on every
table of the workspace's data) and, for values that depend on "now", the hour
of ``as_of``. A value is reused only while both are the same, so correctness
never depends on the cache: any write anywhere (this process, another worker,
the CLI, a tool on the database) moves the version.

The memo belongs to the owner of the session factory
(:class:`kith.store.owner.Owner`), not to this module: two databases opened in
one process never share it. When many threads miss the same value at once,
one computes it and the others wait for it. Values are shared between
callers: read models handed out here are never changed by their readers.
"""

from __future__ import annotations

import gc
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from kith.store import door
from kith.store.owner import owner_of
from kith.store.scope import has_written, workspace_id

T = TypeVar("T")


@dataclass(frozen=True)
class _Entry:
    version: tuple[int, ...]
    hour: datetime | None
    as_of: datetime | None
    value: Any


@dataclass
class Memo:
    """The memoized values of one database, per workspace and name."""

    entries: dict[tuple[int, str], _Entry] = field(default_factory=dict)
    gates: dict[tuple[int, str], threading.Lock] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stats: Counter[str] = field(default_factory=Counter)  # hits and misses (tests, benchmarks)
    settle_gc: bool = False  # freeze what a computation left alive (long-lived processes, see below)
    settled: int = 0  # computations settled so far
    depth: threading.local = field(default_factory=threading.local)  # nesting of computations, per thread


def memo_of(session: Session) -> Memo:
    """The memo of the database ``session`` belongs to."""
    return owner_of(session).cache("memo", Memo)


def memo_of_kith(kith: Any) -> Memo:
    """The memo of an open :class:`kith.runtime.Kith` (tests, benchmarks)."""
    return kith.owner.cache("memo", Memo)  # type: ignore[no-any-return]


def _hour(as_of: datetime | None) -> datetime | None:
    return None if as_of is None else as_of.replace(minute=0, second=0, microsecond=0)


def memoized(session: Session, name: str, as_of: datetime | None, compute: Callable[[], T], *,
             people_only: bool = False) -> T:
    """``compute()`` for the session's workspace, reused while the data version (and the hour of ``as_of``) hold.

    Pass ``as_of=None`` for a value that does not depend on "now", and
    ``people_only`` for one that reads nothing of the interaction log (nor of
    the tie states derived from it): it then survives interactions being
    logged (:attr:`kith.store.door.Version.people`).
    """
    return memoized_at(session, name, as_of, compute, people_only=people_only)[0]


def memoized_at(session: Session, name: str, as_of: datetime | None, compute: Callable[[], T], *,
                people_only: bool = False) -> tuple[T, datetime | None]:
    """:func:`memoized`, and the moment the value was computed for (pages show it)."""
    memo = memo_of(session)
    key = (workspace_id(session), name)
    full = door.data_version(session)
    version: tuple[int, ...] = (full.people,) if people_only else tuple(full)
    hour = _hour(as_of)
    with memo.lock:
        entry = memo.entries.get(key)
    if entry is not None and entry.version == version and entry.hour == hour:
        memo.stats["hit"] += 1
        return entry.value, entry.as_of
    if has_written(session):  # uncommitted changes: compute for this transaction alone
        memo.stats["miss"] += 1
        return compute(), as_of
    with memo.lock:
        gate = memo.gates.setdefault(key, threading.Lock())
    with gate:
        with memo.lock:
            entry = memo.entries.get(key)
        if entry is not None and entry.version == version and entry.hour == hour:
            memo.stats["hit"] += 1  # computed by another thread while this one waited
            return entry.value, entry.as_of
        memo.stats["miss"] += 1
        depth = getattr(memo.depth, "n", 0)
        memo.depth.n = depth + 1
        try:
            value = compute()
        finally:
            memo.depth.n = depth
        if has_written(session):  # computed from uncommitted data, which may still roll back: not for others
            return value, as_of
        with memo.lock:
            memo.entries[key] = _Entry(version, hour, as_of, value)
        if memo.settle_gc and depth == 0:  # once per outermost computation, not per nested value
            memo.settled += 1
            _settle(full=memo.settled % FULL_SETTLE_EVERY == 1)
        return value, as_of


def forget(session: Session) -> None:
    """Drop every memoized value of the session's workspace (never needed for correctness)."""
    memo = memo_of(session)
    ws = workspace_id(session)
    with memo.lock:
        for key in [k for k in memo.entries if k[0] == ws]:
            del memo.entries[key]


FULL_SETTLE_EVERY = 16  # a full collection before freezing, once in this many computations


def _settle(*, full: bool) -> None:
    """Keep the garbage collector off the memoized values.

    Tens of thousands of cached ties made every full collection of the
    cyclic garbage collector traverse them (a 150 ms pause every few dozen
    requests in a web worker). Freezing moves the objects alive now out of its
    sight; values are still freed by reference counting when replaced. A full
    collection first (``full``) also lets go the cyclic garbage frozen by
    earlier computations; it costs 0.05-0.15 s, so it is done once in
    :data:`FULL_SETTLE_EVERY` computations, not after each (the first view
    after a write is measured in tenths of a second).
    """
    if full:
        gc.unfreeze()
        gc.collect()
    gc.freeze()


__all__ = ["Memo", "forget", "memo_of", "memo_of_kith", "memoized", "memoized_at"]
