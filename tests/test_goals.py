"""Goals: add, list, show, close, and the audit of where the networking went."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.conftest import FIXED_NOW

from kith.engine.relevance import GoalCriteria, Profile, goal_reasons, role_matches
from kith.errors import NotFound
from kith.runtime import Kith
from kith.services import relations
from kith.services.goals import (
    MissingTarget,
    add_goal,
    audit_goal,
    close_goal,
    get_goal,
    list_goals,
)
from kith.services.interactions import log_interaction
from kith.services.organizations import get_or_create_org
from kith.services.people import NewPerson, add_person
from kith.store.models import Person


def add(session: Session, name: str, closeness: int = 0, **kw: Any) -> Person:
    return add_person(session, NewPerson(name=name, closeness=closeness, **kw), now=FIXED_NOW)


def met(session: Session, person: Person, days_ago: int, kind: str = "coffee") -> None:
    log_interaction(session, [person], kind, when=FIXED_NOW - timedelta(days=days_ago), now=FIXED_NOW)


def test_a_role_matches_titles_that_contain_its_words() -> None:
    assert role_matches("publicist", "Senior Publicist")
    assert role_matches("casting director", "Director of Casting")
    assert not role_matches("casting director", "Director of Photography")


def test_goal_relevance_says_why() -> None:
    goal = GoalCriteria(("Northlight Films",), ("film",), ("publicist",), ("film-crew",))
    prof = Profile(1, title="Unit Publicist", org="Northlight Films", industry="Film", tags=("film-crew",))
    assert goal_reasons(goal, prof) == [
        "works at target Northlight Films", "in the Film industry", "Unit Publicist (role: publicist)",
        "tagged film-crew"]
    assert goal_reasons(goal, Profile(2, title="Accountant", tags=("job-seeker",))) == []


def test_goals_are_added_listed_found_and_closed(kith: Kith) -> None:
    with kith.session() as s:
        g = add_goal(s, "Land a role in film publicity", now=FIXED_NOW, target_orgs=["Northlight Films"],
                     roles=["publicist"], tags=["Film Crew"])
        assert (g.starts_on, g.tags) == (FIXED_NOW.date(), ["film-crew"])
        assert get_goal(s, "film publicity") is g
        close_goal(s, g, FIXED_NOW.date())
        assert list_goals(s) == ([], 0)
        assert [v.id for v in list_goals(s, include_closed=True)[0]] == [g.id]
        with pytest.raises(NotFound):
            get_goal(s, "raise a seed round")


@pytest.fixture
def job_search(kith: Kith) -> Kith:
    """Most recent time went to a fellow job seeker; the key contact is cooling."""
    with kith.session() as s:
        get_or_create_org(s, "Sunrise Studios", industry="film")
        ana = add(s, "Ana Diaz", 70, org="Northlight Films")
        gil = add(s, "Gil Ray", 0, title="Producer", org="Globex")
        cara = add(s, "Cara Lim", 40, title="Publicist", org="Acme")
        ben = add(s, "Ben Ode", 60, tags=["job-seeker"])
        add(s, "Dan Wu", 0, org="Sunrise Studios")
        relations.link(s, ana, "knows", gil, now=FIXED_NOW)
        met(s, ana, 100)
        for days in (5, 20, 40):
            met(s, ben, days)
        met(s, cara, 10, "call")
        add_goal(s, "Film publicity job", now=FIXED_NOW, target_orgs=["Northlight Films", "Globex", "Initech"],
                 industries=["film"], roles=["publicist"])
    return kith


def test_the_audit_shows_where_the_last_90_days_went(job_search: Kith) -> None:
    with job_search.session() as s:
        audit = audit_goal(s, get_goal(s, "1"), FIXED_NOW)
    assert (audit.interactions, audit.with_relevant, audit.with_others, audit.relevant_share) == (4, 1, 3, 0.25)
    assert [(o.name, o.interactions, o.tags) for o in audit.top_others] == [("Ben Ode", 3, ("job-seeker",))]
    assert audit.relevant_people == 4


def test_the_audit_lists_cooling_relevant_ties_and_targets_with_no_path(job_search: Kith) -> None:
    with job_search.session() as s:
        audit = audit_goal(s, get_goal(s, "1"), FIXED_NOW)
    assert [(c.name, c.days_since, c.why_relevant) for c in audit.cooling] == [
        ("Ana Diaz", 100, ("works at target Northlight Films",))]
    assert audit.no_path == (MissingTarget("organisation", "Initech", 0, "nobody at Initech is in your network"),)


def test_the_audit_recommends_the_three_actions_that_help_most(job_search: Kith) -> None:
    with job_search.session() as s:
        audit = audit_goal(s, get_goal(s, "1"), FIXED_NOW)
    texts = [a.text for a in audit.actions]
    assert len(texts) == 3
    assert texts[0].startswith("talk to Ana Diaz (Northlight Films) directly (")
    assert texts[0].endswith("): about Northlight Films; last contact 3 months ago, so reconnect first")
    assert texts[1] == ("only 25% of your last 90 days' interactions were with goal-relevant people; "
                        "move time from Ben Ode to them")
    assert texts[2].startswith("talk to Cara Lim (Publicist, Acme) directly (")
    assert texts[2].endswith("): they work as publicist")


def test_an_introduction_action_names_who_to_ask_and_how_they_know_the_target(job_search: Kith) -> None:
    with job_search.session() as s:
        goal = add_goal(s, "Produce with Globex", now=FIXED_NOW, target_orgs=["Globex"])
        audit = audit_goal(s, goal, FIXED_NOW)
    assert audit.actions[0].text.startswith("only 0% of your last 90 days' interactions")
    action = audit.actions[1]
    assert action.text.startswith("ask Ana Diaz (")
    assert action.text.endswith("; Ana Diaz knows Gil Ray) for an introduction to Gil Ray (Producer, Globex); "
                                "last contact 3 months ago, so reconnect first")
    assert action.priority == pytest.approx(28.0)


def test_kith_goal_commands(cli: Any, kith: Kith) -> None:
    added = cli("goal", "add", "Raise a seed round", "--industry", "venture capital", "--role", "partner",
                "--ends", "2026-12-31", "--json")
    assert added.code == 0, added.err
    assert json.loads(added.out)["ends_on"] == "2026-12-31"
    assert [g["title"] for g in json.loads(cli("goal", "list", "--json").out)] == ["Raise a seed round"]
    assert json.loads(cli("goal", "show", "seed", "--json").out)["industries"] == ["venture capital"]
    audit = cli("goal", "audit", "seed", "--json")
    assert audit.code == 0, audit.err
    assert json.loads(audit.out)["no_path"][0]["why"] == "nobody with the role partner is in your network"
    assert cli("goal", "close", "seed").code == 0
    assert json.loads(cli("goal", "list", "--json").out) == []
    assert cli("goal", "show", "nothing").code == 1
