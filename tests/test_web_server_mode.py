"""Server mode: logins, bearer tokens, rate limiting, and workspace isolation on every endpoint."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from tests.conftest import FIXED_NOW

from kith.runtime import Kith
from kith.services import accounts
from kith.web.app import create_app
from web_helpers import LOCAL

PASSWORD = "correct horse battery"


@dataclass
class Tenant:
    email: str
    token: str
    workspace_id: int


def make_tenant(kith: Kith, email: str) -> Tenant:
    with kith.factory() as s, s.begin():
        user = accounts.add_user(s, email, PASSWORD, now=FIXED_NOW)
        _row, secret = accounts.create_token(s, workspace_id=user.workspace_id, user_id=user.id, now=FIXED_NOW)
        return Tenant(email, secret, user.workspace_id)


@pytest.fixture
def app(kith: Kith) -> Any:
    return create_app(kith, server_mode=True, secret_key="k" * 40, now=lambda: FIXED_NOW, secure_cookies=False)


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(app, base_url=LOCAL) as c:
        yield c


def bearer(t: Tenant) -> dict[str, str]:
    return {"Authorization": f"Bearer {t.token}"}


def login(client: Any, email: str, password: str = PASSWORD) -> Any:
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf.group(1), "next": "/"},
                       follow_redirects=False)


def test_the_api_needs_a_valid_bearer_token(client: Any, kith: Kith) -> None:
    alice = make_tenant(kith, "alice@example.com")
    assert client.get("/api/v1/people").status_code == 401
    assert client.get("/api/v1/people", headers={"Authorization": "Bearer nope"}).status_code == 401
    answer = client.get("/api/v1/people", headers=bearer(alice))
    assert answer.status_code == 200 and answer.json()["total"] == 0


def test_a_revoked_token_is_refused(client: Any, kith: Kith) -> None:
    alice = make_tenant(kith, "alice@example.com")
    with kith.factory() as s, s.begin():
        row = accounts.lookup_token(s, alice.token, purpose="api", now=FIXED_NOW)
        assert row is not None
        accounts.revoke_token(s, row.id, now=FIXED_NOW)
    assert client.get("/api/v1/people", headers=bearer(alice)).status_code == 401


def test_tokens_and_passwords_are_stored_hashed(kith: Kith) -> None:
    alice = make_tenant(kith, "alice@example.com")
    with kith.factory() as s:
        user = accounts.find_user(s, alice.email)
        assert user.password_hash.startswith("$argon2id$")
        row = accounts.lookup_token(s, alice.token, purpose="api", now=FIXED_NOW)
        assert row is not None and alice.token not in row.token_hash


def test_pages_need_a_login_and_login_opens_them(client: Any, kith: Kith) -> None:
    make_tenant(kith, "alice@example.com")
    first = client.get("/people", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].startswith("/login")
    assert login(client, "alice@example.com", "wrong password").status_code == 401
    ok = login(client, "alice@example.com")
    assert ok.status_code == 303
    assert client.get("/people").status_code == 200


def test_logins_are_rate_limited_through_the_database(client: Any, kith: Kith) -> None:
    make_tenant(kith, "alice@example.com")
    codes = [login(client, "alice@example.com", f"guess {i}").status_code for i in range(4)]
    assert codes[:3] == [401] * 3 and codes[3] == 429  # the clock stands still: the delay never passes
    assert login(client, "alice@example.com").status_code == 429  # even the right password, for a while


def test_the_login_form_needs_its_csrf_token(client: Any, kith: Kith) -> None:
    make_tenant(kith, "alice@example.com")
    client.get("/login")
    answer = client.post("/login", data={"email": "alice@example.com", "password": PASSWORD}, follow_redirects=False)
    assert answer.status_code == 403


def seed(client: Any, t: Tenant) -> dict[str, Any]:
    """One object of every kind in the tenant's workspace, through the API."""
    h = bearer(t)

    def post(path: str, body: dict[str, Any]) -> int:
        answer = client.post(f"/api/v1/{path}", json=body, headers=h)
        assert answer.status_code == 201, (path, answer.text)
        return int(answer.json()["id"])

    def account() -> str:
        answer = client.post("/api/v1/accounts", headers=h, json={
            "kind": "carddav", "name": "phone", "url": "https://dav.example.org/Secret/contacts/",
            "user": "Secret-user", "password": "Secret password"})
        assert answer.status_code == 201, answer.text
        return str(answer.json()["name"])

    person = post("people", {"name": "Secret Person", "org": "Acme"})
    other = post("people", {"name": "Secret Assistant"})
    return {
        "person_id": person,
        "interaction_id": post("interactions", {"people": [person], "kind": "coffee", "on": "2026-06-01T10:00:00Z"}),
        "relation_id": post("relations", {"src": other, "kind": "assistant-of", "dst": person}),
        "favor_id": post("favors", {"person_id": person, "direction": "received", "what": "intro"}),
        "event_id": post("events", {"name": "Secret Gala"}),
        "goal_id": post("goals", {"title": "Secret goal"}),
        "opportunity_id": post("opportunities", {"title": "Secret job", "referred_by_id": person}),
        "name": account(),  # a sync account is named, not numbered
        "change_id": client.get("/api/v1/changes", headers=h).json()["items"][0]["id"],  # the latest change
    }


