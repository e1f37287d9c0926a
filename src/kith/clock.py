"""Time as Kith sees it: "now" is always injected, never read deep inside.

All datetimes are timezone-aware UTC. Dates typed by people ("2024-03-12",
"12 Mar 2024", "yesterday", "3d ago") are parsed here and nowhere else.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, time, timedelta

from kith.errors import BadInput

_AGO = re.compile(r"^(\d+)\s*([dwmy])\s*(ago)?$")
_SPAN = re.compile(r"^(\d+)\s*(d|day|days|w|wk|week|weeks|m|mo|month|months|y|yr|year|years)$")
_SPAN_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


def utc(dt: datetime) -> datetime:
    """Return ``dt`` as an aware UTC datetime (naive values are taken as UTC)."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def now() -> datetime:
    """The current instant, honouring ``KITH_NOW`` so that runs are reproducible."""
    fixed = os.environ.get("KITH_NOW")
    if fixed:
        return parse_when(fixed, now=datetime.now(UTC), end_of_day=True)
    return datetime.now(UTC)


def parse_when(text: str, *, now: datetime, end_of_day: bool = False) -> datetime:
    """Parse a date or datetime a person typed, relative words included.

    Accepts ISO 8601 dates and datetimes, Unix seconds, ``today``,
    ``yesterday``, ``3d ago``, ``2w``. A bare date means the start of that day
    unless ``end_of_day`` (used for ``--as-of``: "as of a date" includes it).
    """
    raw = text.strip().lower()
    if not raw:
        raise BadInput("empty date")
    base = now.date()
    if raw in ("now",):
        return utc(now)
    if raw in ("today", "yesterday", "tomorrow"):
        day = base + timedelta(days={"today": 0, "yesterday": -1, "tomorrow": 1}[raw])
        return _at(day, end_of_day)
    m = _AGO.match(raw)
    if m:
        day = base - timedelta(days=int(m.group(1)) * _SPAN_DAYS[m.group(2)])
        return _at(day, end_of_day)
    if re.fullmatch(r"\d{9,11}(\.\d+)?", raw):
        return datetime.fromtimestamp(float(raw), UTC)
    try:
        if len(raw) == 10:
            return _at(date.fromisoformat(raw), end_of_day)
        return utc(datetime.fromisoformat(text.strip().replace("Z", "+00:00")))
    except ValueError:
        pass
    raise BadInput(f"cannot read the date '{text}' (use YYYY-MM-DD, an ISO datetime, 'yesterday' or '3d ago')")


def parse_span(text: str) -> timedelta:
    """Parse a duration like ``2w``, ``10d``, ``3m`` (months of 30 days), ``1y``."""
    raw = text.strip().lower()
    m = _SPAN.match(raw)
    if not m:
        raise BadInput(f"cannot read the duration '{text}' (use e.g. 10d, 2w, 3m, 1y)")
    return timedelta(days=int(m.group(1)) * _SPAN_DAYS[m.group(2)[0]])


def _at(day: date, end_of_day: bool) -> datetime:
    if end_of_day:
        return datetime.combine(day, time(23, 59, 59), UTC)
    return datetime.combine(day, time(0, 0), UTC)


def ago_words(days: int) -> str:
    """Whole days back in the words every page and explanation uses: "today", "yesterday", "3 weeks ago"."""
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 0:
        return "tomorrow" if days == -1 else f"in {-days} days"
    if days < 14:
        return f"{days} days ago"
    if days < 60:
        return f"{days // 7} weeks ago"
    if days < 730:
        return f"{days // 30} months ago"
    return f"{days // 365} years ago"
