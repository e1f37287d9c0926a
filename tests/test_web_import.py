"""The web's import page: the file's own name, a dry run listing names, the real import without choosing the
file again, and undo from the history."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from tests.web_helpers import LOCAL

from import_helpers import IMPORT, counts
from kith.runtime import Kith
from kith.services.people import NewPerson, add_person
from kith.store.models import Person
from kith.web.app import create_app


@pytest.fixture
def client(kith: Kith) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(create_app(kith), base_url=LOCAL) as c:
        yield c


def _csrf(client: Any) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/import").text)
    assert match is not None
    return match.group(1)


def _upload(client: Any, dry_run: bool) -> Any:
    data = {"fmt": "auto", "csrf_token": _csrf(client), **({"dry_run": "1"} if dry_run else {})}
    files = {"file": ("Connections.csv", (IMPORT / "linkedin-current.csv").read_bytes(), "text/csv")}
    return client.post("/import", data=data, files=files)


def test_a_dry_run_lists_who_would_be_added_and_the_real_import_needs_no_second_upload(
        client: Any, kith: Kith) -> None:
    page = _upload(client, dry_run=True)
    assert page.status_code == 200
    assert "Dry run of Connections.csv (linkedin)" in page.text and "upload.csv" not in page.text
    assert "would add Ana Díaz (row 5)" in page.text and "would add Bo Li" in page.text
    assert counts(kith)[0] == 0
    staged = re.search(r'name="staged" value="([^"]+)"', page.text)
    assert staged is not None
    done = client.post("/import/staged", data={"staged": staged.group(1), "csrf_token": _csrf(client)})
    assert done.status_code == 200 and "Imported Connections.csv (linkedin): import #1" in done.text
    assert counts(kith)[0] == 4
    again = client.post("/import/staged", data={"staged": staged.group(1), "csrf_token": _csrf(client)})
    assert again.status_code == 422 and "no longer kept" in again.text


def test_an_import_can_be_undone_from_the_history(client: Any, kith: Kith) -> None:
    assert _upload(client, dry_run=False).status_code == 200
    page = client.get("/import")
    assert 'id="import-history"' in page.text and "Connections.csv" in page.text
    undone = client.post("/import/undo", data={"run": "1", "csrf_token": _csrf(client)})
    assert undone.status_code == 200 and "Undid import #1: 4 people" in undone.text
    assert counts(kith)[0] == 0
    refused = client.post("/import/undo", data={"run": "1", "csrf_token": _csrf(client)})
    assert refused.status_code == 422 and "already undone" in refused.text


def test_a_held_pair_links_to_its_side_by_side_comparison(client: Any, kith: Kith) -> None:
    with kith.session() as s:
        ana = add_person(s, NewPerson("Ana Diaz", org="Acme Films"), now=kith.as_of).id
    page = _upload(client, dry_run=False)
    assert page.status_code == 200 and "Held for review" in page.text
    with kith.session() as s:
        new = next(p.id for p in s.scalars(select(Person)) if p.display_name == "Ana Díaz")
    link = f"/dupes/compare?keep={ana}&amp;drop={new}"
    assert link in page.text
    assert "Merge Ana Díaz into Ana Diaz?" in client.get(link.replace("&amp;", "&")).text


def test_a_dry_runs_held_pairs_link_nowhere(client: Any, kith: Kith) -> None:
    with kith.session() as s:
        add_person(s, NewPerson("Ana Diaz", org="Acme Films"), now=kith.as_of)
    page = _upload(client, dry_run=True)
    assert "Held for review" in page.text and "/dupes/compare" not in page.text
