"""Undo in the web: every confirmation offers "Undo: <what was done>", the recent changes page lists changes
and imports, undo refuses with a message rather than an error page, and a person's single e-mail or phone can
be removed from the edit page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from tests.conftest import FIXED_NOW, add_workspace
from tests.web_helpers import LOCAL

from kith.runtime import Kith
from kith.services import people
from kith.web.app import create_app


@pytest.fixture
def client(kith: Kith) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(create_app(kith, secret_key="u" * 40, now=lambda: FIXED_NOW), base_url=LOCAL) as c:
        yield c


def csrf_of(client: Any, path: str = "/people") -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match
    return match.group(1)


def undo_offer(html: str) -> tuple[str, str]:
    match = re.search(r'name="change" value="(\d+)".*?<button type="submit">Undo: ([^<]+)</button>', html, re.S)
    assert match, "no undo offered"
    return match.group(1), match.group(2)


def add(kith: Kith, name: str, **kw: Any) -> int:
    with kith.session() as s:
        return people.add_person(s, people.NewPerson(name=name, **kw), now=FIXED_NOW).id


def test_saving_a_person_offers_to_undo_it_and_undo_puts_the_fields_back(client: Any, kith: Kith) -> None:
    pid = add(kith, "Ana Diaz")
    saved = client.post(f"/people/{pid}/edit", data={"name": "Ana Diaz", "title": "Producer",
                                                     "csrf_token": csrf_of(client)})
    change, label = undo_offer(saved.text)
    assert label == "Edited Ana Diaz: title"
    undone = client.post("/undo", data={"change": change, "next": f"/people/{pid}", "csrf_token": csrf_of(client)})
    assert undone.status_code == 200 and undone.url.path == f"/people/{pid}"
    assert "Undone: Edited Ana Diaz: title." in undone.text
    with kith.session() as s:
        assert people.get_person(s, pid).title == ""


def test_logging_from_the_person_page_offers_undo(client: Any, kith: Kith) -> None:
    pid = add(kith, "Ana Diaz")
    logged = client.post(f"/people/{pid}/log", data={"kind": "call", "csrf_token": csrf_of(client)})
    assert undo_offer(logged.text)[1] == "Logged a call with Ana Diaz"


def test_undoing_the_addition_of_a_person_lands_on_the_people_list(client: Any, kith: Kith) -> None:
    added = client.post("/people", data={"name": "Bea Ruiz", "csrf_token": csrf_of(client)})
    change, label = undo_offer(added.text)
    assert label == "Added Bea Ruiz"
    undone = client.post("/undo", data={"change": change, "next": added.url.path, "csrf_token": csrf_of(client)})
    assert undone.status_code == 200 and undone.url.path == "/people"
    with kith.session() as s:
        assert people.find_people(s, "Bea") == []


def test_the_recent_changes_page_lists_changes_with_undo_and_is_linked_from_settings(client: Any, kith: Kith) -> None:
    pid = add(kith, "Ana Diaz")
    client.post(f"/people/{pid}/archive", data={"archived": "1", "csrf_token": csrf_of(client)})
    assert 'href="/changes"' in client.get("/settings").text
    page = client.get("/changes")
    assert page.status_code == 200
    assert "Archived Ana Diaz" in page.text and "Added Ana Diaz" in page.text
    assert page.text.count('aria-label="Undo: ') == 2


def test_an_undo_that_a_later_change_blocks_is_a_message_not_an_error_page(client: Any, kith: Kith) -> None:
    pid = add(kith, "Ana Diaz")
    first = client.post(f"/people/{pid}/edit", data={"name": "Ana Diaz", "title": "Producer",
                                                     "csrf_token": csrf_of(client)})
    change, _ = undo_offer(first.text)
    client.post(f"/people/{pid}/edit", data={"name": "Ana Diaz", "title": "Director", "csrf_token": csrf_of(client)})
    refused = client.post("/undo", data={"change": change, "csrf_token": csrf_of(client)})
    assert refused.status_code == 422 and "undo it first" in refused.text


def test_another_workspaces_change_cannot_be_undone_from_here(client: Any, kith: Kith) -> None:
    other = add_workspace(kith)
    with kith.session(other) as s:
        people.add_person(s, people.NewPerson(name="Zed"), now=FIXED_NOW)
        from kith.services import undo
        theirs = undo.recent(s)[0].id
    assert client.post("/undo", data={"change": theirs, "csrf_token": csrf_of(client)}).status_code == 404
    assert "Zed" not in client.get("/changes").text


def test_a_single_e_mail_or_phone_can_be_removed_from_the_edit_page(client: Any, kith: Kith) -> None:
    pid = add(kith, "Ana Diaz", emails=["ana@x.example", "ana@home.example"], phones=["+34 600 000 004"])
    form = client.get(f"/people/{pid}/edit").text
    assert 'aria-label="Remove email ana@home.example"' in form
    removed = client.post(f"/people/{pid}/identifiers/remove", data={
        "kind": "email", "value": "ana@home.example", "csrf_token": csrf_of(client)})
    assert removed.status_code == 200 and "Removed ana@home.example from Ana Diaz." in removed.text
    assert undo_offer(removed.text)[1] == "Removed ana@home.example from Ana Diaz"
    client.post(f"/people/{pid}/identifiers/remove", data={
        "kind": "phone", "value": "+34 600 000 004", "csrf_token": csrf_of(client)})
    with kith.session() as s:
        assert [i.value for i in people.get_person(s, pid).identifiers] == ["ana@x.example"]
    missing = client.post(f"/people/{pid}/identifiers/remove", data={
        "kind": "email", "value": "nobody@x.example", "csrf_token": csrf_of(client)})
    assert missing.status_code == 422


def test_done_from_the_agenda_by_htmx_answers_the_confirmation_in_place_with_its_undo(client: Any, kith: Kith) -> None:
    pid = add(kith, "Ana Diaz")
    token = csrf_of(client)
    fragment = client.post(f"/agenda/{pid}/snooze", data={"span": "1w", "back": "/agenda", "csrf_token": token},
                           headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and fragment.text.startswith('<li class="item confirmed">')
    assert "Snoozed Ana Diaz for 1w." in fragment.text
    assert undo_offer(fragment.text)[1].startswith("Snoozed Ana Diaz until")
    assert 'name="next" value="/agenda"' in fragment.text
    plain = client.post(f"/agenda/{pid}/snooze", data={"span": "2w", "back": "/agenda", "csrf_token": token},
                        follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == "/agenda"  # without JavaScript: redirect
