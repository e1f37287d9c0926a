"""Reach: warm introduction paths on small hand-made networks with exact answers.

My tie strengths are set with the manual closeness override (it always wins),
so every path quality below is a product of known numbers: works-with 0.6,
knows 0.4, partner-of 0.9, assistant-of 0.8, two people met together 0.3,
a small project 0.5, colleagues 0.25.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.conftest import FIXED_NOW

from kith.engine.graph import Edge, Evidence, best_paths, build_adjacency
from kith.errors import NotFound
from kith.runtime import Kith
from kith.services import events, relations
from kith.services.interactions import log_interaction
from kith.services.people import NewPerson, add_person
from kith.services.reach import plan_reach
from kith.store.models import Person


def add(session: Session, name: str, closeness: int = 0, **kw: Any) -> Person:
    """A person whose tie with me is exactly ``closeness``."""
    return add_person(session, NewPerson(name=name, closeness=closeness, **kw), now=FIXED_NOW)


def link(session: Session, a: Person, kind: str, b: Person) -> None:
    relations.link(session, a, kind, b, now=FIXED_NOW)


def routes(plan: Any) -> list[tuple[str, float]]:
    return [(p["route"], p["quality"]) for p in plan.as_dict()["paths"]]


@pytest.fixture
def chain(kith: Kith) -> Kith:
    """me -0.9- Ana -0.6- Eve -0.4- Dan, and me -0.3- Ben -0.6- Dan."""
    with kith.session() as s:
        ana, ben, eve, dan = add(s, "Ana Diaz", 90), add(s, "Ben Ode", 30), add(s, "Eve Ng"), add(s, "Dan Wu")
        link(s, ana, "works-with", eve)
        link(s, eve, "knows", dan)
        link(s, ben, "works-with", dan)
    return kith


def test_combined_evidence_is_a_noisy_or_and_keeps_every_reason() -> None:
    adj = build_adjacency([Evidence(1, 2, 0.6, "works with"), Evidence(2, 1, 0.4, "knows")])
    assert adj[1][2] is adj[2][1]
    assert adj[1][2].strength == pytest.approx(0.76)
    assert adj[1][2].why == ["works with", "knows"]


def test_a_strong_first_hop_wins_between_paths_of_equal_quality() -> None:
    adj = build_adjacency([Evidence(1, 9, 0.9, "x knows t"), Evidence(2, 9, 0.4, "y knows t")])
    mine = {1: Edge(0.4, ["weak"]), 2: Edge(0.9, ["strong"])}
    paths = best_paths(adj, mine, [9])
    assert [p.people for p in paths] == [(2, 9), (1, 9)]
    assert [round(p.quality, 4) for p in paths] == [0.36, 0.36]


def test_reach_finds_a_three_hop_path_and_explains_every_edge(chain: Kith) -> None:
    with chain.session() as s:
        plan = plan_reach(s, "Dan Wu", FIXED_NOW)
    assert plan.target.kind == "person"
    assert routes(plan) == [("you → Ana Diaz → Eve Ng → Dan Wu", 0.216), ("you → Ben Ode → Dan Wu", 0.18)]
    hops = plan.as_dict()["paths"][0]["hops"]
    assert [(h["from"], h["to"], h["strength"]) for h in hops] == [
        ("you", "Ana Diaz", 0.9), ("Ana Diaz", "Eve Ng", 0.6), ("Eve Ng", "Dan Wu", 0.4)]
    assert hops[1]["why"] == ["Ana Diaz works-with Eve Ng"]
    assert hops[2]["why"] == ["Eve Ng knows Dan Wu"]
    assert plan.advice == ("ask Ana Diaz for an introduction to Dan Wu (path quality 0.22)",)


def test_reach_gives_each_person_to_ask_once_and_at_most_limit_paths(chain: Kith) -> None:
    with chain.session() as s:
        ana = s.get(Person, 1)
        assert ana is not None
        link(s, ana, "knows", add(s, "Dan's neighbour"))
        plan = plan_reach(s, "Dan Wu", FIXED_NOW, limit=1)
    assert routes(plan) == [("you → Ana Diaz → Eve Ng → Dan Wu", 0.216)]


def test_reach_stops_at_three_hops(kith: Kith) -> None:
    with kith.session() as s:
        a, b, c, d = add(s, "Ann", 90), add(s, "Bob"), add(s, "Cid"), add(s, "Dee")
        link(s, a, "knows", b)
        link(s, b, "knows", c)
        link(s, c, "knows", d)
        plan = plan_reach(s, "Dee", FIXED_NOW)
    assert plan.paths == ()
    assert plan.advice == ("no path of up to three hops to Dee: meet someone who knows them",)


def test_a_person_i_know_is_reached_directly(chain: Kith) -> None:
    with chain.session() as s:
        plan = plan_reach(s, "Ben Ode", FIXED_NOW)
    assert routes(plan)[0] == ("you → Ben Ode", 0.3)
    assert plan.advice == ("you know Ben Ode directly",)


def test_people_met_together_know_each_other_a_little(kith: Kith) -> None:
    with kith.session() as s:
        ana, tom = add(s, "Ana Diaz", 80), add(s, "Tom Hale", 0)
        log_interaction(s, [ana, tom], "meal", when=FIXED_NOW - timedelta(days=3), now=FIXED_NOW)
        plan = plan_reach(s, "Tom Hale", FIXED_NOW)
    assert routes(plan) == [("you → Ana Diaz → Tom Hale", 0.24)]
    assert plan.paths[0].hops[1].why == ("met together with you once",)


def test_project_members_and_colleagues_are_linked(kith: Kith) -> None:
    with kith.session() as s:
        ana, pia = add(s, "Ana Diaz", 50), add(s, "Pia Ruiz", org="Northlight")
        add(s, "Quinn Yu", org="Northlight")
        film = events.add_event(s, "Nightfall", kind="project")
        events.add_member(s, film, ana, role="lead")
        events.add_member(s, film, pia, role="editor")
        plan = plan_reach(s, "Quinn Yu", FIXED_NOW)
    assert routes(plan) == [("you → Ana Diaz → Pia Ruiz → Quinn Yu", 0.0625)]
    hops = plan.paths[0].hops
    assert hops[1].why == ("both on the project Nightfall",)
    assert hops[2].why == ("colleagues at Northlight",)


def test_reach_an_organisation_targets_everyone_who_works_there(chain: Kith) -> None:
    with chain.session() as s:
        add(s, "Gil Ray", 0, org="Globex")
        add(s, "Hana Sato", 0, org="Globex")
        eve = s.get(Person, 3)
        assert eve is not None
        link(s, eve, "knows", s.get(Person, 5))  # type: ignore[arg-type]
        plan = plan_reach(s, "globex", FIXED_NOW)
    assert (plan.target.kind, plan.target.label, [p.id for p in plan.target.people]) == ("organisation", "Globex", [5, 6])
    assert routes(plan) == [("you → Ana Diaz → Eve Ng → Gil Ray", 0.216)]


def test_reach_a_role_matches_job_titles(kith: Kith) -> None:
    with kith.session() as s:
        ana = add(s, "Ana Diaz", 70)
        cara = add(s, "Cara Lim", title="Head of Casting and Casting Director")
        add(s, "Dora Fox", title="Director of Photography")
        link(s, ana, "works-with", cara)
        plan = plan_reach(s, "casting director", FIXED_NOW)
    assert (plan.target.kind, [p.id for p in plan.target.people]) == ("role", [2])
    assert routes(plan) == [("you → Ana Diaz → Cara Lim", 0.42)]


def test_reach_a_tag_by_prefix_or_hash(kith: Kith) -> None:
    with kith.session() as s:
        ana = add(s, "Ana Diaz", 70)
        vc = add(s, "Val Cole", tags=["Seed Investor"])
        link(s, ana, "knows", vc)
        by_prefix = plan_reach(s, "tag:seed investor", FIXED_NOW)
        by_hash = plan_reach(s, "#seed-investor", FIXED_NOW)
    assert (by_prefix.target.kind, by_prefix.target.label) == ("tag", "seed-investor")
    assert routes(by_prefix) == routes(by_hash) == [("you → Ana Diaz → Val Cole", 0.28)]


def test_the_plan_names_the_assistant_and_says_to_mend_a_call_that_went_badly(kith: Kith) -> None:
    with kith.session() as s:
        gus, bea = add(s, "Gus Park", 50), add(s, "Bea Stone", 0)
        link(s, gus, "assistant-of", bea)
        log_interaction(s, [gus], "call", when=FIXED_NOW - timedelta(days=14), now=FIXED_NOW, sentiment=-2)
        plan = plan_reach(s, "Bea Stone", FIXED_NOW)
    assert routes(plan) == [("you → Gus Park → Bea Stone", 0.4)]
    keeper = plan.as_dict()["gatekeepers"][0]
    assert (keeper["name"], keeper["of"], keeper["score"]) == ("Gus Park", "Bea Stone", 50)
    assert keeper["advice"] == "your last call with Bea Stone's assistant Gus Park went badly (2026-06-01); mend that first"
    assert plan.advice[0] == keeper["advice"]


def test_the_plan_warns_when_the_tie_with_the_assistant_is_weak(kith: Kith) -> None:
    with kith.session() as s:
        ana, gus, bea = add(s, "Ana Diaz", 90), add(s, "Gus Park", 10), add(s, "Bea Stone")
        link(s, gus, "assistant-of", bea)
        link(s, ana, "knows", bea)
        plan = plan_reach(s, "Bea Stone", FIXED_NOW)
    assert [g.advice for g in plan.gatekeepers] == [
        "Gus Park is Bea Stone's assistant and your tie is weak (score 10); nurture it before you ask"]


def test_the_graph_is_rebuilt_when_a_relation_is_added(chain: Kith) -> None:
    with chain.session() as s:
        assert routes(plan_reach(s, "Eve Ng", FIXED_NOW))[1] == ("you → Ben Ode → Dan Wu → Eve Ng", 0.072)
        ben, eve = s.get(Person, 2), s.get(Person, 3)
        assert ben is not None and eve is not None
        link(s, ben, "partner-of", eve)
        assert routes(plan_reach(s, "Eve Ng", FIXED_NOW)) == [
            ("you → Ana Diaz → Eve Ng", 0.54), ("you → Ben Ode → Eve Ng", 0.27)]


def test_an_unknown_target_is_a_clear_error(kith: Kith) -> None:
    with kith.session() as s, pytest.raises(NotFound, match="not a person, organisation, tag or job title"):
        plan_reach(s, "Nobody Atall", FIXED_NOW)


def test_kith_reach_json(cli: Any, chain: Kith) -> None:
    result = cli("reach", "Dan Wu", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["target"] == {"kind": "person", "label": "Dan Wu", "people": [{"id": 4, "name": "Dan Wu"}]}
    assert [p["quality"] for p in data["paths"]] == [0.216, 0.18]
    assert cli("reach", "Nobody Atall").code == 1
