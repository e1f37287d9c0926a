"""Goal relevance: one rule (kith.engine.relevance), the same answer and words in the audit, the agenda and the person page."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.conftest import FIXED_NOW

from kith.engine.relevance import (
    GoalCriteria,
    GoalMatcher,
    Profile,
    goal_reasons,
    role_matches,
    same_industry,
    works_at,
)
from kith.runtime import Kith
from kith.services import goals as goals_svc
from kith.services.agenda import goal_reasons as agenda_goal_reasons
from kith.services.network import network
from kith.services.organizations import get_or_create_org
from kith.services.people import NewPerson, add_person
from kith.web.app import create_app
from web_helpers import LOCAL

# -- the rule itself (pure) ---------------------------------------------------------------------


@pytest.mark.parametrize(("target", "org"), [
    ("Halcyon", "Halcyon Studios"),
    ("Café Noir", "Cafe Noir Ltd"),
    ("cafe noir", "CAFÉ NOIR"),
    ("Halcyon Studios Ltd", "Halcyon Studios"),
    ("The Guardian", "Guardian Media Group"),
    ("Smith & Jones", "Smith and Jones LLP"),
])
def test_a_target_organisation_matches_names_that_start_with_its_words(target: str, org: str) -> None:
    assert works_at(target, org)


@pytest.mark.parametrize(("target", "org"), [
    ("Hal", "Halcyon"),  # whole words only
    ("Noir", "Café Noir"),  # the target must start the name
    ("Halcyon Studios", "Halcyon"),  # the target is more specific than what is known
    ("Org 1", "Org 10"),
    ("", "Anything"),
])
def test_a_target_organisation_does_not_match_part_of_a_word_or_the_end_of_a_name(target: str, org: str) -> None:
    assert not works_at(target, org)


@pytest.mark.parametrize("label", ["Film & TV", "film and television", "Film/TV", "Films", "Movies",
                                   "Motion Pictures and Film", "Independent Film", "FILM"])
def test_film_matches_every_way_of_writing_a_film_industry(label: str) -> None:
    assert same_industry(label, "Film") and same_industry("Film", label)


@pytest.mark.parametrize(("a", "b"), [
    ("Film", "Television"),
    ("Film", "Music"),
    ("Public Relations", "International Relations"),
    ("Financial Services", "IT Services"),
    ("Services", "Financial Services"),
])
def test_industries_of_different_families_do_not_match(a: str, b: str) -> None:
    assert not same_industry(a, b)


def test_a_role_matches_titles_that_contain_its_words_as_whole_words() -> None:
    assert role_matches("casting director", "Senior Casting Director")
    assert role_matches("casting director", "Director of Casting")
    assert role_matches("head of casting", "Casting Head")
    assert role_matches("publicist", "Unit Publicists")
    assert not role_matches("casting director", "Account Director")
    assert not role_matches("editor", "Creditor")
    assert not role_matches("cto", "Director")
    assert not role_matches("writer", "Waiter")


def test_tags_match_by_their_folded_key() -> None:
    goal = GoalCriteria(tags=("Film Crew",))
    assert goal_reasons(goal, Profile(1, tags=("film-crew",))) == ["tagged film-crew"]
    assert goal_reasons(goal, Profile(2, tags=("FILM crew",))) == ["tagged film-crew"]
    assert goal_reasons(goal, Profile(3, tags=("film",))) == []


def test_the_reasons_come_in_a_fixed_order_and_a_matcher_remembers_its_answers() -> None:
    matcher = GoalMatcher(GoalCriteria(("Halcyon",), ("Film",), ("casting director",), ("film-crew",)))
    prof = Profile(1, title="Casting Director", org="Halcyon Studios", industry="Film & TV", tags=("Film Crew",))
    expected = ["works at target Halcyon Studios", "in the Film & TV industry",
                "Casting Director (role: casting director)", "tagged film-crew"]
    assert matcher.reasons(prof) == expected
    assert matcher.reasons(prof) == expected  # the second answer comes from the matcher's memory


# -- the same answer everywhere -----------------------------------------------------------------

GOAL = "Film casting"
EXPECTED = {
    "Hana Sato": ["works at target Halcyon Studios"],
    "Cleo Marx": ["works at target Cafe Noir Ltd"],
    "Ivo Petrov": ["in the Film & TV industry"],
    "Cass Lee": ["Senior Casting Director (role: casting director)"],
    "Tess Kahn": ["tagged film-crew"],
    "Mira Ode": ["works at target Halcyon Studios London", "in the Film/TV industry",
                 "Director of Casting (role: casting director)"],
}
NOT_RELEVANT = ("Al Account", "Hal Bright", "Nora Noir")


@pytest.fixture
def film_goal(kith: Kith) -> dict[str, int]:
    """A goal written one way and people recorded another: accents, suffixes, industry spellings."""
    with kith.session() as s:
        get_or_create_org(s, "Halcyon Studios London", industry="Film/TV")
        get_or_create_org(s, "Indie Co", industry="Film & TV")
        get_or_create_org(s, "Hal Partners", industry="Finance")
        people = {
            "Hana Sato": _add(s, "Hana Sato", org="Halcyon Studios", title="Runner"),
            "Cleo Marx": _add(s, "Cleo Marx", org="Cafe Noir Ltd"),
            "Ivo Petrov": _add(s, "Ivo Petrov", org="Indie Co"),
            "Cass Lee": _add(s, "Cass Lee", title="Senior Casting Director"),
            "Tess Kahn": _add(s, "Tess Kahn", tags=["Film Crew"]),
            "Mira Ode": _add(s, "Mira Ode", org="Halcyon Studios London", title="Director of Casting"),
            "Al Account": _add(s, "Al Account", title="Account Director"),
            "Hal Bright": _add(s, "Hal Bright", org="Hal Partners"),
            "Nora Noir": _add(s, "Nora Noir", org="Noir"),
        }
        goals_svc.add_goal(s, GOAL, now=FIXED_NOW, target_orgs=["Halcyon", "Café Noir"], industries=["Film"],
                           roles=["casting director"], tags=["film crew"])
    return people


def _add(s: Session, name: str, **kw: Any) -> int:
    return add_person(s, NewPerson(name=name, **kw), now=FIXED_NOW).id


@pytest.fixture
def client(kith: Kith) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(create_app(kith, secret_key="s" * 32, now=lambda: FIXED_NOW), base_url=LOCAL) as c:
        yield c


def _page_reasons(client: Any, pid: int) -> list[str] | None:
    """The reasons the person page lists for the goal, or None when it says the person is not relevant."""
    text = client.get(f"/people/{pid}").text
    section = text[text.index('id="goal-h"'):]
    section = section[:section.index("</section>")]
    if "Not linked to an active goal." in section:
        return None
    found = re.search(rf">{re.escape(GOAL)}</a>: ([^<]*)</li>", section)
    assert found, section
    return html.unescape(found.group(1)).split("; ")


def test_goal_relevance_is_the_same_in_audit_agenda_and_person_page(
    kith: Kith, film_goal: dict[str, int], client: Any
) -> None:
    with kith.session() as s:
        goal = goals_svc.get_goal(s, GOAL)
        audit = goals_svc.relevant_people(network(s), goal)
        agenda = agenda_goal_reasons(s, FIXED_NOW)
    by_id = {pid: name for name, pid in film_goal.items()}
    assert {by_id[pid]: why for pid, why in audit.items()} == EXPECTED
    assert {by_id[pid]: why for pid, why in agenda.items()} == {
        name: [f"relevant to goal '{GOAL}' ({'; '.join(why)})"] for name, why in EXPECTED.items()}
    for name, pid in film_goal.items():
        assert _page_reasons(client, pid) == EXPECTED.get(name), name


def test_the_audit_counts_colleagues_at_a_target_written_differently_as_a_path(kith: Kith) -> None:
    with kith.session() as s:
        _add(s, "Hana Sato", org="Halcyon Studios", closeness=60)
        goal = goals_svc.add_goal(s, "Work at Halcyon", now=FIXED_NOW, target_orgs=["Halcyon"])
        audit = goals_svc.audit_goal(s, goal, FIXED_NOW)
    assert audit.no_path == ()
    assert audit.relevant_people == 1


def test_a_goal_outside_its_window_makes_nobody_relevant_on_the_agenda(kith: Kith) -> None:
    with kith.session() as s:
        _add(s, "Hana Sato", org="Halcyon Studios")
        goals_svc.add_goal(s, "Later", now=FIXED_NOW, target_orgs=["Halcyon"],
                           starts_on=FIXED_NOW.date().replace(year=2027))
        assert agenda_goal_reasons(s, FIXED_NOW) == {}
