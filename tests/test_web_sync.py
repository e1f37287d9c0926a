"""The accounts and sync page: each account's last sync, what it changed, its last error in plain words,
adding and removing accounts, syncing now, and settling conflicts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from tests.conftest import FIXED_NOW
from tests.sync_servers import PASSWORD, USER, Radicale, radicale, secrets_file  # noqa: F401  (fixtures)
from tests.web_helpers import LOCAL

from kith.runtime import Kith
from kith.services.people import PersonChanges, change_person, resolve_person
from kith.store.models import SyncAccount
from kith.web.app import create_app

CARD = ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:ana-1\r\nFN:Ana Lima\r\nTITLE:Engineer\r\n"
        "EMAIL:ana@example.org\r\nEND:VCARD\r\n")


pytestmark = pytest.mark.usefixtures("secrets_file")


@pytest.fixture
def client(kith: Kith) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    app = create_app(kith, secret_key="test-secret-" + "x" * 20, now=lambda: FIXED_NOW)
    with TestClient(app, base_url=LOCAL) as c:
        yield c


def csrf(client: Any) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sync").text)
    assert match
    return match.group(1)


def add(client: Any, url: str, password: str = PASSWORD) -> Any:
    return client.post("/sync/accounts", data={"csrf_token": csrf(client), "kind": "carddav", "name": "phone",
                                               "url": url, "user": USER, "password": password})


def test_the_settings_page_links_to_accounts_and_sync(client: Any) -> None:
    assert 'href="/sync"' in client.get("/settings").text
    assert "No accounts yet." in client.get("/sync").text


def test_an_account_added_on_the_page_syncs_and_shows_what_it_changed(
        client: Any, kith: Kith, radicale: Radicale) -> None:  # noqa: F811
    url = radicale.make_collection("contacts", "card")
    radicale.put(url, "ana.vcf", CARD)
    added = add(client, url)
    assert added.status_code == 200 and "Account phone added" in added.text
    assert PASSWORD not in added.text
    with kith.factory() as s:
        [row] = s.query(SyncAccount).all()
        assert PASSWORD not in repr((row.options, row.state, row.url, row.username))
    synced = client.post("/sync/accounts/phone/run", data={"csrf_token": csrf(client)})
    assert "phone: 1 people added, 0 updated, 0 cards written back" in synced.text
    assert "1 people added" in client.get("/sync").text


def test_a_failing_account_shows_its_error_in_plain_words(client: Any, radicale: Radicale) -> None:  # noqa: F811
    url = radicale.make_collection("contacts", "card")
    add(client, url, password="wrong")
    page = client.post("/sync/accounts/phone/run", data={"csrf_token": csrf(client)})
    assert page.status_code == 200
    assert "failed: 127.0.0.1: the server refused the user name or password" in page.text


def test_a_bad_address_is_refused_on_the_form_not_with_a_500(client: Any) -> None:
    page = client.post("/sync/accounts", data={"csrf_token": csrf(client), "kind": "imap", "name": "mail",
                                               "url": "https://mail.example.org", "user": "a", "password": "p"})
    assert page.status_code == 400 and "an imap account needs an imap:// or imaps:// address" in page.text
    assert 'value="https://mail.example.org"' in page.text


def test_a_conflict_is_shown_and_settled_on_the_page(client: Any, kith: Kith, radicale: Radicale) -> None:  # noqa: F811
    url = radicale.make_collection("contacts", "card")
    radicale.put(url, "ana.vcf", CARD)
    add(client, url)
    client.post("/sync/accounts/phone/run", data={"csrf_token": csrf(client)})
    radicale.put(url, "ana.vcf", CARD.replace("Engineer", "Server Title"))
    with kith.session() as s:
        change_person(s, resolve_person(s, "Ana Lima"), PersonChanges(title="Kith Title"), now=FIXED_NOW)
    client.post("/sync/accounts/phone/run", data={"csrf_token": csrf(client)})
    page = client.get("/sync")
    assert "Conflicts to review" in page.text and "Server Title" in page.text and "Kith Title" in page.text
    conflict_id = re.search(r"/sync/conflicts/(\d+)/resolve", page.text).group(1)  # type: ignore[union-attr]
    done = client.post(f"/sync/conflicts/{conflict_id}/resolve", data={"csrf_token": csrf(client), "keep": "server"})
    assert "Ana Lima, title: kept the server" in done.text
    with kith.session() as s:
        assert resolve_person(s, "Ana Lima").title == "Server Title"


def test_removing_an_account_forgets_it(client: Any, radicale: Radicale) -> None:  # noqa: F811
    add(client, radicale.make_collection("contacts", "card"))
    page = client.post("/sync/accounts/phone/remove", data={"csrf_token": csrf(client)})
    assert "Account phone removed." in page.text and "No accounts yet." in page.text
    assert client.post("/sync/accounts/phone/run", data={"csrf_token": csrf(client)}).status_code == 404


def test_the_rule_for_people_created_in_kith_is_chosen_on_the_form(client: Any, radicale: Radicale) -> None:  # noqa: F811
    url = radicale.make_collection("contacts", "card")
    bad = client.post("/sync/accounts", data={"csrf_token": csrf(client), "kind": "carddav", "name": "phone",
                                              "url": url, "user": USER, "password": PASSWORD, "push_new": "some"})
    assert bad.status_code == 400 and "push new people" in bad.text and 'value="some"' in bad.text
    client.post("/sync/accounts", data={"csrf_token": csrf(client), "kind": "carddav", "name": "phone",
                                        "url": url, "user": USER, "password": PASSWORD, "push_new": "tag:phone"})
    assert "new people pushed: tag:phone" in client.get("/sync").text
