"""The REST API in local mode: people and interactions CRUD, paging, errors as JSON, OpenAPI."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.conftest import FIXED_NOW

from kith.runtime import Kith
from kith.web.app import create_app
from web_helpers import LOCAL


@pytest.fixture
def api(kith: Kith) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(create_app(kith, secret_key="s" * 32, now=lambda: FIXED_NOW), base_url=LOCAL) as c:
        yield c


def test_creating_a_person_answers_201_with_id_and_name(api: Any) -> None:
    answer = api.post("/api/v1/people", json={"name": "Ana Lopez"})
    assert answer.status_code == 201
    body = answer.json()
    assert body["name"] == "Ana Lopez" and isinstance(body["id"], int)


def test_a_person_can_be_read_changed_and_deleted(api: Any) -> None:
    pid = api.post("/api/v1/people", json={"name": "Ana", "emails": ["ana@example.com"], "tags": ["film"]}).json()["id"]
    assert api.get(f"/api/v1/people/{pid}").json()["emails"] == ["ana@example.com"]
    changed = api.patch(f"/api/v1/people/{pid}", json={"title": "Producer", "org": "Acme", "tags": ["tv"]})
    assert changed.status_code == 200
    assert changed.json()["title"] == "Producer" and changed.json()["org"] == "Acme" and changed.json()["tags"] == ["tv"]
    assert api.delete(f"/api/v1/people/{pid}").status_code == 204
    gone = api.get(f"/api/v1/people/{pid}")
    assert gone.status_code == 404 and gone.json() == {"error": f"no person with id {pid}"}


def test_lists_are_paginated_with_a_total(api: Any) -> None:
    for i in range(7):
        api.post("/api/v1/people", json={"name": f"Person {i}", "org": "Acme" if i < 3 else "Globex"})
    page = api.get("/api/v1/people", params={"limit": 3, "offset": 3}).json()
    assert page["total"] == 7 and page["limit"] == 3 and page["offset"] == 3
    assert [p["name"] for p in page["items"]] == ["Person 3", "Person 4", "Person 5"]
    assert api.get("/api/v1/people", params={"org": "acme"}).json()["total"] == 3
    assert api.get("/api/v1/people", params={"q": "person 6"}).json()["total"] == 1


def test_interactions_can_be_logged_listed_changed_and_deleted(api: Any) -> None:
    a = api.post("/api/v1/people", json={"name": "Ana"}).json()["id"]
    b = api.post("/api/v1/people", json={"name": "Bea"}).json()["id"]
    made = api.post("/api/v1/interactions", json={"people": [a, b], "kind": "coffee", "on": "2026-06-01T09:00:00Z", "direction": "me"})
    assert made.status_code == 201
    inter = made.json()
    assert inter["people"] == [a, b] and inter["direction"] == "out"
    listed = api.get("/api/v1/interactions", params={"person_id": b}).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == inter["id"]
    assert api.patch(f"/api/v1/interactions/{inter['id']}", json={"note": "films"}).json()["note"] == "films"
    assert api.delete(f"/api/v1/interactions/{inter['id']}").status_code == 204
    assert api.get(f"/api/v1/interactions/{inter['id']}").status_code == 404


def test_bad_input_is_a_4xx_with_a_json_message(api: Any) -> None:
    missing = api.post("/api/v1/people", json={})
    assert missing.status_code == 422 and "name" in missing.json()["error"]
    bad_mail = api.post("/api/v1/people", json={"name": "X", "emails": ["not-an-email"]})
    assert bad_mail.status_code == 422 and "e-mail" in bad_mail.json()["error"]
    pid = api.post("/api/v1/people", json={"name": "Ana"}).json()["id"]
    bad_kind = api.post("/api/v1/interactions", json={"people": [pid], "kind": "teleport"})
    assert bad_kind.status_code == 422 and "unknown interaction kind" in bad_kind.json()["error"]
    assert api.get("/api/v1/nothing-here").json() == {"error": "not found"}


def test_computed_views_answer(api: Any) -> None:
    pid = api.post("/api/v1/people", json={"name": "Ana", "org": "Acme"}).json()["id"]
    api.post("/api/v1/interactions", json={"people": [pid], "kind": "meal", "on": "2026-06-10T19:00:00Z"})
    scores = api.get("/api/v1/scores").json()
    assert scores["total"] == 1 and scores["items"][0]["person_id"] == pid and 0 <= scores["items"][0]["score"] <= 100
    assert api.get(f"/api/v1/scores/{pid}").json()["name"] == "Ana"
    assert api.get("/api/v1/agenda").status_code == 200
    assert api.get("/api/v1/report").json()["result"]
    assert api.get("/api/v1/reach", params={"target": "Acme"}).status_code == 200
    assert api.get("/api/v1/ask", params={"q": "acme"}).status_code == 200


def test_openapi_describes_every_resource_and_view(api: Any) -> None:
    spec = api.get("/openapi.json").json()
    paths = set(spec["paths"])
    singular = {"people": "person", "interactions": "interaction", "relations": "relation", "favors": "favor",
                "events": "event", "goals": "goal", "opportunities": "opportunity"}
    for resource, one in singular.items():
        assert f"/api/v1/{resource}" in paths and f"/api/v1/{resource}/{{{one}_id}}" in paths
    for view in ("scores", "agenda", "report", "reach", "ask"):
        assert f"/api/v1/{view}" in paths
    post = spec["paths"]["/api/v1/people"]["post"]
    assert "201" in post["responses"] and "422" in post["responses"]
    assert not any(p.startswith("/people") for p in paths)  # pages stay out of the API description
