"""Duplicates: found with a confidence and why; conflicting profiles never merged; merges keep everything."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from import_helpers import IMPORT, interactions, people, relations, run
from kith.runtime import Kith
from kith.services.dedupe import find_duplicates, merge_people, preview_merge
from kith.services.interactions import log_interaction
from kith.services.people import NewPerson, add_person, resolve_person, tag_person
from kith.services.relations import link

WHEN = datetime(2026, 1, 5, tzinfo=UTC)


def test_same_email_or_alike_names_are_listed_with_a_confidence_and_why(kith: Kith) -> None:
    with kith.session() as s:
        add_person(s, NewPerson("Ana Diaz", emails=["ana@example.com"], org="Acme"), now=kith.as_of)
        add_person(s, NewPerson("Ana Díaz", org="Acme"), now=kith.as_of)
        add_person(s, NewPerson("A. Diaz", emails=["ANA@example.com"]), now=kith.as_of)
        add_person(s, NewPerson("Bo Li"), now=kith.as_of)
        found = [(c.a.name, c.b.name, c.confidence, c.reasons) for c in find_duplicates(s)]
    assert found[0][:2] == ("Ana Diaz", "A. Diaz") and found[0][2] == 0.95
    assert found[0][3] == ("same e-mail ana@example.com",)
    assert ("Ana Diaz", "Ana Díaz") in [f[:2] for f in found]
    assert "Bo Li" not in {n for f in found for n in f[:2]}


def test_two_people_with_different_linkedin_profiles_are_never_matched_however_alike(kith: Kith, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with kith.session() as s:
        add_person(s, NewPerson("Bo Li", urls=["https://www.linkedin.com/in/bo-li-other"]), now=kith.as_of)
    run(kith, "linkedin", IMPORT / "linkedin-current.csv")
    with kith.session() as s:
        assert len([p for p in people(kith) if p == "Bo Li"]) == 1  # names are keys here: check the rows
        bos = [c for c in find_duplicates(s, include_conflicts=True) if c.a.name == c.b.name == "Bo Li"]
    assert len(bos) == 1 and bos[0].conflict
    assert bos[0].confidence <= 0.2
    assert "different Linkedin profiles: probably two people" in bos[0].reasons


def test_merge_keeps_every_field_identifier_tag_interaction_relation_and_provenance(kith: Kith) -> None:
    with kith.session() as s:
        keep = add_person(s, NewPerson("Ana Diaz", emails=["ana@example.com"], title="Publicist"), now=kith.as_of)
        drop = add_person(s, NewPerson("Ana Díaz", phones=["+1 212 555 0101"], org="Acme", title="Head of PR",
                                       tags=["film"]), now=kith.as_of)
        drop.provenance = {"title": {"source": "linkedin", "at": "2026-01-01"}}
        bo = add_person(s, NewPerson("Bo Li"), now=kith.as_of)
        log_interaction(s, [keep, drop], "coffee", when=WHEN, now=kith.as_of)
        log_interaction(s, [drop, bo], "meal", when=WHEN, now=kith.as_of)
        link(s, bo, "assistant-of", drop, now=kith.as_of)
        link(s, keep, "knows", drop, now=kith.as_of)
        tag_person(s, keep, ["press"])
        merge_people(s, keep, drop, now=kith.as_of)
    ana = people(kith)["Ana Diaz"]
    assert ana["emails"] == ["ana@example.com"] and ana["phones"] == ["+1 212 555 0101"]
    assert (ana["title"], ana["org"], ana["tags"]) == ("Publicist", "Acme", ["film", "press"])
    assert "title: Head of PR" in ana["notes"] and "also known as: Ana Díaz" in ana["notes"]
    assert [i["people"] for i in interactions(kith)] == [["Ana Diaz"], ["Ana Diaz", "Bo Li"]]
    assert relations(kith) == {("Bo Li", "assistant-of", "Ana Diaz")}
    with kith.session() as s:
        assert resolve_person(s, "Ana Diaz").provenance["title"]["source"] == "linkedin"


def test_cli_dupes_json_and_merge(cli) -> None:  # type: ignore[no-untyped-def]
    cli("add", "Ana Diaz", "--email", "ana@example.com")
    cli("add", "Ana Díaz", "--email", "ana@example.com")
    found = json.loads(cli("dupes", "--json").out)
    assert [(d["a"]["id"], d["b"]["id"], d["confidence"]) for d in found] == [(1, 2, 0.95)]
    result = cli("merge", "1", "2", "--yes")
    assert result.code == 0 and result.out.strip() == "Merged #2 Ana Díaz into #1 Ana Diaz"
    assert json.loads(cli("dupes", "--json").out) == []


def test_the_merge_preview_says_what_the_merge_then_does(kith: Kith) -> None:
    with kith.session() as s:
        keep = add_person(s, NewPerson("Ana Diaz", emails=["ana@example.com"], title="Publicist"), now=kith.as_of)
        drop = add_person(s, NewPerson("Ana Díaz", phones=["+1 212 555 0101"], org="Acme", title="Head of PR",
                                       tags=["film"]), now=kith.as_of)
        bo = add_person(s, NewPerson("Bo Li"), now=kith.as_of)
        log_interaction(s, [keep, drop], "coffee", when=WHEN, now=kith.as_of)
        log_interaction(s, [drop, bo], "meal", when=WHEN, now=kith.as_of)
        link(s, bo, "assistant-of", drop, now=kith.as_of)
        preview = preview_merge(s, keep, drop)
        assert (preview.taken, preview.identifiers, preview.tags) == (("organisation: Acme",), ("+1 212 555 0101",),
                                                                       ("film",))
        assert (preview.interactions, preview.relations, preview.favors) == (1, 1, 0)
        drop_id = drop.id
        merged = merge_people(s, keep, drop, now=kith.as_of)
        assert merged.notes == f"Merged from #{drop_id}: " + "; ".join(preview.noted)
    assert preview.noted == ("title: Head of PR", "family name: Díaz", "also known as: Ana Díaz")
