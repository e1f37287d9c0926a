"""Opportunities and the ties that produced them, the non-obvious ones named."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.conftest import FIXED_NOW

from kith.errors import BadInput
from kith.runtime import Kith
from kith.services.opportunities import add_opportunity, opportunity_report
from kith.services.organizations import get_or_create_org
from kith.services.people import NewPerson, add_person
from kith.store.models import Person


def add(session: Session, name: str, closeness: int, **kw: Any) -> Person:
    return add_person(session, NewPerson(name=name, closeness=closeness, **kw), now=FIXED_NOW)


@pytest.fixture
def referrals(kith: Kith) -> Kith:
    """A job from a close colleague in film, a gig from the guy I rent my cars from, one from a job board."""
    with kith.session() as s:
        get_or_create_org(s, "Northlight Films", industry="film")
        get_or_create_org(s, "Nightfall Productions", industry="film")
        get_or_create_org(s, "Fast Wheels", industry="car rental")
        ana = add(s, "Ana Diaz", 80, org="Northlight Films", title="Producer")
        rick = add(s, "Rick Moreno", 20, org="Fast Wheels", title="Car rental")
        add_opportunity(s, "Publicist at Northlight", now=FIXED_NOW, referred_by=ana, org="Northlight Films",
                        found_on=date(2026, 3, 1), outcome="lost")
        add_opportunity(s, "Unit publicist on Nightfall", now=FIXED_NOW, kind="gig", referred_by=rick,
                        org="Nightfall Productions", found_on=date(2026, 4, 2), outcome="won")
        add_opportunity(s, "Junior publicist (job board)", now=FIXED_NOW, found_on=date(2026, 5, 3))
    return kith


def test_the_report_groups_referred_opportunities_by_the_tie_that_brought_them(referrals: Kith) -> None:
    with referrals.session() as s:
        r = opportunity_report(s, FIXED_NOW)
    assert (r.total, r.referred) == (3, 2)
    assert [(g.group, g.opportunities, g.won) for g in r.by_strength] == [("strong", 1, 0), ("weak", 1, 1)]
    assert [(g.group, g.titles) for g in r.by_organization] == [
        ("Fast Wheels", ("Unit publicist on Nightfall",)), ("Northlight Films", ("Publicist at Northlight",))]
    assert sum(g.opportunities for g in r.by_layer) == 2


def test_weak_ties_from_outside_the_field_are_named_as_non_obvious(referrals: Kith) -> None:
    with referrals.session() as s:
        r = opportunity_report(s, FIXED_NOW)
    assert [o.opportunity.title for o in r.non_obvious] == ["Unit publicist on Nightfall"]
    why = r.non_obvious[0].non_obvious
    assert why[0].startswith("Rick Moreno was a weak tie at the time (score 20, ")
    assert why[1] == "Rick Moreno works outside the field of Nightfall Productions (Car rental, Fast Wheels, car rental)"


def test_a_referrer_in_the_same_industry_family_is_not_outside_the_field(kith: Kith) -> None:
    with kith.session() as s:
        get_or_create_org(s, "Halcyon Studios", industry="Film")
        get_or_create_org(s, "Indie Co", industry="Film & TV")
        ivo = add(s, "Ivo Petrov", 80, org="Indie Co", title="Producer")
        add_opportunity(s, "Publicist at Halcyon", now=FIXED_NOW, referred_by=ivo, org="Halcyon Studios",
                        found_on=date(2026, 3, 1))
        assert opportunity_report(s, FIXED_NOW).non_obvious == ()


def test_opportunities_found_after_the_as_of_date_are_left_out(referrals: Kith) -> None:
    with referrals.session() as s:
        assert opportunity_report(s, FIXED_NOW.replace(month=3, day=15)).total == 1


def test_an_unknown_kind_is_refused(kith: Kith) -> None:
    with kith.session() as s, pytest.raises(BadInput, match="unknown opportunity kind"):
        add_opportunity(s, "x", now=FIXED_NOW, kind="lottery")


def test_kith_opportunity_commands(cli: Any, kith: Kith) -> None:
    assert cli("add", "Rick Moreno", "--org", "Fast Wheels").code == 0
    added = cli("opportunity", "add", "Unit publicist", "--kind", "gig", "--referred-by", "Rick",
                "--org", "Nightfall", "--on", "2026-04-02", "--json")
    assert added.code == 0, added.err
    assert json.loads(added.out)["referred_by"] == "Rick Moreno"
    report = json.loads(cli("opportunity", "report", "--json").out)
    assert report["referred"] == 1
    assert report["by_organization"][0]["group"] == "Fast Wheels"
    assert [o["title"] for o in json.loads(cli("opportunity", "list", "--json").out)] == ["Unit publicist"]
    assert cli("opportunity", "add", "x", "--referred-by", "Nobody").code == 1