BODIES = {
    ("PATCH", "person_id"): {"name": "Hijacked"},
    ("PATCH", "interaction_id"): {"note": "hijacked"},
    ("PATCH", "relation_id"): {"note": "hijacked"},
    ("PATCH", "favor_id"): {"what": "hijacked"},
    ("PATCH", "event_id"): {"name": "Hijacked"},
    ("PATCH", "goal_id"): {"title": "Hijacked"},
    ("PATCH", "opportunity_id"): {"title": "Hijacked"},
    ("POST", "person_id"): {"action": "*", "span": "1w"},
    ("PATCH", "name"): {"push_new": "none"},
}


def api_routes(app: Any) -> list[tuple[str, str]]:
    """Every operation of the API, as /openapi.json lists it."""
    return [(method.upper(), path) for path, ops in app.openapi()["paths"].items() for method in ops]


def test_a_second_user_can_neither_read_nor_change_the_first_users_objects(client: Any, app: Any, kith: Kith) -> None:
    alice, bob = make_tenant(kith, "alice@example.com"), make_tenant(kith, "bob@example.com")
    ids = seed(client, alice)
    checked = 0
    for method, path in api_routes(app):
        params = re.findall(r"{(\w+)}", path)
        if not params:
            continue
        assert len(params) == 1 and params[0] in ids, f"the test does not know {path}"
        url = path.replace(f"{{{params[0]}}}", str(ids[params[0]]))
        body = BODIES.get((method, params[0])) if method in ("PATCH", "POST") else None
        for headers in (bearer(bob), {}):
            answer = client.request(method, url, json=body, headers=headers)
            expected = 404 if headers else 401
            assert answer.status_code == expected, (method, url, bool(headers), answer.status_code, answer.text)
            assert "Secret" not in answer.text
        checked += 1
    assert checked >= 20
    # Creating things that point at another workspace's objects is a 404 too.
    h = bearer(bob)
    assert client.post("/api/v1/interactions", json={"people": [ids["person_id"]], "kind": "call"}, headers=h).status_code == 404
    assert client.post("/api/v1/favors", json={"person_id": ids["person_id"], "direction": "given"}, headers=h).status_code == 404
    mine = client.post("/api/v1/people", json={"name": "Bob's friend"}, headers=h).json()["id"]
    assert client.post("/api/v1/relations", json={"src": mine, "kind": "knows", "dst": ids["person_id"]}, headers=h).status_code == 404
    assert client.post("/api/v1/opportunities", json={"title": "x", "referred_by_id": ids["person_id"]}, headers=h).status_code == 404
    assert client.post("/api/v1/opportunities", json={"title": "x", "goal_id": ids["goal_id"]}, headers=h).status_code == 404
    # Lists and computed views never show another workspace's data.
    for path in ("people", "interactions", "relations", "favors", "events", "goals", "opportunities", "scores", "agenda",
                 "report", "duplicates", "opportunities/report", "accounts", "changes"):
        answer = client.get(f"/api/v1/{path}", headers=h)
        assert answer.status_code == 200 and "Secret" not in answer.text, path
    for path in ("interactions", "relations", "favors", "events", "goals", "opportunities", "duplicates", "accounts"):
        assert client.get(f"/api/v1/{path}", headers=h).json()["total"] == 0, path  # not even counted
    preview = client.get("/api/v1/merge-preview", params={"keep": mine, "drop": ids["person_id"]}, headers=h)
    assert preview.status_code == 404 and "Secret" not in preview.text
    reach = client.get("/api/v1/reach", params={"target": "Secret Person"}, headers=h)
    assert reach.status_code == 404 and "not a person" in reach.json()["error"]  # bob's network has no such person
    assert "Secret" not in client.get("/api/v1/ask", params={"q": "acme"}, headers=h).text
    # And alice's objects are untouched.
    a = bearer(alice)
    assert client.get(f"/api/v1/people/{ids['person_id']}", headers=a).json()["name"] == "Secret Person"
    assert client.get(f"/api/v1/goals/{ids['goal_id']}", headers=a).json()["title"] == "Secret goal"
    assert client.get("/api/v1/interactions", headers=a).json()["total"] == 1
    # Undo takes back bob's own change, never alice's.
    undone = client.post("/api/v1/changes/undo", headers=h)
    assert undone.status_code == 200 and undone.json()["label"] == "Added Bob's friend"
    assert client.post("/api/v1/changes/undo", headers=h).status_code == 422
    assert client.get(f"/api/v1/people/{ids['person_id']}", headers=a).json()["name"] == "Secret Person"


