"""Transient database failures: the ones worth running a whole transaction again for.

A write that lost a race is not an error to show anyone: on SQLite another
writer held the lock longer than the busy timeout, or committed after this
transaction's first read (``database is locked`` / busy snapshot); on
PostgreSQL a lock wait passed ``lock_timeout``, a deadlock was broken, or a
serializable transaction conflicted. Each left nothing behind (the transaction
rolled back), so the interfaces run the unit again after a short, growing,
jittered pause: the web app a whole request (:mod:`kith.web.retry`), the CLI a
whole command (:func:`kith.cli.app.main`).
"""

from __future__ import annotations

import random

from sqlalchemy.exc import DBAPIError

# SQLSTATEs: serialization_failure, deadlock_detected, lock_not_available, query_canceled (lock wait).
_PG_TRANSIENT = {"40001", "40P01", "55P03"}
ATTEMPTS = 6


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` is a lost race the same transaction may win when run again."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    state = getattr(orig, "sqlstate", None)
    if state is not None:
        return state in _PG_TRANSIENT
    text = str(orig).lower()
    return "database is locked" in text or "database table is locked" in text or "database is busy" in text


def pause(attempt: int) -> float:
    """Seconds to wait before attempt ``attempt`` + 1 (0.05, 0.1, 0.2, ... with jitter, at most 2 s)."""
    base: float = min(2.0, 0.05 * 2.0 ** attempt)
    return base * (0.5 + random.random())  # jitter, not a secret


__all__ = ["ATTEMPTS", "is_transient", "pause"]
