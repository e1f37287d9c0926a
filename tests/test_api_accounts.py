"""/api/v1/accounts: list, add (the password kept out of the database and every answer), sync now against a
real Radicale, last status, remove; in server mode each user sees only their own workspace's accounts."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from tests.conftest import FIXED_NOW
from tests.sync_servers import PASSWORD, USER, Radicale, radicale, secrets_file  # noqa: F401  (fixtures)
from tests.web_helpers import LOCAL

from kith.runtime import Kith
from kith.services import accounts
from kith.services.people import NewPerson, add_person
from kith.web.app import create_app

CARD = ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:ben-1\r\nFN:Ben Okafor\r\nN:Okafor;Ben;;;\r\n"
        "EMAIL:ben@example.org\r\nEND:VCARD\r\n")
SECRET = "s3cret-Pa55word-nobody-sees"


pytestmark = pytest.mark.usefixtures("secrets_file")


@pytest.fixture
def api(kith: Kith) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(create_app(kith, secret_key="s" * 32, now=lambda: FIXED_NOW), base_url=LOCAL) as c:
        yield c


def carddav(url: str, name: str = "phone", **extra: Any) -> dict[str, Any]:
    return {"kind": "carddav", "name": name, "url": url, "user": USER, "password": PASSWORD, **extra}


def test_an_account_added_through_the_api_keeps_its_password_out_of_the_database_and_every_answer(
        api: Any, kith: Kith, secrets_file: Path) -> None:  # noqa: F811
    made = api.post("/api/v1/accounts", json={"kind": "imap", "name": "mail", "url": "imaps://mail.example.org",
                                              "user": "alice", "password": SECRET, "me": ["alice@example.org"]})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["name"] == "mail" and body["status"] == "never synced" and body["push_new"] is None
    assert SECRET not in made.text
    listed = api.get("/api/v1/accounts")
    assert listed.json()["total"] == 1 and SECRET not in listed.text
    assert SECRET not in api.get("/api/v1/accounts/mail").text
    assert SECRET not in api.get("/openapi.json").text
    with kith.engine.connect() as conn:
        for (row,) in conn.execute(text("SELECT options FROM sync_account")):
            assert SECRET not in str(row)
    assert SECRET in json.loads(secrets_file.read_text()).values()
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600


def test_an_account_is_synced_now_and_its_last_status_read_back(
        api: Any, kith: Kith, radicale: Radicale) -> None:  # noqa: F811
    book = radicale.make_collection("contacts", "card")
    radicale.put(book, "ben.vcf", CARD)
    with kith.session() as s:
        add_person(s, NewPerson(name="Cleo Park"), now=FIXED_NOW)
    assert api.post("/api/v1/accounts", json=carddav(book, push_new="all")).status_code == 201
    report = api.post("/api/v1/accounts/phone/sync")
    assert report.status_code == 200, report.text
    assert (report.json()["added"], report.json()["created"], report.json()["error"]) == (1, 1, "")
    account = api.get("/api/v1/accounts/phone").json()
    assert account["last_ok_at"] is not None and account["last_error"] == ""
    assert account["last_summary"]["added"] == 1 and "1 people added" in account["status"]
    assert api.patch("/api/v1/accounts/phone", json={"push_new": "tag:phone"}).json()["push_new"] == "tag:phone"


def test_a_failed_sync_answers_its_error_in_plain_words_and_keeps_it_on_the_account(
        api: Any, radicale: Radicale) -> None:  # noqa: F811
    book = radicale.make_collection("contacts", "card")
    api.post("/api/v1/accounts", json={**carddav(book), "password": "wrong"})
    report = api.post("/api/v1/accounts/phone/sync").json()
    assert "refused the user name or password" in report["error"]
    assert api.get("/api/v1/accounts/phone").json()["status"].startswith("failed: ")


def test_an_account_is_removed_with_its_password(api: Any, secrets_file: Path) -> None:  # noqa: F811
    api.post("/api/v1/accounts", json=carddav("https://dav.example.org/alice/contacts/", password=SECRET))
    assert api.delete("/api/v1/accounts/phone").status_code == 204
    assert api.get("/api/v1/accounts/phone").status_code == 404
    assert api.post("/api/v1/accounts/phone/sync").status_code == 404
    assert SECRET not in secrets_file.read_text()


def test_bad_accounts_are_refused_with_a_clear_message(api: Any) -> None:
    base = carddav("https://dav.example.org/c/")
    assert api.post("/api/v1/accounts", json={**base, "kind": "ftp"}).status_code == 422
    bad_url = api.post("/api/v1/accounts", json={**base, "url": "ftp://x.org/"})
    assert bad_url.status_code == 422 and "https://" in bad_url.json()["error"]
    assert api.post("/api/v1/accounts", json={**base, "password": ""}).status_code == 422
    assert api.post("/api/v1/accounts", json={**base, "push_new": "some"}).status_code == 422
    assert api.post("/api/v1/accounts", json=base).status_code == 201
    again = api.post("/api/v1/accounts", json=base)
    assert again.status_code == 422 and "already" in again.json()["error"]
    assert api.patch("/api/v1/accounts/nobody", json={"push_new": "all"}).status_code == 404


def test_in_server_mode_a_token_reaches_only_its_own_workspace_s_accounts(kith: Kith) -> None:
    from fastapi.testclient import TestClient

    tokens = {}
    for email in ("alice@example.com", "bob@example.com"):
        with kith.factory() as s, s.begin():
            user = accounts.add_user(s, email, "long enough password", now=FIXED_NOW)
            _, tokens[email] = accounts.create_token(s, workspace_id=user.workspace_id, user_id=user.id,
                                                     now=FIXED_NOW)
    app = create_app(kith, server_mode=True, secret_key="k" * 40, now=lambda: FIXED_NOW, secure_cookies=False)
    with TestClient(app, base_url=LOCAL) as client:
        alice = {"Authorization": f"Bearer {tokens['alice@example.com']}"}
        bob = {"Authorization": f"Bearer {tokens['bob@example.com']}"}
        assert client.get("/api/v1/accounts").status_code == 401
        made = client.post("/api/v1/accounts", json=carddav("https://dav.example.org/a/"), headers=alice)
        assert made.status_code == 201
        assert client.get("/api/v1/accounts", headers=bob).json()["total"] == 0
        assert client.get("/api/v1/accounts/phone", headers=bob).status_code == 404
        assert client.delete("/api/v1/accounts/phone", headers=bob).status_code == 404
        assert client.post("/api/v1/accounts/phone/sync", headers=bob).status_code == 404
        assert client.get("/api/v1/accounts/phone", headers=alice).status_code == 200
