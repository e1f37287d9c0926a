"""Keep-in-touch cadences: person beats tag beats layer beats the learned rhythm."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.orm import Session
from tests.conftest import FIXED_NOW, CliResult

from kith.engine.agenda_rules import CadenceChoice, choose_cadence
from kith.errors import BadInput
from kith.runtime import Kith
from kith.services import cadences as svc
from kith.services.people import NewPerson, add_person
from kith.services.scores import PersonTie
from kith.store.models import Person


@pytest.fixture
def session(kith: Kith) -> Iterator[Session]:
    with kith.session() as s:
        yield s


def tie(pid: int, layer: str = "active", learned: float | None = None) -> PersonTie:
    return PersonTie(pid, 50.0, layer, 50.0, True, None, learned_gap_days=learned)


def test_the_person_cadence_beats_tag_and_layer() -> None:
    assert choose_cadence(10, [("film", 14)], "close", 30, 20.0) == CadenceChoice(10.0, "person")


def test_the_shortest_tag_cadence_beats_the_layer() -> None:
    assert choose_cadence(None, [("friends", 60), ("film", 14)], "close", 30, None) == CadenceChoice(14.0, "tag film")


def test_the_layer_cadence_beats_the_learned_one() -> None:
    assert choose_cadence(None, [], "close", 30, 20.0) == CadenceChoice(30.0, "layer close")


def test_the_learned_cadence_applies_when_nothing_is_set_and_else_none() -> None:
    assert choose_cadence(None, [], "close", None, 20.04) == CadenceChoice(20.0, "learned")
    assert choose_cadence(None, [], "close", None, None) is None


def test_effective_cadences_resolve_person_tag_layer_and_learned(session: Session) -> None:
    ids = [add_person(session, NewPerson(n, tags=t), now=FIXED_NOW).id
           for n, t in (("Ann", ["film"]), ("Bob", ["film"]), ("Cat", []), ("Dee", []), ("Eli", []))]
    svc.set_cadence(session, "tag", "Film", 14)
    svc.set_cadence(session, "layer", "close", 30)
    svc.set_cadence(session, "person", session.get_one(Person, ids[0]), 7)
    ties = {ids[0]: tie(ids[0]), ids[1]: tie(ids[1], "close"), ids[2]: tie(ids[2], "close"),
            ids[3]: tie(ids[3], learned=12.0), ids[4]: tie(ids[4], "dormant", learned=12.0)}
    got = {pid: (c.days, c.source) for pid, c in svc.effective_cadences(session, ties).items()}
    assert got == {ids[0]: (7.0, "person"), ids[1]: (14.0, "tag film"), ids[2]: (30.0, "layer close"),
                   ids[3]: (12.0, "learned")}


def test_cadence_durations_read_days_weeks_and_months() -> None:
    assert [svc.parse_days(t) for t in ("30", "10d", "2w", "3m", "1y")] == [30, 10, 14, 90, 365]
    with pytest.raises(BadInput):
        svc.parse_days("soon")


def test_an_unknown_layer_is_a_user_error(session: Session) -> None:
    with pytest.raises(BadInput, match="unknown layer"):
        svc.set_cadence(session, "layer", "besties", 7)


def test_setting_again_replaces_and_clear_removes(session: Session) -> None:
    svc.set_cadence(session, "tag", "film", 14)
    svc.set_cadence(session, "tag", "film", 21)
    assert [r.as_dict() for r in svc.list_cadences(session)] == [
        {"scope": "tag", "target": "film", "label": "film", "days": 21}]
    assert svc.clear_cadence(session, "tag", "film") is True
    assert svc.clear_cadence(session, "tag", "film") is False
    assert svc.list_cadences(session) == []


def test_cli_cadence_set_list_clear(cli: Callable[..., CliResult]) -> None:
    cli("add", "Ana Lima")
    assert cli("cadence", "set", "--person", "Ana", "2w").code == 0
    assert cli("cadence", "set", "--layer", "close", "1m").code == 0
    listed = json.loads(cli("cadence", "list", "--json").out)
    assert [(r["scope"], r["label"], r["days"]) for r in listed] == [("layer", "close", 30), ("person", "Ana Lima", 14)]
    assert cli("cadence", "clear", "--layer", "close").code == 0
    assert len(json.loads(cli("cadence", "list", "--json").out)) == 1
    assert cli("cadence", "set", "--tag", "a", "--layer", "close", "7").code == 1


def test_the_clock_runs_from_the_last_interaction(cli: Callable[..., CliResult]) -> None:
    cli("add", "Ana Lima")
    cli("cadence", "set", "--person", "Ana", "30")
    cli("log", "Ana", "call", "--on", "2026-05-01")
    assert json.loads(cli("agenda", "--json").out)[0]["due"] == "2026-05-31"
    cli("log", "Ana", "message", "--on", "2026-06-10")
    assert json.loads(cli("agenda", "--json").out) == []


def test_only_maintained_ties_keep_a_learned_rhythm(session: Session) -> None:
    ties = {pid: tie(pid, layer, learned=20.0) for pid, layer in
            enumerate(("inner", "close", "active", "meaningful", "acquaintance", "dormant"), start=1)}
    got = svc.effective_cadences(session, ties)
    assert sorted(got) == [1, 2, 3, 4]
    assert {c.source for c in got.values()} == {"learned"}
