"""Server mode's sessions and tokens: revoked on logout and deactivation, expiring, throttled, two-factor, audited."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from tests.conftest import FIXED_NOW

from kith.runtime import Kith, open_kith
from kith.services import accounts
from kith.store.models import LoginAttempt
from kith.web.app import create_app
from web_helpers import LOCAL

PASSWORD = "correct horse battery"


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.at = FIXED_NOW

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(kith: Kith, clock: Clock) -> Any:
    return create_app(kith, server_mode=True, secret_key="k" * 40, now=clock, secure_cookies=False)


def client_at(app: Any, address: str) -> Any:
    from fastapi.testclient import TestClient

    return TestClient(app, base_url=LOCAL, client=(address, 50000))


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    with client_at(app, "10.0.0.1") as c:
        yield c


def add_user(kith: Kith, email: str = "alice@example.com", *, admin: bool = False) -> int:
    with kith.factory() as s, s.begin():
        user = accounts.add_user(s, email, PASSWORD, now=FIXED_NOW)
        user.is_admin = admin
        return user.id


def new_token(kith: Kith, email: str, *, days: int | None = None) -> tuple[int, str]:
    with kith.factory() as s, s.begin():
        user = accounts.find_user(s, email)
        row, secret = accounts.create_token(
            s, workspace_id=user.workspace_id, user_id=user.id, now=FIXED_NOW,
            expires_at=FIXED_NOW + timedelta(days=days) if days else None,
        )
        return row.id, secret


def login(client: Any, email: str = "alice@example.com", password: str = PASSWORD, code: str = "") -> Any:
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    return client.post("/login", data={"email": email, "password": password, "code": code,
                                       "csrf_token": csrf.group(1), "next": "/"}, follow_redirects=False)


def csrf_of(client: Any) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/settings").text)
    assert found
    return found.group(1)


def test_logout_revokes_the_session_on_the_server_so_a_copied_cookie_opens_nothing(app: Any, kith: Kith) -> None:
    add_user(kith)
    with client_at(app, "10.0.0.1") as browser, client_at(app, "10.0.0.9") as thief:
        assert login(browser).status_code == 303
        thief.cookies.set("kith_session", browser.cookies.get("kith_session"))
        assert thief.get("/people", follow_redirects=False).status_code == 200
        assert browser.post("/logout", data={"csrf_token": csrf_of(browser)}, follow_redirects=False).status_code == 303
        assert thief.get("/people", follow_redirects=False).status_code == 303  # to the login page


def test_a_session_expires_after_fourteen_days(client: Any, kith: Kith, clock: Clock) -> None:
    add_user(kith)
    login(client)
    assert client.get("/people", follow_redirects=False).status_code == 200
    clock.advance(timedelta(days=14, seconds=1).total_seconds())
    assert client.get("/people", follow_redirects=False).status_code == 303


def test_deactivating_a_user_revokes_their_tokens_and_sessions(
    client: Any, kith: Kith, cli: Callable[..., Any],
) -> None:
    add_user(kith)
    _id, token = new_token(kith, "alice@example.com")
    login(client)
    assert client.get("/api/v1/people", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert cli("user", "deactivate", "alice@example.com").code == 0
    assert client.get("/api/v1/people", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.get("/people", follow_redirects=False).status_code == 303
    assert login(client).status_code == 401
    with kith.factory() as s:
        assert all(t.revoked_at is not None for t in s.scalars(accounts.select(accounts.ApiToken)))


def test_a_token_with_an_expiry_stops_working_then(client: Any, kith: Kith, clock: Clock) -> None:
    add_user(kith)
    _id, token = new_token(kith, "alice@example.com", days=30)
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/people", headers=auth).status_code == 200
    clock.advance(timedelta(days=30).total_seconds())
    assert client.get("/api/v1/people", headers=auth).status_code == 401


def test_token_list_shows_when_each_token_was_last_used_and_when_it_expires(
    client: Any, kith: Kith, cli: Callable[..., Any],
) -> None:
    import json

    add_user(kith)
    assert cli("token", "create", "alice@example.com", "--name", "laptop", "--days", "7").code == 0
    used_id, token = new_token(kith, "alice@example.com")
    client.get("/api/v1/people", headers={"Authorization": f"Bearer {token}"})
    listed = {t["id"]: t for t in json.loads(cli("token", "list", "alice@example.com", "--json").out)}
    assert listed[used_id]["last_used_at"] == FIXED_NOW.isoformat() and listed[used_id]["expires_at"] is None
    laptop = next(t for t in listed.values() if t["name"] == "laptop")
    assert laptop["last_used_at"] is None and laptop["expires_at"].startswith("2026-06-22")
    table = cli("token", "list", "alice@example.com").out
    assert "last used" in table and "never" in table


def test_failed_logins_from_one_client_meet_growing_delays(client: Any, kith: Kith, clock: Clock) -> None:
    add_user(kith)
    assert [login(client, password="guess").status_code for _ in range(3)] == [401, 401, 401]
    waits = []
    for _ in range(4):
        refused = login(client, password="guess")
        assert refused.status_code == 429
        waits.append(int(refused.headers["retry-after"]))
        clock.advance(waits[-1])
        assert login(client, password="guess").status_code == 401
    assert waits == [1, 2, 4, 8]


def test_an_attacker_never_locks_the_owner_out_from_another_client(app: Any, kith: Kith, clock: Clock) -> None:
    add_user(kith)
    with client_at(app, "10.6.6.6") as attacker, client_at(app, "192.168.1.20") as owner:
        for _ in range(40):  # guesses as fast as the delays allow
            answer = login(attacker, password="guess")
            if answer.status_code == 429:
                clock.advance(int(answer.headers["retry-after"]))
        login(attacker, password="guess")
        refused = login(attacker)  # the attacker's client now waits minutes, right password or not
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 60
        first = login(owner)
        if first.status_code == 429:  # at most the per-account delay: seconds
            assert int(first.headers["retry-after"]) <= 10
            clock.advance(int(first.headers["retry-after"]))
            first = login(owner)
        assert first.status_code == 303


def test_two_factor_login_needs_the_current_code(client: Any, kith: Kith, clock: Clock) -> None:
    add_user(kith)
    with kith.factory() as s, s.begin():
        secret, uri = accounts.enable_totp(s, "alice@example.com")
    assert uri.startswith("otpauth://totp/Kith:alice%40example.com?secret=")
    assert login(client).status_code == 401
    assert login(client, code="000000" if accounts.totp_code(secret, clock()) != "000000" else "111111").status_code == 401
    clock.advance(60)  # past the delays of the two failures above
    assert login(client, code=accounts.totp_code(secret, clock())).status_code == 303


def test_the_totp_codes_are_those_of_rfc_6238() -> None:
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # "12345678901234567890"
    assert accounts.totp_code(secret, datetime.fromtimestamp(59, tz=FIXED_NOW.tzinfo)) == "287082"
    assert accounts.totp_code(secret, datetime.fromtimestamp(1111111109, tz=FIXED_NOW.tzinfo)) == "081804"


def test_logins_and_writes_are_in_the_audit_log_which_only_administrators_read(app: Any, kith: Kith) -> None:
    add_user(kith, "admin@example.com", admin=True)
    add_user(kith)
    _id, token = new_token(kith, "alice@example.com")
    with client_at(app, "10.0.0.1") as alice, client_at(app, "10.0.0.2") as admin:
        login(alice, password="wrong")
        login(alice)
        created = alice.post("/api/v1/people", json={"name": "Ana"}, headers={"Authorization": f"Bearer {token}"})
        assert created.status_code == 201
        assert alice.get("/admin/audit").status_code == 403
        login(admin, "admin@example.com")
        log = admin.get("/admin/audit")
        assert log.status_code == 200
    text = log.text
    assert "login failed" in text and "POST /api/v1/people" in text and "alice@example.com" in text
    with kith.factory() as s:
        entries, _total = accounts.audit_log(s)
    write = next(e for e in entries if e.action == "write")
    assert write.status == 201 and write.client == "10.0.0.1"
    assert [e.action for e in entries if e.actor == "alice@example.com"][-2:] == ["login", "login failed"]


def test_forwarded_for_headers_are_ignored_unless_proxy_headers_is_given(db_url: str, tmp_path: Any) -> None:
    import http.cookiejar
    import subprocess
    import urllib.parse
    import urllib.request

    from live_server import KITH_SCRIPT, kith_env, live_server

    env = {"KITH_SECRET_KEY": "p" * 40, "KITH_COOKIE_SECURE": "0"}
    added = subprocess.run([str(KITH_SCRIPT), "--db", db_url, "user", "add", "alice@example.com", "--password-stdin"],
                           input=PASSWORD + "\n", env=kith_env(tmp_path, env), capture_output=True, text=True,
                           check=False)
    assert added.returncode == 0, added.stderr
    with live_server(db_url, tmp_path, "--server", env=env) as server:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(server.base + "/login").read().decode()
        found = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert found
        statuses = []
        for i in range(4):  # each attempt claims another client address
            form = urllib.parse.urlencode({"email": "alice@example.com", "password": "guess", "next": "/",
                                           "csrf_token": found.group(1)}).encode()
            req = urllib.request.Request(server.base + "/login", data=form, headers={"X-Forwarded-For": f"203.0.113.{i}"})
            try:
                statuses.append(opener.open(req).status)
            except urllib.error.HTTPError as err:
                statuses.append(err.code)
        assert statuses[:3] == [401, 401, 401]
    k = open_kith(db_url)
    with k.factory() as s:
        keys = set(s.scalars(accounts.select(LoginAttempt.key)))
        entries, _total = accounts.audit_log(s)
    k.close()
    assert "client:127.0.0.1" in keys and not any("203.0.113" in key for key in keys)  # the real client counted
    assert {e.client for e in entries} == {"127.0.0.1"}
