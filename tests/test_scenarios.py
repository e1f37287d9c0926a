"""The seed's test of a relationship, over the CLI: would a thoughtful person call them to ask a favour?

Each scenario is told to `kith` as a user would (add, log, favour) and read
back from `kith score --json`, `kith score --explain` and `kith agenda --json`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from tests.conftest import FIXED_NOW, CliResult

Cli = Callable[..., CliResult]
TODAY = FIXED_NOW.date()


def ok(result: CliResult) -> CliResult:
    assert result.code == 0, result.err
    return result


def day(days_ago: float) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


def monthly(cli: Cli, name: str, years: int, kind: str = "call", last_days_ago: int = 10) -> None:
    """A steady tie: one contact a month for ``years``, alternating who reaches out."""
    for month in range(12 * years):
        ok(cli("log", name, kind, "--on", day(last_days_ago + 30.4 * month), "--by", ("me", "them")[month % 2]))


def tie(cli: Cli, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok(cli("score", name, "--json")).out)
    return data


def agenda(cli: Cli) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(ok(cli("agenda", "--json")).out)
    return items


def test_met_once_at_a_party_a_year_ago_is_not_callable_and_the_explanation_says_why(cli: Cli) -> None:
    ok(cli("add", "Pat Party"))
    ok(cli("log", "Pat Party", "met", "--on", day(365), "--note", "a party"))
    pat = tie(cli, "Pat Party")
    assert not pat["callable"] and pat["readiness"] < 60
    assert pat["layer"] in ("acquaintance", "dormant")
    explained = ok(cli("score", "Pat Party", "--explain")).out
    assert "only 1 contact so far" in explained
    assert "last contact 12 months ago" in explained


def test_one_coffee_yesterday_is_new_or_an_acquaintance_likely_to_continue_but_not_callable(cli: Cli) -> None:
    ok(cli("add", "Cole Coffee"))
    ok(cli("log", "Cole Coffee", "coffee", "--on", day(1)))
    cole = tie(cli, "Cole Coffee")
    assert cole["layer"] in ("new", "acquaintance")
    assert not cole["callable"]
    assert cole["likelihood"] > 60 > cole["strength"]
    assert "last contact yesterday" in ok(cli("score", "Cole Coffee", "--explain")).out


def test_a_person_with_no_contact_yet_is_new_not_dormant(cli: Cli) -> None:
    ok(cli("add", "Nell New"))
    nell = tie(cli, "Nell New")
    assert nell["layer"] == "new" and not nell["callable"]


def test_a_steady_monthly_tie_for_three_years_is_close_or_active_and_callable(cli: Cli) -> None:
    ok(cli("add", "Mo Monthly"))
    monthly(cli, "Mo Monthly", 3)
    mo = tie(cli, "Mo Monthly")
    assert mo["layer"] in ("close", "active")
    assert mo["callable"] and mo["readiness"] >= 60
    assert mo["strength"] > 50


def test_a_tie_whose_last_exchange_went_badly_is_less_ready_and_gets_a_repair_item(cli: Cli) -> None:
    for name in ("Wes Well", "Bea Badly"):
        ok(cli("add", name))
        monthly(cli, name, 2, last_days_ago=40)
    ok(cli("log", "Wes Well", "call", "--on", day(3), "--sentiment", "1"))
    ok(cli("log", "Bea Badly", "call", "--on", day(3), "--sentiment", "-2"))
    assert tie(cli, "Bea Badly")["readiness"] < tie(cli, "Wes Well")["readiness"]
    assert "the last exchange went badly" in ok(cli("score", "Bea Badly", "--explain")).out
    actions = {(i["person"], i["action"]) for i in agenda(cli)}
    assert ("Bea Badly", "repair") in actions and ("Wes Well", "repair") not in actions


def test_an_unreturned_favour_i_received_lowers_readiness_and_asks_me_to_return_it(cli: Cli) -> None:
    for name in ("Ray Returned", "Olly Owed"):
        ok(cli("add", name))
        monthly(cli, name, 2)
    ok(cli("favour", "Olly Owed", "received", "a reference letter", "--on", day(75)))
    ok(cli("log", "Olly Owed", "thanks-given", "--on", day(74)))
    ok(cli("log", "Ray Returned", "thanks-given", "--on", day(74)))
    assert tie(cli, "Olly Owed")["readiness"] < tie(cli, "Ray Returned")["readiness"]
    assert "you owe them a favour" in ok(cli("score", "Olly Owed", "--explain")).out
    actions = {(i["person"], i["action"]) for i in agenda(cli)}
    assert ("Olly Owed", "return-favour") in actions


def test_a_group_meeting_of_forty_counts_less_than_a_one_to_one(cli: Cli) -> None:
    crowd = [f"Crowd {i:02d}" for i in range(39)]
    for name in ("Una One", "Gus Group", *crowd):
        ok(cli("add", name))
    for k in range(6):
        ok(cli("log", "Una One", "meeting", "--on", day(10 + 30 * k)))
        ok(cli("log", ",".join(["Gus Group", *crowd]), "meeting", "--on", day(10 + 30 * k)))
    una, gus = tie(cli, "Una One"), tie(cli, "Gus Group")
    assert gus["strength"] < una["strength"] - 10
    assert gus["readiness"] < una["readiness"]


def test_the_scenarios_read_the_same_in_a_fresh_process(kith_process: Cli) -> None:
    ok(kith_process("add", "Cole Coffee"))
    ok(kith_process("log", "Cole Coffee", "coffee", "--on", day(1)))
    cole = json.loads(ok(kith_process("score", "--json")).out)[0]
    assert cole["layer"] == "acquaintance" and not cole["callable"]
    assert set(cole) >= {"strength", "likelihood", "score", "layer", "readiness"}
