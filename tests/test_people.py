"""People: adding, naming, finding, listing, editing, tagging, archiving, deleting."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from tests.conftest import FIXED_NOW, CliResult

from kith.errors import AmbiguousPerson, BadInput, NotFound
from kith.runtime import Kith
from kith.services import people as svc
from kith.services import people_list as listing


def _add(kith: Kith, name: str, **kw: object) -> int:
    with kith.session() as s:
        return svc.add_person(s, svc.NewPerson(name=name, **kw), now=FIXED_NOW).id  # type: ignore[arg-type]


def test_a_person_can_be_named_by_id_email_or_unambiguous_part_of_the_name(kith: Kith) -> None:
    pid = _add(kith, "Zoë Ünal", emails=["Zoe@Example.com"])
    _add(kith, "Bruno Costa")
    with kith.session() as s:
        assert svc.resolve_person(s, str(pid)).id == pid
        assert svc.resolve_person(s, f"#{pid}").id == pid
        assert svc.resolve_person(s, "zoe@example.COM").id == pid
        assert svc.resolve_person(s, "unal").id == pid
        assert svc.resolve_person(s, "ZOE").id == pid


def test_an_ambiguous_name_lists_the_candidates(kith: Kith) -> None:
    a = _add(kith, "Ana Diaz", org="Acme")
    b = _add(kith, "Ana Smith")
    with kith.session() as s, pytest.raises(AmbiguousPerson) as err:
        svc.resolve_person(s, "ana")
    assert {pid for pid, _ in err.value.candidates} == {a, b}
    assert "Ana Diaz (Acme)" in str(err.value)


def test_an_exact_full_name_wins_over_longer_names_containing_it(kith: Kith) -> None:
    ana = _add(kith, "Ana Diaz")
    _add(kith, "Ana Diaz Ortega")
    with kith.session() as s:
        assert svc.resolve_person(s, "ana diaz").id == ana


def test_unknown_people_and_bad_values_are_user_errors(kith: Kith) -> None:
    with kith.session() as s:
        with pytest.raises(NotFound):
            svc.resolve_person(s, "nobody")
        with pytest.raises(NotFound):
            svc.resolve_person(s, "999")
        with pytest.raises(BadInput):
            svc.add_person(s, svc.NewPerson(name="   "), now=FIXED_NOW)
        with pytest.raises(BadInput):
            svc.add_person(s, svc.NewPerson(name="X", emails=["not-an-email"]), now=FIXED_NOW)


def test_find_is_accent_and_case_insensitive_over_names_emails_org_and_notes(kith: Kith) -> None:
    zoe = _add(kith, "Zoë Ünal", emails=["zu@studio.example"], notes="Loves documentaries")
    bea = _add(kith, "Béa Müller", org="Société Générale Films")
    with kith.session() as s:
        def find(words: str) -> list[int]:
            return [p.id for p in listing.list_people(s, listing.PeopleQuery(q=words), as_of=FIXED_NOW).items]

        assert find("ZOE unal") == [zoe]
        assert find("studio.example") == [zoe]
        assert find("DOCUMENTARIES") == [zoe]
        assert find("societe generale") == [bea]
        assert find("nothing-like-this") == []


def test_list_filters_by_tag_and_org_and_sorts(kith: Kith) -> None:
    a = _add(kith, "Carla Ruiz", org="Zeta Films", tags=["Film Crew"])
    b = _add(kith, "Ben Ode", org="Alpha Capital", tags=["investor"])
    c = _add(kith, "Abe Lin", org="Zeta Films")
    with kith.session() as s:
        def ids(**query: Any) -> list[int]:
            return [p.id for p in listing.list_people(s, listing.PeopleQuery(**query), as_of=FIXED_NOW).items]

        assert ids(tag="film crew") == [a]
        assert ids(org="zeta") == [c, a]
        assert ids(sort="org") == [b, c, a]
        with pytest.raises(BadInput):
            listing.PeopleQuery(sort="shoe-size")


def test_editing_records_provenance_of_each_changed_field(kith: Kith) -> None:
    pid = _add(kith, "Dana Ek", title="Analyst")
    with kith.session() as s:
        p = svc.get_person(s, pid)
        changed = svc.edit_person(s, p, {"title": "Partner", "org": "Fund One", "location": None}, now=FIXED_NOW, source="linkedin")
        assert changed == ["title", "org"]
        assert p.provenance["title"]["source"] == "linkedin"
        assert svc.edit_person(s, p, {"title": "Partner"}, now=FIXED_NOW) == []


def test_tags_are_normalised_and_removable(kith: Kith) -> None:
    pid = _add(kith, "Eve Fox")
    with kith.session() as s:
        p = svc.get_person(s, pid)
        assert svc.tag_person(s, p, ["Film  Crew", "film-crew", "VIP"]) == ["film-crew", "vip"]
        assert [t.name for t in p.tags] == ["film-crew", "vip"]
        assert svc.untag_person(s, p, ["VIP"]) == ["vip"]
        assert [t.name for t in p.tags] == ["film-crew"]


def test_archived_people_leave_lists_but_can_still_be_named_by_id(kith: Kith) -> None:
    pid = _add(kith, "Finn Gray")
    with kith.session() as s:
        svc.archive_person(svc.get_person(s, pid), now=FIXED_NOW)
    with kith.session() as s:
        assert listing.list_people(s, listing.PeopleQuery(), as_of=FIXED_NOW).items == []
        assert [p.id for p in listing.list_people(s, listing.PeopleQuery(archived=True), as_of=FIXED_NOW).items] == [pid]
        assert svc.resolve_person(s, str(pid)).archived


def test_cli_add_show_edit_and_delete(cli: Callable[..., CliResult]) -> None:
    r = cli("add", "Gil Hart", "--email", "gil@example.com", "--org", "Acme", "--tag", "vip", "--cadence", "2w", "--json")
    assert r.code == 0, r.err
    person = json.loads(r.out)
    assert (person["name"], person["org"], person["tags"]) == ("Gil Hart", "Acme", ["vip"])
    shown = json.loads(cli("show", "gil", "--json").out)
    assert shown["cadence_days"] == 14
    r = cli("edit", "gil@example.com", "--title", "Producer", "--closeness", "80")
    assert r.code == 0 and "title, closeness" in r.out
    assert cli("delete", "gil", "--yes").code == 0
    assert cli("show", "gil").code == 1


def test_cli_add_with_met_at_creates_the_event_and_membership(cli: Callable[..., CliResult]) -> None:
    r = cli("add", "Ida Jun", "--met-at", "Berlinale", "--met-on", "2026-02-14", "--json")
    person = json.loads(r.out)
    assert person["met_on"] == "2026-02-14"
    assert person["met_at_event_id"] is not None


def test_a_listed_person_reads_exactly_as_the_person_shown_alone(kith: Kith) -> None:
    _add(kith, "Carla Ruiz", org="Zeta Films", tags=["crew", "vip"], emails=["c@zeta.example"],
         urls=["https://www.linkedin.com/in/carla"], phones=["+1 212 555 0100"], title="Gaffer")
    _add(kith, "Ben Ode")
    with kith.session() as s:
        for q in (listing.PeopleQuery(), listing.PeopleQuery(sort="org"), listing.PeopleQuery(tag="crew")):
            listed = listing.list_people(s, q, as_of=FIXED_NOW).items
            assert listed == [listing.summary_of(svc.get_person(s, p.id)) for p in listed]
        page = listing.list_people(s, listing.PeopleQuery(), as_of=FIXED_NOW, limit=1, offset=1)
        assert ([p.name for p in page.items], page.total) == (["Carla Ruiz"], 2)


def test_a_summary_as_json_names_every_field_once(kith: Kith) -> None:
    from dataclasses import fields

    pid = _add(kith, "Hal Ito", emails=["hal@example.com"], tags=["crew"])
    with kith.session() as s:
        summary = listing.summary(s, pid)
    assert set(summary.as_dict()) == {f.name for f in fields(summary)}
