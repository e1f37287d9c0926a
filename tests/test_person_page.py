"""The person page's read (services.person_view.person_page): what it shows, and only the workspace's own rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from tests.conftest import FIXED_NOW, add_workspace

from kith.errors import NotFound
from kith.runtime import Kith
from kith.services.favors import record_favor
from kith.services.interactions import log_interaction
from kith.services.people import NewPerson, add_person
from kith.services.person_view import FavorLine, RelationLine, person_page
from kith.services.relations import link
from kith.services.scores import explain, tie_scores
from kith.store.models import Person


def _ana_and_friends(kith: Kith) -> dict[str, int]:
    with kith.session() as s:
        ana = add_person(s, NewPerson(name="Ana Lopez", emails=["ana@example.com"], phones=["+44 20 7946 0958"],
                                      org="Acme", title="Producer", tags=["film", "berlin"]), now=FIXED_NOW)
        bo = add_person(s, NewPerson(name="Bo Li"), now=FIXED_NOW)
        cy = add_person(s, NewPerson(name="Cy Ray"), now=FIXED_NOW)
        s.flush()
        link(s, bo, "assistant-of", ana, now=FIXED_NOW)
        link(s, ana, "knows", cy, now=FIXED_NOW)
        record_favor(s, ana, "received", "an intro to a distributor", now=FIXED_NOW - timedelta(days=20),
                     done_on=date(2026, 5, 26))
        record_favor(s, ana, "given", "a script read", now=FIXED_NOW - timedelta(days=2), status="asked")
        log_interaction(s, [ana, bo, cy], "meeting", when=FIXED_NOW - timedelta(days=9), now=FIXED_NOW, note="pitch")
        log_interaction(s, [ana], "coffee", when=FIXED_NOW - timedelta(days=5), now=FIXED_NOW, note="films")
        log_interaction(s, [ana, bo], "call", when=FIXED_NOW - timedelta(days=1), now=FIXED_NOW, note="follow-up")
        return {"ana": ana.id, "bo": bo.id, "cy": cy.id}


def test_the_page_reads_the_person_their_contacts_tags_relations_and_favours(kith: Kith) -> None:
    ids = _ana_and_friends(kith)
    with kith.session() as s:
        view = person_page(s, ids["ana"], None, FIXED_NOW, timeline_limit=100)
    assert (view.person.display_name, view.person.title, view.person.org_name) == ("Ana Lopez", "Producer", "Acme")
    assert ("email", "ana@example.com") in view.identifiers and any(k == "phone" for k, _ in view.identifiers)
    assert view.tags == ["berlin", "film"]
    assert view.relations == [RelationLine(ids["bo"], "assistant-of", ids["ana"]),
                              RelationLine(ids["ana"], "knows", ids["cy"])]
    assert view.names[ids["bo"]] == "Bo Li" and view.names[ids["cy"]] == "Cy Ray"
    assert [f._replace(id=0) for f in view.favors] == [
        FavorLine("given", "a script read", "asked", None), FavorLine("received", "an intro to a distributor", "done", date(2026, 5, 26))]
    assert all(f.id for f in view.favors)


def test_the_timeline_is_newest_first_with_each_group_size_and_stops_at_the_limit(kith: Kith) -> None:
    ids = _ana_and_friends(kith)
    with kith.session() as s:
        full = person_page(s, ids["ana"], None, FIXED_NOW, timeline_limit=100).timeline
        short = person_page(s, ids["ana"], None, FIXED_NOW, timeline_limit=2).timeline
    assert [(e.note, e.kind, e.people) for e in full] == [("follow-up", "call", 2), ("films", "coffee", 1),
                                                          ("pitch", "meeting", 3)]
    assert full[0].occurred_at == FIXED_NOW - timedelta(days=1)  # an aware UTC moment on both backends
    assert [e.note for e in short] == ["follow-up", "films"]


def test_the_score_is_explained_from_the_stored_state_exactly_as_a_replay_would(
    kith: Kith, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kith.services.person_view as person_view

    def no_replay(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the page replayed the log although the stored state reproduces the score")

    ids = _ana_and_friends(kith)
    with kith.session() as s:
        tie = tie_scores(s, FIXED_NOW)[ids["ana"]]
        with monkeypatch.context() as patch:
            patch.setattr(person_view, "explain", no_replay)
            view = person_page(s, ids["ana"], tie, FIXED_NOW, timeline_limit=100)
        replay = explain(s, s.get(Person, ids["ana"]), FIXED_NOW, tie=replace(tie)).tie  # type: ignore[arg-type]
    assert view.tie is not None and view.tie is not tie and not tie.components  # the shared tie is left unchanged
    assert view.tie.components == pytest.approx(replay.components) and view.tie.reasons == replay.reasons
    assert view.tie.score == tie.score


def test_a_tie_the_stored_state_does_not_reproduce_is_explained_by_replaying_the_log(kith: Kith) -> None:
    ids = _ana_and_friends(kith)
    earlier = FIXED_NOW - timedelta(days=3)  # the stored state already holds the call of yesterday
    with kith.session() as s:
        tie = tie_scores(s, earlier)[ids["ana"]]
        view = person_page(s, ids["ana"], tie, earlier, timeline_limit=100)
        replay = explain(s, s.get(Person, ids["ana"]), earlier, tie=replace(tie)).tie  # type: ignore[arg-type]
    assert view.tie is not None and view.tie.components == pytest.approx(replay.components)
    assert view.tie.reasons == replay.reasons


def test_another_workspaces_person_is_not_found(kith: Kith) -> None:
    ids = _ana_and_friends(kith)
    other = add_workspace(kith)
    with kith.session(other) as s, pytest.raises(NotFound):
        person_page(s, ids["ana"], None, FIXED_NOW, timeline_limit=100)
    with kith.session() as s, pytest.raises(NotFound):
        person_page(s, 10_000, None, FIXED_NOW, timeline_limit=100)


def test_rows_stored_in_another_workspace_never_reach_the_page(kith: Kith) -> None:
    ids = _ana_and_friends(kith)
    other = add_workspace(kith)
    with kith.session(other) as s:
        eve = add_person(s, NewPerson(name="Eve Other", tags=["film"]), now=FIXED_NOW)
        s.flush()
        # Rows of the other workspace that point at Ana's id (only a bug or a raw write could make them).
        s.execute(text("INSERT INTO relation (workspace_id, src_id, kind, dst_id, source, note, created_at) "
                       "VALUES (:ws, :eve, 'assistant-of', :ana, 'manual', '', :at)"),
                  {"ws": other, "eve": eve.id, "ana": ids["ana"], "at": FIXED_NOW.replace(tzinfo=None)})
        s.execute(text("INSERT INTO favor (workspace_id, person_id, direction, what, status, created_at) "
                       "VALUES (:ws, :ana, 'given', 'a secret', 'done', :at)"),
                  {"ws": other, "ana": ids["ana"], "at": FIXED_NOW.replace(tzinfo=None)})
        s.execute(text("INSERT INTO identifier (workspace_id, person_id, kind, value, value_key, label, source) "
                       "VALUES (:ws, :ana, 'email', 'eve@other.example', 'eve@other.example', '', 'manual')"),
                  {"ws": other, "ana": ids["ana"]})
    with kith.session() as s:
        view = person_page(s, ids["ana"], None, FIXED_NOW, timeline_limit=100)
    assert "Eve Other" not in view.names.values() and len(view.relations) == 2
    assert [f.what for f in view.favors] == ["a script read", "an intro to a distributor"]
    assert ("email", "eve@other.example") not in view.identifiers
