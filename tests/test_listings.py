"""One listing service per entity: the order, the filter, one page and the total, the same on both backends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from tests.conftest import FIXED_NOW, add_workspace

from kith.runtime import Kith
from kith.services import events, favors, goals, opportunities, relations
from kith.services.people import NewPerson, add_person
from kith.web.app import create_app
from web_helpers import LOCAL


@pytest.fixture
def api(kith: Kith) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(create_app(kith, secret_key="s" * 32, now=lambda: FIXED_NOW), base_url=LOCAL) as client:
        yield client


def test_events_are_listed_newest_first_and_undated_ones_last(kith: Kith, api: Any) -> None:
    with kith.session() as s:
        for name, day in (("Undated", None), ("Berlinale", date(2026, 2, 12)), ("Cannes", date(2026, 5, 13))):
            events.add_event(s, name, starts_on=day)
        page, total = events.list_events(s, limit=2, offset=1)
    assert ([e.name for e in page], total) == (["Berlinale", "Undated"], 3)
    assert [e["name"] for e in api.get("/api/v1/events").json()["items"]] == ["Cannes", "Berlinale", "Undated"]


def test_goals_are_listed_active_first(kith: Kith, api: Any, cli: Any) -> None:
    with kith.session() as s:
        first = goals.add_goal(s, "Raise a seed round", now=FIXED_NOW)
        goals.add_goal(s, "Film publicity", now=FIXED_NOW)
        goals.close_goal(s, first, FIXED_NOW.date())
        assert [g.title for g in goals.list_goals(s)[0]] == ["Film publicity"]
    listed = api.get("/api/v1/goals").json()
    assert ([g["title"] for g in listed["items"]], listed["total"]) == (["Film publicity", "Raise a seed round"], 2)
    assert json.loads(cli("goal", "list", "--all", "--json").out) == listed["items"]


def test_favours_and_relations_are_listed_for_one_person(kith: Kith, api: Any) -> None:
    with kith.session() as s:
        ana, ben, cara = (add_person(s, NewPerson(n), now=FIXED_NOW) for n in ("Ana", "Ben", "Cara"))
        favors.record_favor(s, ana, "received", "an intro", now=FIXED_NOW)
        favors.record_favor(s, ben, "given", "a reference", now=FIXED_NOW)
        relations.link(s, ana, "knows", ben, now=FIXED_NOW)
        relations.link(s, cara, "assistant-of", ben, now=FIXED_NOW)
        assert [f.what for f in favors.list_favors(s, person_id=ana.id)[0]] == ["an intro"]
        assert [(r.src_name, r.kind, r.dst_name) for r in relations.list_relations(s, person_id=ana.id)[0]] == [
            ("Ana", "knows", "Ben")]
        ben_id = ben.id
    listed = api.get("/api/v1/relations", params={"person_id": ben_id, "limit": 1}).json()
    assert (len(listed["items"]), listed["total"], listed["limit"]) == (1, 2, 1)


def test_opportunities_are_listed_newest_first_with_names(kith: Kith) -> None:
    with kith.session() as s:
        rick = add_person(s, NewPerson("Rick Moreno"), now=FIXED_NOW)
        opportunities.add_opportunity(s, "Old gig", now=FIXED_NOW, found_on=date(2026, 1, 1))
        opportunities.add_opportunity(s, "New job", now=FIXED_NOW, referred_by=rick, org="Globex",
                                      found_on=date(2026, 6, 1))
        page, total = opportunities.list_opportunities(s)
    assert [(o.title, o.referred_by, o.organization) for o in page] == [
        ("New job", "Rick Moreno", "Globex"), ("Old gig", None, None)]
    assert total == 2


def test_a_listing_neither_shows_nor_counts_another_workspaces_rows(kith: Kith) -> None:
    other = add_workspace(kith)
    with kith.session(other) as s:
        theirs = add_person(s, NewPerson("Secret"), now=FIXED_NOW)
        events.add_event(s, "Secret gala")
        goals.add_goal(s, "Secret goal", now=FIXED_NOW)
        favors.record_favor(s, theirs, "given", "secret", now=FIXED_NOW)
        opportunities.add_opportunity(s, "Secret job", now=FIXED_NOW)
    with kith.session() as s:
        assert events.list_events(s) == ([], 0)
        assert goals.list_goals(s, include_closed=True) == ([], 0)
        assert favors.list_favors(s) == ([], 0)
        assert relations.list_relations(s) == ([], 0)
        assert opportunities.list_opportunities(s) == ([], 0)
