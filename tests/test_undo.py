"""Undo of the last change: every use case that changes data is one labelled change of the journal, and undo
puts the rows back as they were, keeps tie states current, refuses when later changes stand in the way, stays
in its workspace, and keeps the journal bounded. `kith undo` works across processes."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from tests.conftest import FIXED_NOW, FIXTURES, CliResult, add_workspace

from kith.errors import BadInput, NotFound
from kith.runtime import Kith
from kith.services import agenda, dedupe, favors, interactions, people, relations, undo
from kith.services.tie_states import states_match_log, stored_state
from kith.store.models import Change, Interaction, Person

DAY = timedelta(days=1)


def add(kith: Kith, name: str, **kw: object) -> int:
    with kith.session() as s:
        return people.add_person(s, people.NewPerson(name=name, **kw), now=FIXED_NOW).id  # type: ignore[arg-type]


def labels(kith: Kith) -> list[str]:
    with kith.session() as s:
        return [c.label for c in undo.recent(s)]


def undo_latest(kith: Kith) -> undo.Undone:
    with kith.session() as s:
        return undo.undo(s, now=FIXED_NOW)


def test_each_change_is_listed_newest_first_with_what_it_did(kith: Kith) -> None:
    ana = add(kith, "Ana Diaz", emails=["ana@x.example"])
    with kith.session() as s:
        p = people.get_person(s, ana)
        people.change_person(s, p, people.PersonChanges(title="Producer"), now=FIXED_NOW)
        interactions.log_interaction(s, [p], "call", when=FIXED_NOW - DAY, now=FIXED_NOW)
    assert labels(kith) == ["Logged a call with Ana Diaz", "Edited Ana Diaz: title", "Added Ana Diaz"]


def test_undoing_an_edit_puts_back_the_fields_and_identifiers(kith: Kith) -> None:
    ana = add(kith, "Ana Diaz", emails=["ana@x.example"], org="Acme")
    with kith.session() as s:
        p = people.get_person(s, ana)
        people.change_person(s, p, people.PersonChanges(title="Producer", org="Other Films", tags=("film",),
                                                        add_phones=("+34 600 000 000",)), now=FIXED_NOW)
    done = undo_latest(kith)
    assert done.label.startswith("Edited Ana Diaz")
    with kith.session() as s:
        p = people.get_person(s, ana)
        assert (p.title, p.organization.name if p.organization else None) == ("", "Acme")
        assert [i.value for i in p.identifiers] == ["ana@x.example"] and list(p.tags) == []
        assert people.find_people(s, "Other Films") == []


def test_undoing_a_delete_brings_back_the_person_their_history_and_tie_states(kith: Kith) -> None:
    ana, bea = add(kith, "Ana Diaz", emails=["ana@x.example"], tags=["film"]), add(kith, "Bea Ruiz")
    with kith.session() as s:
        a, b = people.get_person(s, ana), people.get_person(s, bea)
        interactions.log_interaction(s, [a, b], "meeting", when=FIXED_NOW - 3 * DAY, now=FIXED_NOW)
        interactions.log_interaction(s, [a], "call", when=FIXED_NOW - DAY, now=FIXED_NOW)
        relations.link(s, a, "knows", b, now=FIXED_NOW)
        favors.record_favor(s, a, "received", "An intro", now=FIXED_NOW)
    with kith.session() as s:
        before = stored_state(s, ana)
        people.delete_person(s, people.get_person(s, ana))
    assert undo_latest(kith).label == "Deleted Ana Diaz"
    with kith.session() as s:
        a = people.get_person(s, ana)
        assert [i.value for i in a.identifiers] == ["ana@x.example"] and [t.name for t in a.tags] == ["film"]
        assert s.scalar(select(func.count()).select_from(Interaction)) == 2
        assert relations.list_relations(s, person_id=ana)[1] == 1 and favors.list_favors(s, person_id=ana)[1] == 1
        assert states_match_log(s)
        assert stored_state(s, ana) == before


def test_undoing_a_logged_interaction_updates_the_tie_states_explicitly(kith: Kith) -> None:
    ana = add(kith, "Ana Diaz")
    with kith.session() as s:
        interactions.log_interaction(s, [people.get_person(s, ana)], "call", when=FIXED_NOW - DAY, now=FIXED_NOW)
    undo_latest(kith)
    with kith.session() as s:  # KITH_STRICT_TIES=1: a silent rebuild would fail here
        assert s.scalar(select(func.count()).select_from(Interaction)) == 0
        state = stored_state(s, ana)
        assert states_match_log(s) and (state is None or state.n == 0)


def test_snooze_and_done_can_be_undone(kith: Kith) -> None:
    ana = add(kith, "Ana Diaz")
    with kith.session() as s:
        agenda.snooze(s, people.get_person(s, ana), FIXED_NOW, FIXED_NOW + 7 * DAY)
    assert labels(kith)[0].startswith("Snoozed Ana Diaz until")
    undo_latest(kith)
    with kith.session() as s:
        assert agenda.gather is not None and undo.latest(s) is not None and undo.latest(s).label == "Added Ana Diaz"  # type: ignore[union-attr]


def test_a_merge_is_undone_as_one_change(kith: Kith) -> None:
    a, b = add(kith, "Ana Diaz", emails=["ana@x.example"]), add(kith, "Ana Díaz", phones=["+34 600 000 001"])
    with kith.session() as s:
        interactions.log_interaction(s, [people.get_person(s, b)], "call", when=FIXED_NOW - DAY, now=FIXED_NOW)
        dedupe.merge_people(s, people.get_person(s, a), people.get_person(s, b), now=FIXED_NOW)
    undo_latest(kith)
    with kith.session() as s:
        assert {p.display_name for p in s.scalars(select(Person))} == {"Ana Diaz", "Ana Díaz"}
        assert [i.value for i in people.get_person(s, a).identifiers] == ["ana@x.example"]
        assert states_match_log(s)


def test_undo_refuses_when_a_later_change_touched_the_same_rows(kith: Kith) -> None:
    ana = add(kith, "Ana Diaz")
    with kith.session() as s:
        people.change_person(s, people.get_person(s, ana), people.PersonChanges(title="Producer"), now=FIXED_NOW)
    with kith.session() as s:
        people.change_person(s, people.get_person(s, ana), people.PersonChanges(title="Director"), now=FIXED_NOW)
        first = [c for c in undo.recent(s) if c.label == "Edited Ana Diaz: title"][-1]
    with pytest.raises(BadInput, match=r"later change .* undo it first"), kith.session() as s:
        undo.undo(s, first.id, now=FIXED_NOW)
    undo_latest(kith)
    with kith.session() as s:
        undo.undo(s, first.id, now=FIXED_NOW)
        assert people.get_person(s, ana).title == ""


def test_undo_refuses_when_something_outside_the_journal_changed_the_rows(kith: Kith) -> None:
    ana = add(kith, "Ana Diaz")
    with kith.session() as s:
        people.change_person(s, people.get_person(s, ana), people.PersonChanges(title="Producer"), now=FIXED_NOW)
    with kith.factory() as s, s.begin():  # another program: no workspace session, no journal
        s.get(Person, ana).title = "Someone else's"  # type: ignore[union-attr]
    with pytest.raises(BadInput, match="changed since"), kith.session() as s:
        undo.undo(s, now=FIXED_NOW)
    with kith.session() as s:
        assert people.get_person(s, ana).title == "Someone else's"


def test_an_undone_change_cannot_be_undone_twice_and_unknown_ones_are_not_found(kith: Kith) -> None:
    add(kith, "Ana Diaz")
    done = undo_latest(kith)
    with pytest.raises(BadInput, match="already undone"), kith.session() as s:
        undo.undo(s, done.id, now=FIXED_NOW)
    with pytest.raises(NotFound), kith.session() as s:
        undo.undo(s, 999, now=FIXED_NOW)
    with pytest.raises(BadInput, match="no change to undo"), kith.session() as s:
        undo.undo(s, now=FIXED_NOW)


def test_a_workspace_cannot_see_or_undo_another_workspaces_changes(kith: Kith) -> None:
    add(kith, "Ana Diaz")
    other = add_workspace(kith)
    with kith.session() as s:
        mine = undo.recent(s)[0].id
    with kith.session(other) as s:
        assert undo.recent(s) == [] and undo.latest(s) is None
        with pytest.raises(NotFound):
            undo.undo(s, mine, now=FIXED_NOW)
    with kith.session() as s:
        assert len(people.find_people(s, "Ana")) == 1


def test_the_journal_keeps_the_last_fifty_changes(kith: Kith) -> None:
    ana = add(kith, "Ana Diaz")
    for n in range(55):
        with kith.session() as s:
            people.change_person(s, people.get_person(s, ana), people.PersonChanges(title=f"T{n}"), now=FIXED_NOW)
    with kith.session() as s:
        assert s.scalar(select(func.count()).select_from(Change)) == 50


def test_removing_an_identifier_is_a_change_that_can_be_undone(kith: Kith) -> None:
    ana = add(kith, "Ana Diaz", emails=["ana@x.example", "ana@home.example"], phones=["+34 600 000 002"])
    with kith.session() as s:
        p = people.get_person(s, ana)
        assert people.remove_identifier(s, p, "email", "ANA@home.example")
        assert people.remove_identifier(s, p, "phone", "+34 600 000 002")
        assert not people.remove_identifier(s, p, "email", "nobody@x.example")
    with kith.session() as s:
        assert [i.value for i in people.get_person(s, ana).identifiers] == ["ana@x.example"]
        assert people.find_people(s, "home.example") == []
        assert undo.recent(s)[0].label == "Removed +34 600 000 002 from Ana Diaz"
    undo_latest(kith)
    with kith.session() as s:
        assert len(people.get_person(s, ana).identifiers) == 2


def test_imports_are_listed_pointing_to_their_own_undo_and_not_journaled_row_by_row(
        cli: Callable[..., CliResult], db_url: str) -> None:
    vcf = sorted((FIXTURES / "vcard").glob("*.vcf"))[0]
    assert cli("import", "vcard", str(vcf)).code == 0
    listed = json.loads(cli("undo", "--list", "--json").out)
    assert [c["kind"] for c in listed] == ["import"]
    assert listed[0]["undo_command"].startswith("kith import undo ")


def test_kith_undo_takes_back_a_change_made_by_another_process(kith_process: Callable[..., CliResult]) -> None:
    def run(*args: str) -> CliResult:
        result = kith_process(*args)
        assert result.code == 0 and "Traceback" not in result.err, result.err
        return result

    run("add", "Ana Diaz", "--email", "ana@x.example", "--phone", "+34 600 000 003")
    run("log", "Ana", "call", "--on", "2026-06-01")
    run("edit", "Ana", "--title", "Producer", "--remove-phone", "+34 600 000 003")
    listed = json.loads(run("undo", "--list", "--json").out)
    assert [c["label"] for c in listed][:2] == ["Edited Ana Diaz: title, removed +34 600 000 003",
                                                "Logged a call with Ana Diaz"]
    assert "Undid" in run("undo").out
    shown = run("show", "Ana").out
    assert "Producer" not in shown and "+34 600 000 003" in shown
    assert "Logged a call" in run("undo").out
    again = kith_process("undo", str(listed[0]["id"]))
    assert again.code != 0 and "already undone" in again.err and "Traceback" not in again.err


def test_a_change_that_writes_around_the_session_is_listed_but_cannot_be_undone(kith: Kith) -> None:
    from kith.store import door, journal
    from kith.store.models import Tag

    ana = add(kith, "Ana Diaz")
    with kith.session() as s, journal.change(s, "Bulk edit"):
        people.get_person(s, ana).title = "Producer"
        door.writer(s).insert(Tag.__table__, [{"name": "bulk"}])  # type: ignore[arg-type]
    with kith.session() as s:
        assert undo.recent(s)[0].label == "Bulk edit" and not undo.recent(s)[0].undoable
        assert undo.latest(s) is not None and undo.latest(s).label == "Added Ana Diaz"  # type: ignore[union-attr]
        entry = undo.recent(s)[0].id
    with pytest.raises(BadInput, match="cannot be undone"), kith.session() as s:
        undo.undo(s, entry, now=FIXED_NOW)


def test_undoing_an_addition_that_later_changes_use_is_refused_and_shared_tags_are_kept(kith: Kith) -> None:
    ana = add(kith, "Ana Diaz", tags=["film"], org="Acme")
    with kith.session() as s:
        added = undo.recent(s)[0].id
        bea = people.add_person(s, people.NewPerson(name="Bea Ruiz", tags=["film"], org="Acme"), now=FIXED_NOW).id
    with kith.session() as s:
        interactions.log_interaction(s, [people.get_person(s, ana)], "call", when=FIXED_NOW - DAY, now=FIXED_NOW)
    with pytest.raises(BadInput, match="used since by another interaction; undo that first"), kith.session() as s:
        undo.undo(s, added, now=FIXED_NOW)
    undo_latest(kith)  # the call
    with kith.session() as s:
        undo.undo(s, added, now=FIXED_NOW)  # Ana goes; the tag and organisation Bea uses stay
    with kith.session() as s:
        b = people.get_person(s, bea)
        assert [t.name for t in b.tags] == ["film"] and b.organization is not None and b.organization.name == "Acme"
        assert people.find_people(s, "Ana") == [] and states_match_log(s)
