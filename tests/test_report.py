"""The quality report: sizes, hellos, follow-up rate, favours, gatekeepers, trend."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session
from tests.conftest import FIXED_NOW, CliResult

from kith.cli.agenda import sparkline
from kith.runtime import Kith
from kith.services.events import add_event
from kith.services.favors import record_favor
from kith.services.interactions import log_interaction
from kith.services.people import NewPerson, add_person, archive_person
from kith.services.relations import link
from kith.services.report import month_ends, report
from kith.services.scores import tie_scores
from kith.store.models import Person

NOW = FIXED_NOW  # 2026-06-15 12:00 UTC


@pytest.fixture
def session(kith: Kith) -> Iterator[Session]:
    with kith.session() as s:
        yield s


def person(s: Session, name: str, closeness: int | None = None, **kw: object) -> Person:
    return add_person(s, NewPerson(name, closeness=closeness, **kw), now=NOW)  # type: ignore[arg-type]


def log(s: Session, p: Person, kind: str, day: str, **kw: object) -> None:
    when = datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)
    log_interaction(s, [p], kind, when=when, now=NOW, **kw)  # type: ignore[arg-type]


def test_network_size_counts_non_archived_people_next_to_callable_and_layer_sizes(session: Session) -> None:
    for name, closeness in (("Ann", 90), ("Bob", 60), ("Cat", 5)):
        person(session, name, closeness)
    archive_person(person(session, "Gone", 90), now=NOW)
    session.flush()
    sizes = report(session, NOW).as_dict()["sizes"]
    ties = tie_scores(session, NOW)
    assert sizes["network"] == 3
    assert sizes["callable"] == sum(t.callable for t in ties.values())
    assert sum(sizes["layers"].values()) == 3
    assert list(sizes["layers"]) == ["inner", "close", "active", "meaningful", "acquaintance", "dormant", "new"]


def test_hellos_share_counts_hello_only_and_never_contacted_relationships(session: Session) -> None:
    log(session, person(session, "Liker"), "like", "2026-05-01")
    log(session, person(session, "Waver"), "hello", "2026-05-02")
    person(session, "Silent")
    log(session, person(session, "Friend"), "coffee", "2026-05-03")
    hellos = report(session, NOW).as_dict()["hellos"]
    assert hellos == {"hello_only": 2, "no_contact": 1, "network": 4, "share": 0.75}


def test_follow_up_rate_per_event_counts_contact_after_meeting_and_missed_ones(session: Session) -> None:
    summit = add_event(session, "Web Summit", starts_on=date(2026, 3, 1))
    party = add_event(session, "Party", starts_on=date(2026, 6, 13))
    x = person(session, "Xia", met_at=summit, met_on=date(2026, 3, 1))
    log(session, x, "met", "2026-03-01")
    log(session, x, "email", "2026-03-05")
    y = person(session, "Yan", met_at=summit, met_on=date(2026, 3, 1))
    log(session, y, "met", "2026-03-01")
    person(session, "Zoe", met_at=party, met_on=date(2026, 6, 13))
    fu = report(session, NOW).as_dict()["follow_up"]
    assert fu["overall"] == {"met": 3, "followed_up": 1, "missed": 1, "rate": 0.333}
    assert [(e["event"], e["on"], e["met"], e["followed_up"], e["missed"], e["rate"]) for e in fu["events"]] == [
        ("Web Summit", "2026-03-01", 2, 1, 1, 0.5),
        ("Party", "2026-06-13", 1, 0, 0, 0.0),
    ]


def test_favours_given_vs_received_with_open_unreturned_and_unthanked(session: Session) -> None:
    a, b = person(session, "Ada"), person(session, "Ben")
    record_favor(session, a, "given", "a review", now=NOW, done_on=date(2026, 5, 1))
    record_favor(session, a, "given", "a reference", now=NOW, status="asked", asked_on=date(2026, 6, 1))
    record_favor(session, a, "received", "an intro", now=NOW, done_on=date(2026, 5, 2))
    log(session, a, "thanks-given", "2026-05-03")
    record_favor(session, b, "received", "a loan", now=NOW, status="returned", done_on=date(2026, 4, 1),
                 returned_on=date(2026, 5, 1))
    record_favor(session, b, "received", "a couch", now=NOW, status="asked", asked_on=date(2026, 6, 10))
    assert report(session, NOW).as_dict()["favours"] == {
        "given": 1, "received": 2, "open_asked_of_me": 1, "open_asked_by_me": 1, "unreturned": 1, "unthanked": 1,
    }


def test_gatekeepers_of_key_people_with_the_state_of_the_tie(session: Session) -> None:
    kim = person(session, "Kim Star", 90, key=True)
    gus = person(session, "Gus Aide", 10)
    link(session, gus, "assistant-of", kim, now=NOW)
    link(session, person(session, "Not Gatekeeper", 10), "works-with", kim, now=NOW)
    log(session, gus, "call", "2026-05-26", sentiment=-1)
    [row] = report(session, NOW).as_dict()["gatekeepers"]
    assert {k: row[k] for k in ("gatekeeper", "key_person", "last_sentiment", "days_since_contact", "state")} == {
        "gatekeeper": "Gus Aide", "key_person": "Kim Star", "last_sentiment": -1, "days_since_contact": 20,
        "state": "soured",
    }
    assert row["layer"] == tie_scores(session, NOW)[gus.id].layer


def test_trend_has_24_month_ends_oldest_first() -> None:
    ends = month_ends(NOW)
    assert len(ends) == 24
    assert (ends[0].date(), ends[-1].date()) == (date(2024, 6, 30), date(2026, 5, 31))
    assert month_ends(datetime(2026, 5, 31, 23, 59, 59, tzinfo=UTC))[-1].date() == date(2026, 5, 31)


def test_trend_counts_each_month_as_of_its_end(session: Session) -> None:
    log(session, person(session, "Early"), "coffee", "2025-01-10")
    log(session, person(session, "Late"), "like", "2026-04-10")
    person(session, "New")  # added on 2026-06-15: not in any past month
    trend = report(session, NOW).as_dict()["trend"]
    assert len(trend) == 24
    by_month = {m["month_end"]: m for m in trend}
    assert [by_month[d]["network"] for d in ("2024-12-31", "2025-01-31", "2026-04-30")] == [0, 1, 2]
    assert [by_month[d]["hello_share"] for d in ("2024-12-31", "2025-01-31", "2026-04-30")] == [None, 0.0, 0.5]
    assert set(trend[0]) == {"month_end", "network", "callable", "layers", "hello_share", "follow_up_rate",
                             "favours_given", "favours_received"}


def test_sparkline_scales_values_to_eight_levels() -> None:
    assert sparkline([0, 7, 14, None]) == "▁▅█ "


def test_cli_report_json_and_tables(cli: Callable[..., CliResult]) -> None:
    cli("add", "Ana Lima", "--met-at", "Web Summit", "--met-on", "2026-06-13")
    data = json.loads(cli("report", "--json").out)
    assert {"sizes", "hellos", "follow_up", "favours", "gatekeepers", "trend"} <= set(data)
    assert data["sizes"]["network"] == 1 and len(data["trend"]) == 24
    text = cli("report")
    assert text.code == 0 and "callable" in text.out and "Web Summit" in text.out and "Trend" in text.out
