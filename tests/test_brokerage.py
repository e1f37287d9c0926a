"""Brokerage and diversity: constraint, effective size, clusters, bridges."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.conftest import FIXED_NOW

from kith.engine.graph import Evidence, build_adjacency, ego_brokerage
from kith.runtime import Kith
from kith.services import relations
from kith.services.network import brokerage
from kith.services.people import NewPerson, add_person
from kith.store.models import Person

# Two triangles {1,2,3} and {4,5,6} joined by 3-4.
TWO_TRIANGLES = [(1, 2), (1, 3), (2, 3), (4, 5), (4, 6), (5, 6), (3, 4)]


def test_burt_measures_of_two_triangles_joined_by_one_tie() -> None:
    adj = build_adjacency(Evidence(a, b, 1.0, "") for a, b in TWO_TRIANGLES)
    b = ego_brokerage(adj, dict.fromkeys(range(1, 7), 1.0), strong={1, 2, 3})
    # Effective size n - 2t/n = 6 - 14/6; constraint 4(19/72)^2 + 2(23/72)^2 (Burt 1992).
    assert b.effective_size == pytest.approx(6 - 14 / 6)
    assert b.constraint == pytest.approx(4 * (19 / 72) ** 2 + 2 * (23 / 72) ** 2)
    assert b.clusters == [[1, 2, 3], [4, 5, 6]]
    assert (b.strong_share_in_top_cluster, b.top_cluster) == (1.0, 0)
    assert b.bridges == [(3, 1, 1.0), (4, 1, 1.0)]


def test_an_empty_network_has_no_brokerage() -> None:
    b = ego_brokerage({}, {}, set())
    assert (b.size, b.clusters, b.bridges) == (0, [], [])


def add(session: Session, name: str, closeness: int, **kw: Any) -> Person:
    return add_person(session, NewPerson(name=name, closeness=closeness, **kw), now=FIXED_NOW)


@pytest.fixture
def two_circles(kith: Kith) -> Kith:
    """Film friends (all strong) and running-club friends, bridged by Cid and Dee."""
    with kith.session() as s:
        film = [add(s, n, c, tags=["film"]) for n, c in (("Ann", 90), ("Bob", 85), ("Cid", 80))]
        club = [add(s, n, 50, tags=["running"]) for n in ("Dee", "Eli", "Fay")]
        people = film + club
        for a, b in TWO_TRIANGLES:
            relations.link(s, people[a - 1], "works-with", people[b - 1], now=FIXED_NOW)
    return kith


def test_strong_ties_concentrated_in_one_cluster_are_reported(two_circles: Kith) -> None:
    with two_circles.session() as s:
        r = brokerage(s, FIXED_NOW)
    assert r.size == 6
    assert [(c["label"], [m["name"] for m in c["members"]]) for c in r.clusters] == [
        ("film", ["Ann", "Bob", "Cid"]), ("running", ["Dee", "Eli", "Fay"])]
    assert (r.strong_ties, r.strong_share_in_one_cluster, r.concentrated_cluster) == (3, 1.0, 0)
    assert [(b["name"], b["clusters_reached"]) for b in r.bridges] == [("Cid", 1), ("Dee", 1)]
    assert r.advice[0] == "100% of your strong ties sit in one cluster (film): invest in a tie outside it"


def test_kith_network_json(cli: Any, two_circles: Kith) -> None:
    result = cli("network", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["size"] == 6
    assert 0 < data["constraint"] < 1
    assert data["bridges"][0]["why"] == "Cid links cluster 0 to 1 other cluster(s)"
