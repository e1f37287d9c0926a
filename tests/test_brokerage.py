"""Brokerage and diversity: constraint, effective size, clusters, bridges (`kith network`)."""

from __future__ import annotations

import json
from typing import Any

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from tests.conftest import FIXED_NOW, add_workspace

from kith.engine import graph
from kith.engine.graph import (
    ME,
    Bridge,
    EgoNetwork,
    Evidence,
    build_adjacency,
    burt_measures,
    cluster_contacts,
    ego_brokerage,
    ego_network,
    ego_network_from_adjacency,
    louvain,
)
from kith.runtime import Kith
from kith.services import relations
from kith.services.network import brokerage
from kith.services.people import NewPerson, add_person
from kith.store.models import Person

# Two triangles {1,2,3} and {4,5,6} joined by 3-4.
TWO_TRIANGLES = [(1, 2), (1, 3), (2, 3), (4, 5), (4, 6), (5, 6), (3, 4)]


def ego_of(edges: list[tuple[int, int, float]], ties: dict[int, float]) -> EgoNetwork:
    return ego_network_from_adjacency(build_adjacency(Evidence(a, b, s, "") for a, b, s in edges), ties)


def test_burt_measures_of_two_triangles_joined_by_one_tie() -> None:
    ego = ego_of([(a, b, 1.0) for a, b in TWO_TRIANGLES], dict.fromkeys(range(1, 7), 1.0))
    b = ego_brokerage(ego, strong={1, 2, 3})
    # Effective size n - 2t/n = 6 - 14/6; constraint 4(19/72)^2 + 2(23/72)^2 (Burt 1992).
    assert b.effective_size == pytest.approx(6 - 14 / 6)
    assert b.constraint == pytest.approx(4 * (19 / 72) ** 2 + 2 * (23 / 72) ** 2)
    assert b.clusters == ((1, 2, 3), (4, 5, 6))
    assert (b.strong_share_in_top_cluster, b.top_cluster) == (1.0, 0)
    assert b.bridges == (Bridge(3, 0, 1, 1.0), Bridge(4, 1, 1, 1.0))


def test_an_empty_network_has_no_brokerage() -> None:
    b = ego_brokerage(ego_of([], {}), set())
    assert (b.size, b.constraint, b.effective_size, b.clusters, b.bridges) == (0, 0.0, 0.0, (), ())


def test_people_without_a_live_tie_are_not_my_contacts_and_their_edges_are_dropped() -> None:
    ego = ego_network(np.array([7, 3, 5]), np.array([0.5, 0.0, 0.25]),
                      np.array([3, 5, 3]), np.array([7, 7, 5]), np.array([0.9, 0.4, 0.3]))
    assert ego.people.tolist() == [5, 7]
    assert ego.tie.tolist() == [0.25, 0.5]
    assert (ego.src.tolist(), ego.dst.tolist(), ego.strength.tolist()) == ([0], [1], [0.4])


# -------------------------------------------- the same numbers as networkx
@st.composite
def weighted_ego_networks(draw: st.DrawFn) -> tuple[dict[int, float], list[tuple[int, int, float]]]:
    """My ties to 1-9 people and random weighted ties among them (some people unreachable)."""
    strength = st.floats(min_value=0.01, max_value=1.0, allow_nan=False)
    n = draw(st.integers(min_value=1, max_value=9))
    ties = {p: draw(strength) for p in range(1, n + 1)}
    pairs = [(a, b) for a in range(1, n + 1) for b in range(a + 1, n + 1)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs))) if pairs else []
    return ties, [(a, b, draw(strength)) for a, b in chosen]


def networkx_ego(ties: dict[int, float], edges: list[tuple[int, int, float]]) -> nx.Graph:
    g = nx.Graph()
    g.add_weighted_edges_from((ME, p, s) for p, s in ties.items())
    g.add_weighted_edges_from(edges)
    return g