def test_a_second_user_cannot_reach_the_first_users_pages(client: Any, kith: Kith) -> None:
    alice, bob = make_tenant(kith, "alice@example.com"), make_tenant(kith, "bob@example.com")
    ids = seed(client, alice)
    client.headers.pop("Authorization", None)
    assert login(client, bob.email).status_code == 303
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/settings").text)
    assert csrf
    token = csrf.group(1)
    pid = ids["person_id"]
    assert client.get(f"/people/{pid}").status_code == 404
    for path, data in [
        (f"/people/{pid}/log", {"kind": "call"}),
        (f"/agenda/{pid}/done", {"action": "*"}),
        (f"/agenda/{pid}/snooze", {"span": "1w"}),
    ]:
        assert client.post(path, data={**data, "csrf_token": token}).status_code == 404, path
    for path in ("/", "/people", "/network?target=Acme", "/goals", "/opportunities", "/report", "/settings"):
        page = client.get(path)
        assert page.status_code == 200 and "Secret" not in page.text, path
    with kith.factory() as s:
        alice_token = accounts.lookup_token(s, alice.token, purpose="api", now=FIXED_NOW)
        assert alice_token is not None
        alice_token_id = alice_token.id
    assert client.post(f"/settings/tokens/{alice_token_id}/revoke", data={"csrf_token": token}).status_code == 404
    assert client.get("/api/v1/people", headers=bearer(alice)).status_code == 200


def test_logout_ends_the_session(client: Any, kith: Kith) -> None:
    make_tenant(kith, "alice@example.com")
    login(client, "alice@example.com")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/settings").text)
    assert csrf
    assert client.post("/logout", data={"csrf_token": csrf.group(1)}, follow_redirects=False).status_code == 303
    assert client.get("/people", follow_redirects=False).status_code == 303
