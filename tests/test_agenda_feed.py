"""The calendar feed renders the agenda with the .ics exporter's writer: stable UIDs, overdue items today."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import icalendar
import pytest
from tests.conftest import FIXED_NOW

from kith.runtime import Kith
from kith.services import accounts
from kith.services.people import NewPerson, add_person
from kith.web.app import create_app
from web_helpers import LOCAL

UID = re.compile(r"^kith-agenda-(\d+)-([a-z-]+)@kith$")


class Clock:
    """A "now" a test can move."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(FIXED_NOW)


@pytest.fixture
def client(kith: Kith, clock: Clock) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(create_app(kith, secret_key="s" * 32, now=clock), base_url=LOCAL) as c:
        yield c


@pytest.fixture
def feed_url(kith: Kith) -> str:
    with kith.factory() as s, s.begin():
        _row, secret = accounts.create_token(s, workspace_id=kith.workspace_id, user_id=None, purpose="feed",
                                             now=FIXED_NOW)
    return f"/feed/{secret}.ics"


def events_of(client: Any, url: str) -> list[Any]:
    answer = client.get(url)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/calendar")
    return list(icalendar.Calendar.from_ical(answer.text).walk("VEVENT"))


def test_two_feeds_of_the_same_agenda_on_different_days_give_the_same_uids(
    kith: Kith, client: Any, clock: Clock, feed_url: str
) -> None:
    with kith.session() as s:
        people = [add_person(s, NewPerson(name=n, met_on=date(2026, 6, d), key=k), now=FIXED_NOW)
                  for n, d, k in (("Ana Diaz", 14, False), ("Bo Li", 10, False), ("Cy Key", 13, True))]
        ids = {p.display_name: p.id for p in people}
    first = {str(e["SUMMARY"]): str(e["UID"]) for e in events_of(client, feed_url)}
    clock.now = FIXED_NOW + timedelta(days=2)
    second = {str(e["SUMMARY"]): str(e["UID"]) for e in events_of(client, feed_url)}
    assert len(first) == 3 and first == second
    for summary, uid in first.items():
        action, name = summary.split(": ")
        assert UID.match(uid) and uid == f"kith-agenda-{ids[name]}-{action}@kith"  # no list position in it


def test_an_overdue_item_is_on_today_in_the_feed(kith: Kith, client: Any, clock: Clock, feed_url: str) -> None:
    with kith.session() as s:
        add_person(s, NewPerson(name="Ana Diaz", met_on=date(2026, 6, 1)), now=FIXED_NOW)
    clock.now = FIXED_NOW + timedelta(days=20)
    [event] = events_of(client, feed_url)
    assert (str(event["SUMMARY"]), event["DTSTART"].dt) == ("follow-up: Ana Diaz", clock.now.date())
