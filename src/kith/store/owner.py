"""What the owner of a session factory keeps for every session it makes.

A process opens Kith once per database (:func:`kith.runtime.open_kith`); the
resulting object owns the session factory, and through the factory's
``info`` every session it makes can reach one :class:`Owner`: named caches
that outlive a transaction (the people graph, the tie states read last,
statements checked by :mod:`kith.store.door`) and the settings that go with
the database. Nothing of the kind lives at module level, so two databases
opened in one process (tests, a restore into a second file) never share
state, and behaviour never depends on which modules were imported.

A session made some other way gets a throwaway :class:`Owner` of its own
(correct, merely uncached).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.orm import Session

OWNER_KEY = "kith.owner"
T = TypeVar("T")


@dataclass
class Owner:
    """Per-database state shared by every session of one factory."""

    #: A drift between the stored tie states and the log is an error, not a silent rebuild (tests set it).
    strict_ties: bool = False
    _caches: dict[str, Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def cache(self, name: str, make: Callable[[], T]) -> T:
        """The cache called ``name``, made by ``make`` on first use (thread-safe)."""
        with self._lock:
            value = self._caches.get(name)
            if value is None:
                value = make()
                self._caches[name] = value
            return value

    def forget(self) -> None:
        """Drop every cache (they are rebuilt on next use)."""
        with self._lock:
            self._caches.clear()


def owner_of(session: Session) -> Owner:
    """The :class:`Owner` of the factory that made ``session`` (a throwaway one if none)."""
    owner = session.info.get(OWNER_KEY)
    if owner is None:
        owner = Owner()
        session.info[OWNER_KEY] = owner
    return owner
