"""Thank the crew: everyone who worked on it or helped and was not thanked since."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.conftest import FIXED_NOW

from kith.runtime import Kith
from kith.services import events
from kith.services.favors import record_favor
from kith.services.interactions import log_interaction
from kith.services.people import NewPerson, add_person
from kith.services.thanks import thank_list
from kith.store.models import Person


def add(session: Session, name: str) -> Person:
    return add_person(session, NewPerson(name=name), now=FIXED_NOW)


def thanks(session: Session, person: Person, day: date) -> None:
    when = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
    log_interaction(session, [person], "thanks-given", when=when, now=FIXED_NOW)


@pytest.fixture
def nightfall(kith: Kith) -> Kith:
    with kith.session() as s:
        film = events.add_event(s, "Nightfall", kind="project", starts_on=date(2026, 5, 1))
        for name, role, behind in (("Lea Park", "lead", False), ("Rick Moreno", "car rental", True),
                                   ("Mia Soto", "make-up", True), ("Sam Cho", "editor", False),
                                   ("Tom Reed", "gaffer", False)):
            events.add_member(s, film, add(s, name), role=role, behind_scenes=behind)
        zoe = add(s, "Zoe Kim")
        record_favor(s, zoe, "received", "lent a camera", now=FIXED_NOW, event=film)
        thanks(s, s.get(Person, 4), date(2026, 6, 1))  # type: ignore[arg-type]  Sam, after the project began
        thanks(s, s.get(Person, 5), date(2026, 4, 1))  # type: ignore[arg-type]  Tom, before it
    return kith


def test_everyone_not_thanked_since_is_listed_behind_the_scenes_first(nightfall: Kith) -> None:
    with nightfall.session() as s:
        crew = thank_list(s, events.resolve_event(s, "Nightfall"), FIXED_NOW)
    assert [(t.name, t.role) for t in crew] == [
        ("Mia Soto", "make-up"), ("Rick Moreno", "car rental"), ("Zoe Kim", "helped"),
        ("Lea Park", "lead"), ("Tom Reed", "gaffer")]
    assert crew[1].reason == "car rental (behind the scenes) on Nightfall; not thanked since"
    assert crew[2].reason == "helped on Nightfall, helped: lent a camera; not thanked since"


def test_thanking_someone_takes_them_off_the_list(nightfall: Kith) -> None:
    with nightfall.session() as s:
        thanks(s, s.get(Person, 2), date(2026, 6, 10))  # type: ignore[arg-type]
        names = [t.name for t in thank_list(s, events.resolve_event(s, "Nightfall"), FIXED_NOW)]
    assert "Rick Moreno" not in names
    assert len(names) == 4


def test_kith_thank_json(cli: Any, nightfall: Kith) -> None:
    result = cli("thank", "Nightfall", "--json")
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    assert [r["name"] for r in rows][:2] == ["Mia Soto", "Rick Moreno"]
    assert rows[0]["behind_scenes"] is True
    assert cli("thank", "No Such Project").code == 1
