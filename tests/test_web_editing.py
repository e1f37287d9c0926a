"""Changing people from the web through the CLI's services: edit, archive, delete with confirmation, relations,
favours, events, and merging duplicates after a side-by-side comparison."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from tests.conftest import FIXED_NOW
from tests.web_helpers import LOCAL

from kith.runtime import Kith
from kith.services import events as events_svc
from kith.services.people import NewPerson, add_person, get_person, person_cadence
from kith.store.models import Favor, Person, Relation
from kith.web.app import create_app


@pytest.fixture
def client(kith: Kith) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(create_app(kith, secret_key="e" * 40, now=lambda: FIXED_NOW), base_url=LOCAL) as c:
        yield c


def csrf_of(client: Any, path: str = "/people") -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match
    return match.group(1)


def people(kith: Kith, *names: str, **kw: Any) -> list[int]:
    with kith.session() as s:
        made = [add_person(s, NewPerson(name=n, **kw), now=FIXED_NOW) for n in names]
        s.flush()
        return [p.id for p in made]


def test_the_edit_form_changes_fields_tags_closeness_cadence_and_adds_identifiers(client: Any, kith: Kith) -> None:
    (pid,) = people(kith, "Ana Diaz")
    form = client.get(f"/people/{pid}/edit")
    assert form.status_code == 200 and 'value="Ana Diaz"' in form.text
    answer = client.post(f"/people/{pid}/edit", data={
        "name": "Ana María Díaz", "org": "Acme Films", "title": "Producer", "location": "Madrid",
        "birthday": "--04-09", "met_on": "2025-02-01", "key": "1", "closeness": "80", "cadence": "21",
        "tags": "film, Madrid Crew", "notes": "Likes early calls", "add_email": "ana@acme.example",
        "add_phone": "+34 600 000 000", "add_url": "https://www.linkedin.com/in/anadiaz", "csrf_token": csrf_of(client),
    })
    assert answer.status_code == 200 and "Saved Ana María Díaz" in answer.text
    with kith.session() as s:
        p = get_person(s, pid)
        assert (p.display_name, p.organization.name if p.organization else None, p.title, p.location) == (
            "Ana María Díaz", "Acme Films", "Producer", "Madrid")
        assert (p.birthday, p.is_key, p.closeness, p.notes) == ("--04-09", True, 80, "Likes early calls")
        assert sorted(t.name for t in p.tags) == ["film", "madrid-crew"]
        assert {i.kind for i in p.identifiers} == {"email", "phone", "linkedin"}
        assert person_cadence(s, p) == 21
    # blank closeness and cadence: back to automatic
    client.post(f"/people/{pid}/edit", data={"name": "Ana María Díaz", "tags": "film", "csrf_token": csrf_of(client)})
    with kith.session() as s:
        p = get_person(s, pid)
        assert p.closeness is None and person_cadence(s, p) is None and not p.is_key


def test_a_bad_edit_is_a_readable_error(client: Any, kith: Kith) -> None:
    (pid,) = people(kith, "Ana Diaz")
    answer = client.post(f"/people/{pid}/edit", data={"name": "Ana", "closeness": "140", "csrf_token": csrf_of(client)})
    assert answer.status_code == 422 and "closeness must be between 0 and 100" in answer.text


def test_archive_and_restore(client: Any, kith: Kith) -> None:
    (pid,) = people(kith, "Ana Diaz")
    client.post(f"/people/{pid}/archive", data={"archived": "1", "csrf_token": csrf_of(client)})
    with kith.session() as s:
        assert get_person(s, pid).archived
    assert "Restore from the archive" in client.get(f"/people/{pid}/edit").text
    client.post(f"/people/{pid}/archive", data={"archived": "0", "csrf_token": csrf_of(client)})
    with kith.session() as s:
        assert not get_person(s, pid).archived


def test_delete_asks_first_and_deletes_only_when_confirmed(client: Any, kith: Kith) -> None:
    (pid,) = people(kith, "Ana Diaz")
    ask = client.get(f"/people/{pid}/delete")
    assert ask.status_code == 200 and "Delete Ana Diaz?" in ask.text
    unconfirmed = client.post(f"/people/{pid}/delete", data={"csrf_token": csrf_of(client)}, follow_redirects=False)
    assert unconfirmed.headers["location"] == f"/people/{pid}/delete"
    with kith.session() as s:
        assert s.get(Person, pid) is not None
    done = client.post(f"/people/{pid}/delete", data={"confirm": "yes", "csrf_token": csrf_of(client)})
    assert "Deleted Ana Diaz." in done.text
    assert client.get(f"/people/{pid}").status_code == 404


def test_relations_are_added_both_ways_and_removed(client: Any, kith: Kith) -> None:
    ana, bea = people(kith, "Ana Diaz", "Bea Ruiz")
    csrf = csrf_of(client)
    client.post(f"/people/{ana}/relations", data={"kind": "assistant-of", "other": "Bea Ruiz", "reverse": "1", "csrf_token": csrf})
    client.post(f"/people/{ana}/relations", data={"kind": "knows", "other": f"#{bea}", "csrf_token": csrf})
    with kith.session() as s:
        rels = {(r.src_id, r.kind, r.dst_id) for r in s.scalars(select(Relation))}
    assert rels == {(bea, "assistant-of", ana), (ana, "knows", bea)}
    page = client.get(f"/people/{ana}").text
    assert "is their assistant" in page and "Knows <a" in page  # relations read as sentences
    client.post(f"/people/{ana}/relations/remove", data={"src_id": bea, "kind": "assistant-of", "dst_id": ana, "csrf_token": csrf})
    with kith.session() as s:
        assert {(r.src_id, r.kind, r.dst_id) for r in s.scalars(select(Relation))} == {(ana, "knows", bea)}
    bad = client.post(f"/people/{ana}/relations", data={"kind": "enemy-of", "other": "Bea Ruiz", "csrf_token": csrf})
    assert bad.status_code == 422 and "unknown relation" in bad.text


def test_favours_are_recorded_and_marked_returned(client: Any, kith: Kith) -> None:
    (pid,) = people(kith, "Ana Diaz")
    client.post(f"/people/{pid}/favors", data={"direction": "received", "what": "an intro to Acme", "on": "2026-06-01",
                                                "csrf_token": csrf_of(client)})
    with kith.session() as s:
        favor = s.scalars(select(Favor)).one()
        assert (favor.direction, favor.what, favor.status, str(favor.done_on)) == ("received", "an intro to Acme", "done", "2026-06-01")
        fid = favor.id
    assert "returned it" in client.get(f"/people/{pid}").text
    client.post(f"/favors/{fid}/returned", data={"csrf_token": csrf_of(client)})
    with kith.session() as s:
        favor = s.get(Favor, fid)
        assert favor is not None and favor.status == "returned" and favor.returned_on == FIXED_NOW.date()


def test_a_person_is_put_on_an_event(client: Any, kith: Kith) -> None:
    (pid,) = people(kith, "Ana Diaz")
    client.post(f"/people/{pid}/events", data={"event": "Berlinale 2026", "on": "2026-02-12", "role": "speaker",
                                                "csrf_token": csrf_of(client)})
    with kith.session() as s:
        ev = events_svc.resolve_event(s, "Berlinale 2026")
        assert [(m.person_id, m.role) for m in events_svc.members_of(s, ev)] == [(pid, "speaker")]


def test_duplicates_are_compared_side_by_side_and_merged(client: Any, kith: Kith) -> None:
    keep, drop = people(kith, "Ana Diaz", "Ana Díaz", emails=["ana@acme.example"])
    listing = client.get("/dupes").text
    assert f"/dupes/compare?keep={keep}&amp;drop={drop}" in listing
    compare = client.get("/dupes/compare", params={"keep": keep, "drop": drop}).text
    assert "Keep: " in compare and "Merge in: " in compare and "is then deleted" in compare
    with kith.session() as s:
        assert s.get(Person, drop) is not None  # comparing changes nothing
    merged = client.post("/dupes/merge", data={"keep": keep, "drop": drop, "csrf_token": csrf_of(client)})
    assert "Merged Ana Díaz into Ana Diaz." in merged.text
    with kith.session() as s:
        assert s.get(Person, drop) is None


def test_a_pair_is_kept_apart_with_one_click_and_not_listed_again(client: Any, kith: Kith) -> None:
    a, b = people(kith, "Ana Diaz", "Ana Díaz")
    listing = client.get("/dupes").text
    assert f'name="a" value="{a}"' in listing and f'name="b" value="{b}"' in listing and "Two people" in listing
    kept = client.post("/dupes/keep-apart", data={"a": a, "b": b, "csrf_token": csrf_of(client)})
    assert kept.status_code == 200 and "Ana Diaz and Ana Díaz: two people, kept apart." in kept.text
    assert "No likely duplicates." in client.get("/dupes").text
    with kith.session() as s:
        assert s.get(Person, a) is not None and s.get(Person, b) is not None


def test_the_comparison_offers_to_keep_the_two_apart(client: Any, kith: Kith) -> None:
    keep, drop = people(kith, "Ana Diaz", "Ana Díaz")
    compare = client.get("/dupes/compare", params={"keep": keep, "drop": drop}).text
    assert 'action="/dupes/keep-apart"' in compare and "Not the same person: keep apart" in compare
    first = client.post("/dupes/keep-apart", data={"a": drop, "b": keep, "csrf_token": csrf_of(client)})
    assert "Ana Díaz and Ana Diaz: two people, kept apart." in first.text
    again = client.post("/dupes/keep-apart", data={"a": keep, "b": drop, "csrf_token": csrf_of(client)})
    assert "two people, already kept apart." in again.text


@pytest.mark.parametrize("path", ["/dupes/merge", "/dupes/keep-apart"])
def test_merging_or_keeping_apart_ids_that_cannot_exist_is_refused_not_an_error(
        client: Any, kith: Kith, path: str) -> None:
    (a,) = people(kith, "Ana Diaz")
    fields = ("keep", "drop") if path.endswith("merge") else ("a", "b")
    for bad in (2**31, 2**63, 0, "x"):
        answer = client.post(path, data={fields[0]: a, fields[1]: bad, "csrf_token": csrf_of(client)})
        assert answer.status_code == 422, (bad, answer.status_code)
    missing = client.post(path, data={fields[0]: a, fields[1]: a + 999, "csrf_token": csrf_of(client)})
    assert missing.status_code == 404


def test_events_are_created_and_people_added_with_their_roles(client: Any, kith: Kith) -> None:
    (pid,) = people(kith, "Ana Diaz")
    csrf = csrf_of(client)
    client.post("/events", data={"name": "Paper Boats", "kind": "project", "starts_on": "2026-05-01", "csrf_token": csrf})
    with kith.session() as s:
        ev = events_svc.resolve_event(s, "Paper Boats")
        eid, kind = ev.id, ev.kind
    assert kind == "project"
    client.post(f"/events/{eid}/people", data={"who": "Ana Diaz", "role": "sound recordist", "behind_scenes": "1",
                                              "csrf_token": csrf})
    page = client.get("/events").text
    assert "Paper Boats" in page and f'<a href="/people/{pid}">Ana Diaz</a> <span class="muted">sound recordist</span>' in page
    with kith.session() as s:
        (member,) = events_svc.members_of(s, events_svc.get_event(s, eid))
        assert member.behind_scenes and member.role == "sound recordist"
    bad = client.post("/events", data={"name": "Late", "starts_on": "2026-05-02", "ends_on": "2026-05-01", "csrf_token": csrf})
    assert bad.status_code == 422 and "cannot end before it starts" in bad.text


def test_every_relation_kind_has_words_for_both_of_its_people() -> None:
    from kith.engine.kinds import RELATION_WORDS, RelationKind, relation_words

    assert set(RELATION_WORDS) == {k.value for k in RelationKind}
    assert relation_words("assistant-of", outgoing=True) == "assistant of"
    assert relation_words("introduced-by", outgoing=False) == "was introduced by them"


def test_an_interaction_is_edited_from_the_timeline_keeping_its_time_of_day(client: Any, kith: Kith) -> None:
    from datetime import timedelta

    from kith.services.interactions import get_interaction, log_interaction
    from kith.services.tie_states import states_match_log

    [ana] = people(kith, "Ana Diaz")
    with kith.session() as s:
        at = FIXED_NOW - timedelta(days=10, hours=3)
        iid = log_interaction(s, [get_person(s, ana)], "coffee", when=at, now=FIXED_NOW).id
    page = client.get(f"/people/{ana}").text
    assert f'href="/interactions/{iid}/edit?back=/people/{ana}"' in page
    form = client.get(f"/interactions/{iid}/edit", params={"back": f"/people/{ana}"}).text  # its own page
    assert f'action="/interactions/{iid}/edit"' in form and f'value="{at.date().isoformat()}"' in form
    assert "<h1>Coffee of" in form and "With Ana Diaz." in form
    alone = client.get(f"/interactions/{iid}/edit", headers={"HX-Request": "true"}).text  # htmx: the forms alone
    assert "<html" not in alone and 'name="kind"' in alone
    csrf = csrf_of(client)
    done = client.post(f"/interactions/{iid}/edit", data={
        "kind": "meal", "on": (at - timedelta(days=2)).date().isoformat(), "by": "them", "sentiment": "-1",
        "note": "  it went badly  ", "back": f"/people/{ana}", "csrf_token": csrf})
    assert done.status_code == 200 and "Saved the meal of" in done.text and "Undo: Edited the coffee" in done.text
    with kith.session() as s:
        inter = get_interaction(s, iid)
        assert (inter.kind, inter.direction, inter.sentiment, inter.note) == ("meal", "in", -1, "it went badly")
        assert inter.occurred_at == at - timedelta(days=2)  # the day moved, the time of day stayed
        assert states_match_log(s)
    client.post(f"/interactions/{iid}/edit", data={"kind": "call", "csrf_token": csrf})  # only the kind posted
    with kith.session() as s:
        inter = get_interaction(s, iid)
        assert (inter.kind, inter.direction, inter.sentiment, inter.note) == ("call", "in", -1, "it went badly")
    bad = client.post(f"/interactions/{iid}/edit", data={"kind": "séance", "csrf_token": csrf})
    assert bad.status_code == 422 and "unknown" in bad.text
    assert client.post("/interactions/999999/edit", data={"kind": "call", "csrf_token": csrf}).status_code == 404


def test_an_interaction_deleted_from_the_timeline_is_gone_for_everyone_and_undo_brings_it_back(
        client: Any, kith: Kith) -> None:
    from sqlalchemy import func

    from kith.services.interactions import log_interaction
    from kith.store.models import Interaction

    ana, bea = people(kith, "Ana Diaz", "Bea Ruiz")
    with kith.session() as s:
        iid = log_interaction(s, [get_person(s, ana), get_person(s, bea)], "meeting", when=FIXED_NOW,
                              now=FIXED_NOW).id
    assert "Delete this meeting (for all 2 who took part)" in client.get(f"/interactions/{iid}/edit").text
    csrf = csrf_of(client)
    done = client.post(f"/interactions/{iid}/delete", data={"back": f"/people/{ana}", "csrf_token": csrf})
    assert done.status_code == 200 and "Deleted the meeting of" in done.text
    with kith.session() as s:
        assert s.scalar(select(func.count()).select_from(Interaction)) == 0
    change = re.search(r'name="change" value="(\d+)"', done.text)
    assert change, "the confirmation offers the undo"
    client.post("/undo", data={"change": change.group(1), "csrf_token": csrf})
    with kith.session() as s:
        assert s.scalar(select(func.count()).select_from(Interaction)) == 1
