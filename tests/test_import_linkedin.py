"""LinkedIn: Connections.csv in three shapes, and messages.csv."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from import_helpers import IMPORT, interactions, people, run
from kith.errors import ImportFailed
from kith.importers import linkedin
from kith.importers.records import ParseOptions
from kith.normalize import is_derived_id
from kith.runtime import Kith
from kith.services.dedupe import compare_people
from kith.services.people import shown_identifiers
from kith.services.person_view import person_page
from kith.store.models import Person


def test_current_export_finds_the_header_after_the_notes_preamble() -> None:
    parsed = linkedin.parse(IMPORT / "linkedin-current.csv", ParseOptions())
    assert [(c.name, c.org, c.title) for c in parsed.contacts] == [
        ("Ana Díaz", "Acme Films", "Head of Publicity"),
        ("Jordan Reyes", "Northwind, Inc.", "Research Lead"),  # "Ph.D." dropped, comma in quotes kept
        ("Mika 🎬 Tanaka", "Lumen Studios", "Producer, Features"),
        ("Bo Li", "", ""),
    ]
    assert parsed.contacts[0].connected_on == datetime(2024, 3, 12, tzinfo=UTC)
    assert parsed.contacts[0].urls[0].value == "https://www.linkedin.com/in/ana-diaz-fict1"


def test_a_row_is_read_by_its_column_names_whatever_their_order_case_or_repeats_and_a_short_row_is_empty_after(
        tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "Connections.csv"
    path.write_text("Notes:\n\nconnected on,Company,LAST NAME,first name,Company,Email Address\n"
                    "01 Feb 2020,Old Co,Okafor,Quinn,New Co,quinn@example.com\n"
                    "03 Mar 2021,Solo\n"
                    ",,Ng,Ada\n", encoding="utf-8")
    parsed = linkedin.parse(path, ParseOptions())
    # The last of two columns of one name counts (as a row's dict keeps the last); missing cells are empty.
    assert [(c.name, c.org, [e.value for e in c.emails]) for c in parsed.contacts] == [
        ("Quinn Okafor", "New Co", ["quinn@example.com"]), ("Ada Ng", "", [])]
    assert parsed.contacts[0].connected_on == datetime(2020, 2, 1, tzinfo=UTC)
    assert [p.reason for p in parsed.problems] == ["no name"]  # the short row: a date and a company only


def test_2021_export_has_no_url_column() -> None:
    parsed = linkedin.parse(IMPORT / "linkedin-2021.csv", ParseOptions())
    assert [c.name for c in parsed.contacts] == ["Ana Díaz", "Carla Nunes", "Dev Patel"]
    assert all(not c.urls for c in parsed.contacts)


def test_2018_export_has_no_preamble_and_us_dates_with_times() -> None:
    parsed = linkedin.parse(IMPORT / "linkedin-2018.csv", ParseOptions())
    assert parsed.contacts[0].connected_on == datetime(2018, 1, 8, 18, 14, tzinfo=UTC)
    assert parsed.contacts[1].connected_on == datetime(2017, 12, 24, 9, 2, tzinfo=UTC)


def test_connected_on_becomes_a_dated_connection_interaction(kith: Kith) -> None:
    run(kith, "linkedin", IMPORT / "linkedin-current.csv")
    ana = [i for i in interactions(kith) if i["people"] == ["Ana Díaz"]]
    assert ana == [{"when": datetime(2024, 3, 12, tzinfo=UTC), "kind": "connection", "direction": "mutual",
                    "note": "", "source": "linkedin", "people": ["Ana Díaz"]}]


def test_an_older_shape_matches_the_same_people_by_name_and_fills_in(kith: Kith) -> None:
    run(kith, "linkedin", IMPORT / "linkedin-current.csv")
    summary = run(kith, "linkedin", IMPORT / "linkedin-2021.csv")
    assert (summary.added, summary.updated) == (2, 1)
    assert people(kith)["Ana Díaz"]["urls"] == ["https://www.linkedin.com/in/ana-diaz-fict1"]


def test_a_csv_that_is_not_a_linkedin_export_fails_with_one_clear_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ImportFailed, match=r"not a LinkedIn Connections\.csv"):
        linkedin.parse(tmp_path / "x.csv", ParseOptions())


def test_messages_become_one_interaction_per_conversation_and_day_with_direction(kith: Kith) -> None:
    run(kith, "linkedin", IMPORT / "linkedin-current.csv")
    summary = run(kith, "linkedin-messages", IMPORT / "linkedin-messages.csv")
    assert summary.problems == ["linkedin-messages.csv: row 6: unreadable date 'not a date'"]
    msgs = [i for i in interactions(kith) if i["kind"] == "message"]
    assert [(i["when"].date().isoformat(), i["direction"], i["people"]) for i in msgs] == [
        ("2024-03-12", "mutual", ["Ana Díaz"]),
        ("2024-03-14", "out", ["Ana Díaz"]),
        ("2024-04-01", "out", ["Bo Li", "Gil Amar"]),  # a group conversation; Bo matched by profile URL
    ]
    assert "Sam Me" not in people(kith)


def test_thirteen_column_messages_skip_drafts_and_find_you_from_the_sent_folder(kith: Kith) -> None:
    summary = run(kith, "linkedin-messages", IMPORT / "linkedin-messages-13col.csv")
    assert summary.skipped == {"draft message": 1}
    assert [(i["direction"], i["people"]) for i in interactions(kith)] == [("out", ["Carla Nunes"]), ("in", ["Carla Nunes"])]


def test_the_source_id_made_for_a_row_without_url_or_address_is_never_shown_but_finds_the_person_again(
        kith: Kith) -> None:
    run(kith, "linkedin", IMPORT / "linkedin-2021.csv")
    with kith.session() as s:
        carla = s.scalars(select(Person).where(Person.display_name == "Carla Nunes")).one()
        stored = [(i.kind, i.value) for i in carla.identifiers]
        assert [kind for kind, _ in stored] == ["external"] and is_derived_id(*stored[0])
        page = person_page(s, carla.id, None, kith.as_of, timeline_limit=10)
        assert page.identifiers == []
        assert shown_identifiers(carla) == []
        ana = s.scalars(select(Person).where(Person.display_name == "Ana Díaz")).one()
        side_by_side = compare_people(s, ana, carla)
        assert "external" not in dict(side_by_side.drop.lines)
        assert side_by_side.preview.identifiers == ()
    again = run(kith, "linkedin", IMPORT / "linkedin-2021.csv")
    assert (again.added, again.unchanged) == (0, 3)
