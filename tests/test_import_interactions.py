"""The generic interactions CSV of the CLI contract."""

from __future__ import annotations

from datetime import UTC, datetime

from import_helpers import IMPORT, interactions, people, run
from kith.runtime import Kith
from kith.services.people import NewPerson, add_person


def test_rows_match_existing_people_or_create_them_and_bad_rows_are_reported(kith: Kith) -> None:
    with kith.session() as s:
        add_person(s, NewPerson("Ana Díaz", emails=["ana.diaz@example.com"]), now=kith.as_of)
    summary = run(kith, "interactions", IMPORT / "interactions.csv")
    assert [p.split(": ", 2)[1] for p in summary.problems] == ["row 5", "row 6", "row 7"]
    assert summary.added == 2  # Bo Li and Carla Nunes
    assert [(i["when"], i["kind"], i["direction"], i["people"], i["note"]) for i in interactions(kith)] == [
        (datetime(2024, 3, 12, 10, tzinfo=UTC), "coffee", "out", ["Ana Díaz"], "Talked about the festival"),
        (datetime(2024, 3, 13, 10, tzinfo=UTC), "call", "in", ["Bo Li"], ""),
        (datetime(2024, 3, 14, tzinfo=UTC), "meal", "mutual", ["Carla Nunes"], "Dinner, with wine"),
    ]
    assert sorted(people(kith)) == ["Ana Díaz", "Bo Li", "Carla Nunes"]
