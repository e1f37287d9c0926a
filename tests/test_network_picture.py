"""The network picture: my strongest ties, coloured by their cluster in `kith network`, bridges and gatekeepers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from tests.conftest import FIXED_NOW

from kith.runtime import Kith
from kith.services import relations
from kith.services.network import PersonRef, brokerage, network_picture
from kith.services.people import NewPerson, add_person
from kith.store.models import Person
from kith.web.app import create_app
from web_helpers import LOCAL

# Two triangles {Ann, Bob, Cid} and {Dee, Eli, Fay} joined by Cid - Dee; Gus is Ann's assistant.
CIRCLES = [("Ann", "Bob"), ("Ann", "Cid"), ("Bob", "Cid"), ("Dee", "Eli"), ("Dee", "Fay"), ("Eli", "Fay"),
           ("Cid", "Dee")]
CLOSENESS = {"Ann": 95, "Bob": 90, "Cid": 85, "Dee": 60, "Eli": 55, "Fay": 50, "Gus": 30}


@pytest.fixture
def circles(kith: Kith) -> Kith:
    with kith.session() as s:
        people = {n: add_person(s, NewPerson(name=n, closeness=c), now=FIXED_NOW) for n, c in CLOSENESS.items()}
        for a, b in CIRCLES:
            relations.link(s, people[a], "knows", people[b], now=FIXED_NOW)
        relations.link(s, people["Gus"], "assistant-of", people["Ann"], now=FIXED_NOW)
    return kith


@pytest.fixture
def client(kith: Kith) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    app = create_app(kith, secret_key="test-secret-" + "x" * 20, now=lambda: FIXED_NOW)
    with TestClient(app, base_url=LOCAL) as c:
        yield c


def test_the_picture_draws_my_strongest_ties_strongest_first(circles: Kith) -> None:
    with circles.session() as s:
        picture = network_picture(s, FIXED_NOW, limit=4)
    assert [p.name for p in picture.people] == ["Ann", "Bob", "Cid", "Dee"]
    assert [(p.a, p.b) for p in picture.edges] == [(1, 2), (1, 3), (2, 3), (3, 4)]
    assert picture.edges[0].why == "Ann knows Bob"


def test_each_person_drawn_has_their_cluster_in_kith_network(circles: Kith) -> None:
    with circles.session() as s:
        picture = network_picture(s, FIXED_NOW)
        report = brokerage(s, FIXED_NOW)
    cluster_of = {m.id: c.index for c in report.clusters for m in c.members}
    assert [(p.name, p.cluster) for p in picture.people] == [(p.name, cluster_of[p.id]) for p in picture.people]
    assert len({p.cluster for p in picture.people if p.name in ("Ann", "Bob", "Cid", "Gus")}) == 1
    assert len({p.cluster for p in picture.people if p.name in ("Dee", "Eli", "Fay")}) == 1
    assert picture.clusters == 2


def test_the_picture_marks_the_bridges_of_kith_network_and_the_assistants(circles: Kith) -> None:
    with circles.session() as s:
        picture = network_picture(s, FIXED_NOW)
        report = brokerage(s, FIXED_NOW)
    assert [b.name for b in picture.bridges] == [b.name for b in report.bridges] == ["Cid", "Dee"]
    assert [p.name for p in picture.people if p.bridge] == ["Cid", "Dee"]
    assert picture.gatekeepers == (PersonRef(7, "Gus"),)
    assert [p.name for p in picture.people if p.gatekeeper] == ["Gus"]


def test_archived_people_are_not_drawn(circles: Kith) -> None:
    with circles.session() as s:
        s.get_one(Person, 3).archived = True  # Cid, the bridge
    with circles.session() as s:
        picture = network_picture(s, FIXED_NOW)
    assert [p.name for p in picture.people] == ["Ann", "Bob", "Dee", "Eli", "Fay", "Gus"]
    assert (picture.clusters, picture.bridges) == (2, ())


def test_a_workspace_with_nobody_has_an_empty_picture(kith: Kith) -> None:
    with kith.session() as s:
        picture = network_picture(s, FIXED_NOW)
    assert (picture.people, picture.edges, picture.clusters, picture.bridges) == ((), (), 0, ())


def test_the_network_page_lays_out_the_picture(client: Any, circles: Kith) -> None:
    page = client.get("/network")
    assert page.status_code == 200
    assert "7 people in 2 clusters" in page.text
    drawn = re.findall(r'<a href="/people/(\d+)" class="node c(\d)( bridge)?( gatekeeper)?"', page.text)
    assert sorted((int(i), bool(b), bool(g)) for i, _, b, g in drawn) == [
        (1, False, False), (2, False, False), (3, True, False), (4, True, False), (5, False, False),
        (6, False, False), (7, False, True)]
    assert len(re.findall(r"<line ", page.text)) == len(CIRCLES) + 1
    assert "<title>Gus assistant-of Ann</title>" in page.text
    bridges = page.text[page.text.index("<h3>Bridges</h3>"):]
    assert re.findall(r'<li><a href="/people/\d+">([^<]+)</a></li>', bridges)[:3] == ["Cid", "Dee", "Gus"]


def test_the_network_page_of_an_empty_network_says_how_to_start(client: Any) -> None:
    page = client.get("/network")
    assert page.status_code == 200
    assert "Log a few interactions to see your network." in page.text


def test_a_tie_recorded_after_the_page_was_drawn_shows_on_the_next_one(client: Any, circles: Kith) -> None:
    assert len(re.findall(r"<line ", client.get("/network").text)) == len(CIRCLES) + 1
    with circles.session() as s:
        relations.link(s, s.get_one(Person, 5), "knows", s.get_one(Person, 7), now=FIXED_NOW)  # Eli knows Gus
    page = client.get("/network").text
    assert len(re.findall(r"<line ", page)) == len(CIRCLES) + 2
    assert "<title>Eli knows Gus</title>" in page
