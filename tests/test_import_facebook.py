"""Facebook friends from "Download your information"."""

from __future__ import annotations

from datetime import UTC, datetime

from import_helpers import IMPORT, interactions, people, run
from kith.importers.facebook import fix_mojibake
from kith.runtime import Kith


def test_friends_get_their_mis_encoded_names_repaired_and_a_dated_connection(kith: Kith) -> None:
    summary = run(kith, "facebook", IMPORT / "facebook-friends.json")
    assert sorted(people(kith)) == ["Lars Berg", "Renée Okafor", "Zoë Ünal"]
    assert summary.problems == ["facebook-friends.json: friend 3: no name"]
    zoe = [i for i in interactions(kith) if i["people"] == ["Zoë Ünal"]]
    assert [(i["when"], i["kind"], i["source"]) for i in zoe] == [(datetime(2019, 1, 1, tzinfo=UTC), "connection", "facebook")]


def test_correct_utf8_is_left_alone() -> None:
    assert fix_mojibake("Zoë") == "Zoë" and fix_mojibake("ZoÃ«") == "Zoë"
