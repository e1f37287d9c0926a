"""Control characters in typed text are removed in one place, the same from the CLI, the API and the web
(the rule imports apply to files: kith.normalize.without_control), on both databases (PostgreSQL refuses NUL)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tests.conftest import FIXED_NOW, CliResult
from tests.web_helpers import LOCAL

from kith.normalize import typed, without_control
from kith.runtime import Kith
from kith.services import people
from kith.store.models import Person
from kith.web.app import create_app


@pytest.fixture
def client(kith: Kith) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(create_app(kith, secret_key="t" * 40, now=lambda: FIXED_NOW), base_url=LOCAL) as c:
        yield c


def csrf_of(client: Any, path: str = "/people") -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match
    return match.group(1)


def stored(kith: Kith, name: str) -> Person:
    with kith.session() as s:
        (p,) = people.find_people(s, name)
        return p


def test_the_one_rule_keeps_tabs_and_newlines_and_removes_nul_escape_and_c1() -> None:
    assert without_control("A\x00n\x1ba\tB\x9bx\ny\x7f") == ("Ana\tBx\ny", 4)
    assert typed("plain") == "plain"


def test_the_cli_stores_typed_text_without_control_characters(cli: Callable[..., CliResult], kith: Kith) -> None:
    assert cli("add", "Ana\x1b[2J Diaz", "--title", "Pro\x07ducer").code == 0
    assert cli("edit", "Ana", "--note", "Likes\x1b early calls").code == 0
    p = stored(kith, "Ana")
    assert (p.display_name, p.title, p.notes) == ("Ana[2J Diaz", "Producer", "Likes early calls")


def test_the_api_stores_typed_text_without_control_characters(client: Any, kith: Kith) -> None:
    made = client.post("/api/v1/people", json={"name": "Bea\x00 Ruiz", "title": "Di\x00rector", "tags": ["fi\x00lm"]})
    assert made.status_code == 201, made.text
    assert made.json()["name"] == "Bea Ruiz"
    changed = client.patch(f"/api/v1/people/{made.json()['id']}", json={"notes": "Met\x00 at Berlinale"})
    assert changed.status_code == 200
    p = stored(kith, "Bea")
    assert (p.title, p.notes, [t.name for t in p.tags]) == ("Director", "Met at Berlinale", ["film"])
    assert client.get("/api/v1/people", params={"q": "Be\x00a"}).json()["total"] == 1


def test_the_web_stores_typed_text_without_control_characters(client: Any, kith: Kith) -> None:
    with kith.session() as s:
        pid = people.add_person(s, people.NewPerson(name="Carl Ott"), now=FIXED_NOW).id
    answer = client.post(f"/people/{pid}/edit", data={
        "name": "Carl\x00 Ott", "title": "Ed\x00itor", "notes": "Knows\x00 everyone", "tags": "press\x00",
        "csrf_token": csrf_of(client)})
    assert answer.status_code == 200, answer.text
    logged = client.post(f"/people/{pid}/log", data={"kind": "call", "note": "Chat\x00 about work",
                                                     "csrf_token": csrf_of(client)})
    assert logged.status_code == 200
    p = stored(kith, "Carl")
    assert (p.display_name, p.title, p.notes, [t.name for t in p.tags]) == ("Carl Ott", "Editor", "Knows everyone",
                                                                            ["press"])
    assert "Carl Ott" in client.get("/people", params={"q": "Ca\x00rl"}).text
    assert client.get("/search/suggest", params={"q": "Ca\x00rl"}).json()["total"] >= 1
