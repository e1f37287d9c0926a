"""/api/v1/changes: the recent changes and undo through the REST API, as `kith undo` and the /changes page
offer them; every deletion the API offers is a labelled change of the journal (so it can be undone), and a
change made by the CLI in another process can be undone through the API."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.conftest import FIXED_NOW, CliResult
from tests.web_helpers import LOCAL

from kith.runtime import Kith, open_kith
from kith.services.tie_states import states_match_log
from kith.store.models import Event, Favor, Goal, Opportunity, Relation


@pytest.fixture
def api(kith: Kith) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from kith.web.app import create_app

    with TestClient(create_app(kith, secret_key="s" * 32, now=lambda: FIXED_NOW), base_url=LOCAL) as c:
        yield c


def made(response: Any, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def person(api: Any, name: str) -> int:
    return int(made(api.post("/api/v1/people", json={"name": name}))["id"])


def count(kith: Kith, model: type) -> int:
    with kith.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_changes_are_listed_newest_first_in_the_paging_envelope(api: Any) -> None:
    ana = person(api, "Ana Diaz")
    made(api.post("/api/v1/favors", json={"person_id": ana, "direction": "received", "what": "an intro"}))
    page = made(api.get("/api/v1/changes", params={"limit": 1}), 200)
    assert page["total"] == 2 and page["limit"] == 1 and page["offset"] == 0
    assert [c["label"] for c in page["items"]] == ["Recorded a favour received: an intro"]
    assert page["items"][0]["undoable"] is True and page["items"][0]["kind"] == "change"
    rest = made(api.get("/api/v1/changes", params={"offset": 1}), 200)
    assert [c["label"] for c in rest["items"]] == ["Added Ana Diaz"]


@pytest.mark.parametrize("what", ["favors", "events", "goals", "opportunities", "relations"])
def test_every_deletion_the_api_offers_is_a_change_that_undo_takes_back(api: Any, kith: Kith, what: str) -> None:
    ana, ben = person(api, "Ana Diaz"), person(api, "Ben Okafor")
    body, model = {
        "favors": ({"person_id": ana, "direction": "given", "what": "a reference"}, Favor),
        "events": ({"name": "Lisbon Summit", "kind": "event"}, Event),
        "goals": ({"title": "Raise a seed round"}, Goal),
        "opportunities": ({"title": "Pilot at Umbrella"}, Opportunity),
        "relations": ({"src": ana, "kind": "assistant-of", "dst": ben}, Relation),
    }[what]
    thing = made(api.post(f"/api/v1/{what}", json=body))
    assert api.delete(f"/api/v1/{what}/{thing['id']}").status_code == 204
    assert count(kith, model) == 0
    latest = made(api.get("/api/v1/changes"), 200)["items"][0]
    assert latest["label"].startswith(("Deleted", "Removed")) and latest["undoable"]
    undone = made(api.post("/api/v1/changes/undo"), 200)
    assert undone["id"] == latest["id"] and undone["rows"] >= 1
    assert count(kith, model) == 1
    assert made(api.get(f"/api/v1/{what}/{thing['id']}"), 200)["id"] == thing["id"]


def test_undoing_a_deleted_favour_brings_the_tie_state_back_in_step(api: Any, kith: Kith) -> None:
    ana = person(api, "Ana Diaz")
    favour = made(api.post("/api/v1/favors", json={"person_id": ana, "direction": "received", "what": "an intro"}))
    before = made(api.get(f"/api/v1/scores/{ana}"), 200)
    assert api.delete(f"/api/v1/favors/{favour['id']}").status_code == 204
    change = made(api.get("/api/v1/changes"), 200)["items"][0]
    assert change["label"] == "Deleted the favour an intro"
    made(api.post(f"/api/v1/changes/{change['id']}/undo"), 200)
    with kith.session() as s:
        assert states_match_log(s)
    assert made(api.get(f"/api/v1/scores/{ana}"), 200)["strength"] == before["strength"]


def test_undo_answers_why_not_without_changing_anything(api: Any, kith: Kith) -> None:
    nothing = api.post("/api/v1/changes/undo")
    assert nothing.status_code == 422 and "no change to undo" in nothing.json()["error"]
    assert api.post("/api/v1/changes/999999/undo").status_code == 404
    assert api.post("/api/v1/changes/0/undo").status_code == 422  # not an id
    ana = person(api, "Ana Diaz")
    first = made(api.get("/api/v1/changes"), 200)["items"][0]
    made(api.patch(f"/api/v1/people/{ana}", json={"title": "Producer"}), 200)
    refused = api.post(f"/api/v1/changes/{first['id']}/undo")
    assert refused.status_code == 422 and "undo it first" in refused.json()["error"]
    assert made(api.get(f"/api/v1/people/{ana}"), 200)["title"] == "Producer"
    made(api.post("/api/v1/changes/undo"), 200)
    made(api.post(f"/api/v1/changes/{first['id']}/undo"), 200)
    again = api.post(f"/api/v1/changes/{first['id']}/undo")
    assert again.status_code == 422 and "already undone" in again.json()["error"]
    assert api.get(f"/api/v1/people/{ana}").status_code == 404


def test_a_change_made_by_the_cli_in_another_process_is_undone_through_the_api(
        kith_process: Callable[..., CliResult], db_url: str) -> None:
    from fastapi.testclient import TestClient

    from kith.web.app import create_app

    assert kith_process("add", "Ana Diaz", "--email", "ana@x.example").code == 0
    logged = kith_process("log", "Ana", "call", "--on", "2026-06-01")
    assert logged.code == 0, logged.err
    kith = open_kith(db_url, as_of=FIXED_NOW)
    try:
        with TestClient(create_app(kith, secret_key="s" * 32, now=lambda: FIXED_NOW), base_url=LOCAL) as api:
            latest = made(api.get("/api/v1/changes"), 200)["items"][0]
            assert latest["label"] == "Logged a call with Ana Diaz"
            made(api.post("/api/v1/changes/undo"), 200)
    finally:
        kith.close()
    shown = kith_process("interactions", "--json")
    assert shown.code == 0, shown.err
    assert json.loads(shown.out) == []
