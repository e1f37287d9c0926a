"""Calendars: meetings with others become interactions; recurring ones expanded up to now."""

from __future__ import annotations

from import_helpers import IMPORT, ME, interactions, run
from kith.runtime import Kith


def test_meetings_recurrences_up_to_now_and_declined_or_solo_events_skipped(kith: Kith) -> None:
    summary = run(kith, "ics", IMPORT / "calendar.ics", me=ME)
    assert summary.skipped == {"declined event": 1, "event without other attendees": 1, "event in the future": 1}
    rows = [(i["when"].date().isoformat(), i["direction"], i["people"]) for i in interactions(kith)]
    assert rows[0] == ("2024-03-05", "out", ["Ana Diaz"])
    weekly = [r for r in rows[1:]]
    assert [r[0] for r in weekly] == ["2026-05-01", "2026-05-15", "2026-05-22", "2026-05-29", "2026-06-05", "2026-06-12"]
    assert all(r[1:] == ("in", ["Bo Li", "Gil Amar"]) for r in weekly)
