"""The tie's own rhythm: its learned usual gap, and when contact is next due.

The learned gap is the mean gap between contacts, ``(last - first) / (n - 1)``,
shrunk toward a prior gap with a pseudo-count so that two messages an hour apart
do not teach Kith that a tie is hourly. It needs only the count and the first
and last contact, so it is order-independent and maintained incrementally by
the tie accumulator (interactions may be inserted out of order).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray

MIN_GAP_DAYS = 1.0  # nothing is "usually" more often than daily for the agenda
MAX_GAP_DAYS = 730.0  # beyond two years there is no rhythm left to keep


def learned_gap_array(
    n: NDArray[np.float64], span_days: NDArray[np.float64], prior_days: float, prior_weight: float
) -> NDArray[np.float64]:
    """Shrunk mean gap in days for arrays of contact counts and first-to-last spans.

    With ``n`` contacts there are ``n - 1`` observed gaps summing to the span;
    the prior adds ``prior_weight`` pseudo-gaps of ``prior_days`` each.
    """
    gaps = np.maximum(n - 1.0, 0.0)
    learned = (span_days + prior_days * prior_weight) / (gaps + prior_weight)
    return np.clip(learned, MIN_GAP_DAYS, MAX_GAP_DAYS)


def learned_gap_days(
    n: int, span_days: float, prior_days: float, prior_weight: float
) -> float | None:
    """The learned usual gap of one tie in days, or None before two contacts."""
    if n < 2:
        return None
    one = learned_gap_array(np.array([float(n)]), np.array([span_days]), prior_days, prior_weight)
    return float(one[0])


def cadence_due(
    last_at: datetime | None,
    learned_gap: float | None,
    explicit_days: float | None,
    as_of: datetime,
) -> tuple[datetime | None, float | None]:
    """When the next contact is due, and how far into silence the tie is.

    An explicit keep-in-touch cadence (set by the user) wins over the learned
    gap. Returns ``(due, ratio)`` where ``ratio`` is days of silence divided by
    the gap (1.0 means due today, above 1 overdue). With no gap at all there
    is no due date; with a gap but no contact yet, contact is due now.
    """
    gap = explicit_days if explicit_days is not None else learned_gap
    if gap is None or not math.isfinite(gap) or gap <= 0:
        return None, None
    if last_at is None:
        return as_of, None
    silence_days = (as_of - last_at).total_seconds() / 86400.0
    return last_at + timedelta(days=gap), max(silence_days, 0.0) / gap
