"""One read form and one edit service per entity: goals, events, favours, opportunities, relations.

The services validate (blank names, dates out of order, unknown statuses, people and
goals of another workspace); the API only parses, calls them and renders their views.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import FIXED_NOW, add_workspace

from kith.errors import BadInput, NotFound
from kith.runtime import Kith
from kith.services import events as events_svc
from kith.services import favors as favors_svc
from kith.services import goals as goals_svc
from kith.services import opportunities as opp_svc
from kith.services.people import NewPerson, add_person
from kith.web.app import create_app
from web_helpers import LOCAL

TODAY = FIXED_NOW.date()


@pytest.fixture
def api(kith: Kith) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(create_app(kith, secret_key="s" * 32, now=lambda: FIXED_NOW), base_url=LOCAL) as c:
        yield c


# -- goals -------------------------------------------------------------------------------------


def test_api_goal_has_closed_on_after_closing(api: Any) -> None:
    gid = api.post("/api/v1/goals", json={"title": "Raise a seed round"}).json()["id"]
    assert api.get(f"/api/v1/goals/{gid}").json()["closed_on"] is None
    closed = api.patch(f"/api/v1/goals/{gid}", json={"status": "closed"})
    assert closed.status_code == 200
    assert (closed.json()["status"], closed.json()["closed_on"]) == ("closed", TODAY.isoformat())
    assert api.get("/api/v1/goals").json()["items"][0]["closed_on"] == TODAY.isoformat()
    reopened = api.patch(f"/api/v1/goals/{gid}", json={"status": "active"}).json()
    assert (reopened["status"], reopened["closed_on"]) == ("active", None)


def test_the_api_and_the_cli_give_a_goal_the_same_json(api: Any, cli: Any) -> None:
    gid = api.post("/api/v1/goals", json={"title": "Film publicity", "tags": ["Film Crew"]}).json()["id"]
    api.patch(f"/api/v1/goals/{gid}", json={"status": "closed"})
    from_cli = json.loads(cli("goal", "show", str(gid), "--json").out)
    assert from_cli == api.get(f"/api/v1/goals/{gid}").json()
    assert from_cli["tags"] == ["film-crew"] and from_cli["closed_on"] == TODAY.isoformat()


def test_the_openapi_schema_of_a_goal_names_closed_on(api: Any) -> None:
    props = api.get("/openapi.json").json()["components"]["schemas"]["GoalOut"]["properties"]
    assert "closed_on" in props


def test_closing_a_goal_twice_keeps_the_first_day(kith: Kith) -> None:
    with kith.session() as s:
        goal = goals_svc.add_goal(s, "Raise", now=FIXED_NOW)
        goals_svc.edit_goal(s, goal, goals_svc.GoalChanges(status="closed"), now=FIXED_NOW)
        goals_svc.edit_goal(s, goal, goals_svc.GoalChanges(status="closed"), now=FIXED_NOW + timedelta(days=3))
        assert goal.closed_on == TODAY


def test_patching_a_goal_with_a_blank_title_or_a_window_backwards_is_refused_by_the_service(kith: Kith, api: Any) -> None:
    with kith.session() as s:
        goal = goals_svc.add_goal(s, "Raise", now=FIXED_NOW)
        with pytest.raises(BadInput, match="needs a title"):
            goals_svc.edit_goal(s, goal, goals_svc.GoalChanges(title="   "), now=FIXED_NOW)
        with pytest.raises(BadInput, match="end before it starts"):
            goals_svc.edit_goal(s, goal, goals_svc.GoalChanges(ends_on=TODAY - timedelta(days=1)), now=FIXED_NOW)
        with pytest.raises(BadInput, match="unknown goal status"):
            goals_svc.edit_goal(s, goal, goals_svc.GoalChanges(status="done"), now=FIXED_NOW)
        gid = goal.id
    answer = api.patch(f"/api/v1/goals/{gid}", json={"title": "  "})
    assert answer.status_code == 422 and answer.json() == {"error": "a goal needs a title"}
    assert api.get(f"/api/v1/goals/{gid}").json()["title"] == "Raise"


def test_patching_goal_tags_stores_their_folded_keys(api: Any) -> None:
    gid = api.post("/api/v1/goals", json={"title": "Raise"}).json()["id"]
    assert api.patch(f"/api/v1/goals/{gid}", json={"tags": ["Seed Investor", "  ", "seed investor"]}).json()["tags"] == [
        "seed-investor"]


# -- events ------------------------------------------------------------------------------------


def test_patching_an_event_with_a_blank_name_is_refused_by_the_service(kith: Kith, api: Any) -> None:
    with kith.session() as s:
        ev = events_svc.add_event(s, "Cannes 2026")
        with pytest.raises(BadInput, match="needs a name"):
            events_svc.edit_event(s, ev, events_svc.EventChanges(name=" \t "))
        eid = ev.id
    answer = api.patch(f"/api/v1/events/{eid}", json={"name": "   "})
    assert answer.status_code == 422 and answer.json() == {"error": "an event needs a name"}
    assert api.get(f"/api/v1/events/{eid}").json()["name"] == "Cannes 2026"


def test_an_event_cannot_end_before_it_starts(api: Any) -> None:
    made = api.post("/api/v1/events", json={"name": "Shoot", "starts_on": "2026-06-10", "ends_on": "2026-06-01"})
    assert made.status_code == 422 and "end before it starts" in made.json()["error"]
    eid = api.post("/api/v1/events", json={"name": "Shoot", "starts_on": "2026-06-10"}).json()["id"]
    assert api.patch(f"/api/v1/events/{eid}", json={"ends_on": "2026-06-01"}).status_code == 422
    changed = api.patch(f"/api/v1/events/{eid}", json={"name": "  The   Shoot ", "ends_on": "2026-06-12", "kind": "project"})
    assert changed.json() == {"id": eid, "name": "The Shoot", "kind": "project", "starts_on": "2026-06-10",
                              "ends_on": "2026-06-12", "location": "", "note": ""}


# -- favours -----------------------------------------------------------------------------------


def test_marking_a_favour_returned_records_today(kith: Kith, api: Any) -> None:
    with kith.session() as s:
        ana = add_person(s, NewPerson(name="Ana Diaz"), now=FIXED_NOW)
        fid = favors_svc.record_favor(s, ana, "received", "an intro", now=FIXED_NOW, done_on=date(2026, 5, 1)).id
    returned = api.patch(f"/api/v1/favors/{fid}", json={"status": "returned"}).json()
    assert (returned["status"], returned["done_on"], returned["returned_on"]) == ("returned", "2026-05-01", TODAY.isoformat())


def test_a_favour_cannot_be_returned_before_it_was_done(kith: Kith, api: Any) -> None:
    with kith.session() as s:
        ana = add_person(s, NewPerson(name="Ana Diaz"), now=FIXED_NOW)
        favor = favors_svc.record_favor(s, ana, "received", "an intro", now=FIXED_NOW, done_on=date(2026, 5, 1))
        with pytest.raises(BadInput, match=r"returned \(2026-04-01\) before it was done \(2026-05-01\)"):
            favors_svc.edit_favor(s, favor, favors_svc.FavorChanges(returned_on=date(2026, 4, 1)), now=FIXED_NOW)
        with pytest.raises(BadInput, match="unknown favour status"):
            favors_svc.edit_favor(s, favor, favors_svc.FavorChanges(status="forgotten"), now=FIXED_NOW)
        with pytest.raises(BadInput, match="before it was asked"):
            favors_svc.record_favor(s, ana, "given", "a review", now=FIXED_NOW, asked_on=date(2026, 6, 1),
                                    done_on=date(2026, 5, 1))
        fid = favor.id
    answer = api.patch(f"/api/v1/favors/{fid}", json={"asked_on": "2026-06-01"})
    assert answer.status_code == 422 and "before it was asked" in answer.json()["error"]
    assert api.get(f"/api/v1/favors/{fid}").json()["asked_on"] is None


# -- opportunities -----------------------------------------------------------------------------


def test_an_opportunity_cannot_point_to_a_person_or_a_goal_of_another_workspace(kith: Kith) -> None:
    other = add_workspace(kith)
    with kith.session(other) as s:
        stranger = add_person(s, NewPerson(name="Stranger"), now=FIXED_NOW).id
        their_goal = goals_svc.add_goal(s, "Their goal", now=FIXED_NOW).id
    with kith.session() as s:
        opp = opp_svc.add_opportunity(s, "Publicist job", now=FIXED_NOW)
        with pytest.raises(NotFound):
            opp_svc.edit_opportunity(s, opp, opp_svc.OpportunityChanges(referred_by_id=stranger))
        with pytest.raises(NotFound):
            opp_svc.edit_opportunity(s, opp, opp_svc.OpportunityChanges(goal_id=their_goal))
        assert (opp.referred_by_id, opp.goal_id) == (None, None)


def test_patching_an_opportunity_is_validated_by_the_service(kith: Kith, api: Any) -> None:
    with kith.session() as s:
        opp = opp_svc.add_opportunity(s, "Publicist job", now=FIXED_NOW)
        for changes, message in ((opp_svc.OpportunityChanges(title=" "), "needs a title"),
                                 (opp_svc.OpportunityChanges(kind="lottery"), "unknown opportunity kind"),
                                 (opp_svc.OpportunityChanges(outcome="maybe"), "unknown outcome")):
            with pytest.raises(BadInput, match=message):
                opp_svc.edit_opportunity(s, opp, changes)
        ana = add_person(s, NewPerson(name="Ana Diaz", org="Northlight"), now=FIXED_NOW)
        oid, aid = opp.id, ana.id
    assert api.patch(f"/api/v1/opportunities/{oid}", json={"title": " "}).status_code == 422
    changed = api.patch(f"/api/v1/opportunities/{oid}", json={"referred_by_id": aid, "outcome": "won"}).json()
    assert (changed["referred_by_id"], changed["referred_by"], changed["outcome"]) == (aid, "Ana Diaz", "won")


def test_the_api_and_the_cli_give_an_opportunity_the_same_json(api: Any, cli: Any) -> None:
    cli("add", "Ana Diaz")
    made = json.loads(cli("opportunity", "add", "Publicist job", "--referred-by", "Ana", "--org", "Northlight",
                          "--json").out)
    assert made == api.get(f"/api/v1/opportunities/{made['id']}").json()
    assert (made["referred_by"], made["organization"], made["org"]) == ("Ana Diaz", "Northlight", "Northlight")


# -- relations ---------------------------------------------------------------------------------


def test_a_relation_reads_the_same_in_the_api_and_the_cli_with_both_names(api: Any, cli: Any) -> None:
    a = api.post("/api/v1/people", json={"name": "Gus Park"}).json()["id"]
    b = api.post("/api/v1/people", json={"name": "Bea Stone"}).json()["id"]
    rid = api.post("/api/v1/relations", json={"src": a, "kind": "assistant-of", "dst": b}).json()["id"]
    changed = api.patch(f"/api/v1/relations/{rid}", json={"note": "since 2024"}).json()
    assert changed == {"id": rid, "src": a, "kind": "assistant-of", "dst": b, "source": "manual",
                       "note": "since 2024", "src_name": "Gus Park", "dst_name": "Bea Stone"}
    assert json.loads(cli("show", "Bea Stone", "--json").out)["relations"] == [changed]


def test_no_api_handler_changes_a_row_field_by_field() -> None:
    api_dir = Path(__file__).parents[1] / "src" / "kith" / "web" / "api"
    assert [p.name for p in sorted(api_dir.glob("*.py")) if "setattr(" in p.read_text(encoding="utf-8")] == []