@settings(max_examples=150, deadline=None)
@given(weighted_ego_networks())
def test_constraint_matches_networkx_on_random_weighted_graphs(
    network: tuple[dict[int, float], list[tuple[int, int, float]]],
) -> None:
    ties, edges = network
    expected = nx.constraint(networkx_ego(ties, edges), [ME], weight="weight")[ME]
    assert burt_measures(ego_of(edges, ties)).constraint == pytest.approx(expected, rel=0, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(weighted_ego_networks())
def test_effective_size_matches_networkx_on_random_weighted_graphs(
    network: tuple[dict[int, float], list[tuple[int, int, float]]],
) -> None:
    ties, edges = network
    expected = nx.effective_size(networkx_ego(ties, edges), [ME], weight="weight")[ME]
    assert burt_measures(ego_of(edges, ties)).effective_size == pytest.approx(expected, rel=0, abs=1e-9)


@st.composite
def weighted_graphs(draw: st.DrawFn) -> tuple[int, list[tuple[int, int, float]]]:
    """Up to 30 nodes, sparse to dense, edges in a random order; weights often equal, to test the tie-breaks."""
    rng = draw(st.randoms(use_true_random=False))
    n = draw(st.integers(min_value=1, max_value=30))
    density = draw(st.floats(min_value=0.0, max_value=0.5))
    palette = draw(st.sampled_from([(1.0,), (1.0, 0.5), ()]))  # () : any weight in (0, 1]

    def weight() -> float:
        return rng.choice(palette) if palette else rng.uniform(0.01, 1.0)

    edges = [(a, b, weight()) for a in range(n) for b in range(a + 1, n) if rng.random() < density]
    rng.shuffle(edges)
    return n, [(b, a, w) if rng.random() < 0.5 else (a, b, w) for a, b, w in edges]


@settings(max_examples=150, deadline=None)
@given(weighted_graphs(), st.integers(min_value=0, max_value=1000))
def test_louvain_gives_networkx_louvain_communities_on_random_weighted_graphs(
    graph: tuple[int, list[tuple[int, int, float]]], seed: int,
) -> None:
    n, edges = graph
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_weighted_edges_from(edges)
    expected = nx.community.louvain_communities(g, weight="weight", seed=seed)
    assert sorted(map(sorted, louvain(n, edges, seed=seed))) == sorted(map(sorted, expected))


# ------------------------------------------------------- clusters at scale
def test_contacts_beyond_the_core_join_the_cluster_they_are_most_tied_to() -> None:
    # Core: two strong triangles. Outside it: 7 leans to {1,2,3}, 8 to {4,5,6}, 9 only knows 8.
    edges = [(a, b, 1.0) for a, b in TWO_TRIANGLES] + [(7, 1, 0.6), (7, 4, 0.2), (8, 5, 0.5), (8, 9, 0.3)]
    ties = {**dict.fromkeys(range(1, 7), 0.9), 7: 0.2, 8: 0.2, 9: 0.1}
    labels = cluster_contacts(ego_of(edges, ties), core_size=6)
    assert labels.tolist() == [1, 1, 1, 0, 0, 0, 1, 0, 0]  # {4,5,6,8,9} is the larger


def test_contacts_with_no_path_to_the_core_form_one_cluster_per_connected_group() -> None:
    edges = [(1, 2, 1.0), (3, 4, 0.5), (4, 5, 0.5)]
    ties = {1: 0.9, 2: 0.9, 3: 0.1, 4: 0.1, 5: 0.1, 6: 0.1}
    labels = cluster_contacts(ego_of(edges, ties), core_size=2)
    # {3,4,5} is the largest cluster, then {1,2}, then 6 alone.
    assert labels.tolist() == [1, 1, 0, 0, 0, 2]


def test_a_network_no_larger_than_the_core_is_clustered_by_louvain_alone() -> None:
    rng = np.random.default_rng(3)
    edges = [(int(a), int(b), float(w)) for a, b, w in zip(rng.integers(1, 40, 120), rng.integers(1, 40, 120),
                                                           rng.uniform(0.05, 1, 120), strict=True) if a < b]
    ego = ego_of(edges, {p: 0.5 for p in range(1, 40)})
    got = ego_brokerage(ego, set(), core_size=39).clusters
    louvain_edges = list(zip(ego.src.tolist(), ego.dst.tolist(), ego.strength.tolist(), strict=True))
    expected = sorted((tuple(sorted(int(ego.people[i]) for i in c)) for c in louvain(39, louvain_edges)),
                      key=lambda c: (-len(c), c[0]))
    assert got == tuple(expected)


def test_bridges_come_most_clusters_reached_first_then_strongest_cross_ties() -> None:
    # Clusters {1,2,3}, {4,5,6}, {7,8,9}: 3 reaches both others; 4 and 7 reach one each, 7 more strongly.
    triangles = [(1, 2), (1, 3), (2, 3), (4, 5), (4, 6), (5, 6), (7, 8), (7, 9), (8, 9)]
    edges = [(a, b, 1.0) for a, b in triangles] + [(3, 4, 0.2), (3, 7, 0.3), (4, 7, 0.05)]
    b = ego_brokerage(ego_of(edges, dict.fromkeys(range(1, 10), 1.0)), set())
    assert b.clusters == ((1, 2, 3), (4, 5, 6), (7, 8, 9))
    assert b.bridges == (Bridge(3, 0, 2, 0.5), Bridge(7, 2, 2, 0.35), Bridge(4, 1, 2, 0.25))


def test_bridges_are_the_same_counted_by_a_table_or_by_a_sort(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(11)
    a, b = rng.integers(1, 300, 2000), rng.integers(1, 300, 2000)
    edges = list({(int(min(x, y)), int(max(x, y))): float(w)
                  for x, y, w in zip(a, b, rng.uniform(0.05, 1, 2000), strict=True) if x != y}.items())
    ego = ego_of([(x, y, w) for (x, y), w in edges], {p: float(rng.uniform(0.1, 1)) for p in range(1, 300)})
    by_table = ego_brokerage(ego, set(), core_size=50).bridges
    monkeypatch.setattr(graph, "DENSE_CELLS", 0)
    by_sort = ego_brokerage(ego, set(), core_size=50).bridges
    assert by_table == by_sort
    assert len(by_table) > 100 and by_table[0].clusters_reached > 2


# ------------------------------------------------- the service and the CLI
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
    assert [(c.label, [m.name for m in c.members]) for c in r.clusters] == [
        ("film", ["Ann", "Bob", "Cid"]), ("running", ["Dee", "Eli", "Fay"])]
    assert (r.strong_ties, r.strong_share_in_one_cluster, r.concentrated_cluster) == (3, 1.0, 0)
    assert [(b.name, b.clusters_reached) for b in r.bridges] == [("Cid", 1), ("Dee", 1)]
    assert r.advice[0] == "100% of your strong ties sit in one cluster (film): invest in a tie outside it"


def test_an_archived_person_is_not_in_my_network(two_circles: Kith) -> None:
    with two_circles.session() as s:
        s.query(Person).filter(Person.display_name == "Cid").one().archived = True
    with two_circles.session() as s:
        r = brokerage(s, FIXED_NOW)
    assert r.size == 5
    assert [[m.name for m in c.members] for c in r.clusters] == [["Dee", "Eli", "Fay"], ["Ann", "Bob"]]
    assert r.bridges == ()


def test_brokerage_sees_only_its_own_workspace(two_circles: Kith) -> None:
    other = add_workspace(two_circles)
    with two_circles.session(other) as s:
        strangers = [add(s, n, 95, tags=["chess"]) for n in ("Gus", "Hal", "Ivy")]
        relations.link(s, strangers[0], "knows", strangers[1], now=FIXED_NOW)
    with two_circles.session() as s:
        mine = brokerage(s, FIXED_NOW)
    with two_circles.session(other) as s:
        theirs = brokerage(s, FIXED_NOW)
    assert sorted(m.name for c in mine.clusters for m in c.members) == ["Ann", "Bob", "Cid", "Dee", "Eli", "Fay"]
    assert [[m.name for m in c.members] for c in theirs.clusters] == [["Gus", "Hal"], ["Ivy"]]
    assert theirs.bridges == ()


def test_kith_network_json_is_the_report_with_the_keys_it_always_had(cli: Any, two_circles: Kith) -> None:
    result = cli("network", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    with two_circles.session() as s:
        assert data == json.loads(json.dumps(brokerage(s, FIXED_NOW).as_dict()))
    assert list(data) == ["constraint", "effective_size", "size", "clusters", "strong_ties",
                          "strong_share_in_one_cluster", "concentrated_cluster", "bridges", "advice"]
    assert list(data["clusters"][0]) == ["index", "size", "strong", "label", "members"]
    assert data["clusters"][0]["members"][0] == {"id": 1, "name": "Ann"}
    assert data["bridges"][0] == {"id": 3, "name": "Cid", "clusters_reached": 1, "cross_strength": 0.6,
                                  "why": "Cid links cluster 0 to 1 other cluster(s)"}
    assert data["size"] == 6 and 0 < data["constraint"] < 1


def test_kith_network_prints_the_clusters_and_bridges(cli: Any, two_circles: Kith) -> None:
    result = cli("network")
    assert result.code == 0, result.err
    assert result.out.startswith("Network of 6 people: constraint ")
    assert "Strong ties: 3, 100% in one cluster" in result.out
    assert "running" in result.out and "film" in result.out
    assert "bridge: Cid links cluster 0 to 1 other cluster(s)" in result.out
    assert "• Cid bridges your clusters: keep that tie warm" in result.out
