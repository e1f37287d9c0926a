"""The edge reader behind `kith network`: the same strengths as the graph builder, read as arrays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session
from tests.conftest import FIXED_NOW, add_workspace

from kith.runtime import Kith
from kith.services import relations
from kith.services.demo import build_demo
from kith.services.events import add_event, add_member
from kith.services.interactions import log_interaction
from kith.services.network import build_network, person_edges
from kith.services.people import NewPerson, add_person
from kith.store.models import Person


def builder_strengths(session: Session) -> dict[tuple[int, int], float]:
    adj = build_network(session).adj
    return {(a, b): e.strength for a, nbrs in adj.items() for b, e in nbrs.items() if a < b}


def reader_strengths(session: Session) -> dict[tuple[int, int], float]:
    edges = person_edges(session)
    return dict(zip(zip(edges.a.tolist(), edges.b.tolist(), strict=True), edges.strength.tolist(), strict=True))


def assert_same_strengths(session: Session) -> dict[tuple[int, int], float]:
    expected, got = builder_strengths(session), reader_strengths(session)
    assert got.keys() == expected.keys()
    for pair, strength in expected.items():
        assert got[pair] == pytest.approx(strength, rel=0, abs=1e-12), pair
    return got


def people(session: Session, prefix: str, n: int, **kw: object) -> list[Person]:
    return [add_person(session, NewPerson(name=f"{prefix} {i:02d}", **kw), now=FIXED_NOW)  # type: ignore[arg-type]
            for i in range(n)]


@pytest.fixture
def every_kind_of_evidence(kith: Kith) -> Kith:
    """Relations (two on one pair, both ways), meetings of 2, 3, 60 and 61 people, an event of 10,
    a project of 4, colleagues at a firm of 9 and one of 70, and archived people among them."""
    with kith.session() as s:
        crew = people(s, "Crew", 70, org="Bigcorp")
        firm = people(s, "Firm", 9, org="Smallfirm")
        a, b, c = firm[:3]
        relations.link(s, a, "works-with", b, now=FIXED_NOW)
        relations.link(s, b, "knows", a, now=FIXED_NOW)
        relations.link(s, c, "assistant-of", a, now=FIXED_NOW)
        relations.link(s, crew[0], "partner-of", firm[8], now=FIXED_NOW)
        when = FIXED_NOW - timedelta(days=3)
        log_interaction(s, [a, b], "meeting", when=when, now=FIXED_NOW)
        log_interaction(s, [a, b], "call", when=when, now=FIXED_NOW)
        log_interaction(s, [a, b, c], "meal", when=when, now=FIXED_NOW)
        log_interaction(s, crew[:60], "meeting", when=when, now=FIXED_NOW)
        log_interaction(s, crew[:61], "meeting", when=when, now=FIXED_NOW)  # too big until one is archived
        log_interaction(s, crew[5:66], "meeting", when=when, now=FIXED_NOW)  # 61 people: says nothing
        party, film = add_event(s, "Wrap party"), add_event(s, "Nightfall", kind="project")
        for p in [*crew[10:18], a, b]:
            add_member(s, party, p)
        for p in [a, c, firm[4], crew[1]]:
            add_member(s, film, p)
        crew[60].archived = True
        firm[5].archived = True
    return kith


def test_the_edge_reader_gives_the_graph_builders_strengths(every_kind_of_evidence: Kith) -> None:
    with every_kind_of_evidence.session() as s:
        got = assert_same_strengths(s)
        ids = {p.display_name: p.id for p in s.query(Person)}
    a, b, c = ids["Firm 00"], ids["Firm 01"], ids["Firm 02"]
    colleagues, partners = 0.25, 0.9
    met_twice_and_once_in_three = 1 - (1 - 0.3) ** 2 * (1 - 0.15)
    # works-with and knows, three meetings, the wrap party (10 people: 0.2 * 8/10), colleagues at a firm of 8.
    expected = 1 - (1 - 0.6) * (1 - 0.4) * (1 - met_twice_and_once_in_three) * (1 - 0.16) * (1 - colleagues)
    assert got[(a, b)] == pytest.approx(expected, abs=1e-12)
    assert got[(a, c)] == pytest.approx(1 - (1 - 0.8) * (1 - 0.15) * (1 - 0.5) * (1 - colleagues), abs=1e-12)
    assert got[(ids["Crew 00"], ids["Firm 08"])] == pytest.approx(partners)
    assert (ids["Crew 00"], ids["Firm 05"]) not in got  # archived
    # Crew 60 is archived: the meeting of 61 counts as one of 60 people, and Bigcorp (70) is too big.
    assert got[(ids["Crew 00"], ids["Crew 01"])] == pytest.approx(1 - (1 - 0.3 / 59) ** 2, abs=1e-12)
    assert (ids["Crew 00"], ids["Crew 62"]) not in got


def test_the_edge_reader_gives_the_graph_builders_strengths_on_the_demo_network(kith: Kith) -> None:
    with kith.session() as s:
        build_demo(s, now=FIXED_NOW, seed=7)
    with kith.session() as s:
        assert len(assert_same_strengths(s)) > 1000


def test_the_edge_reader_reads_only_its_own_workspace(every_kind_of_evidence: Kith) -> None:
    other = add_workspace(every_kind_of_evidence)
    with every_kind_of_evidence.session(other) as s:
        theirs = people(s, "Theirs", 3, org="Bigcorp")
        relations.link(s, theirs[0], "knows", theirs[1], now=FIXED_NOW)
        log_interaction(s, theirs, "meeting", when=FIXED_NOW, now=FIXED_NOW)
    with every_kind_of_evidence.session(other) as s:
        ids = sorted(p.id for p in theirs)
        got = assert_same_strengths(s)
        assert set(got) == {(ids[0], ids[1]), (ids[0], ids[2]), (ids[1], ids[2])}
    with every_kind_of_evidence.session() as s:
        mine = assert_same_strengths(s)
    assert not {p for pair in mine for p in pair} & set(ids)
